import * as vscode from 'vscode';

/** One thing a conversion left for a person: the file and the 1-based line of its TODO in the converted text. */
export interface LeftItem {
  uri: vscode.Uri;
  line: number;
  reason: string;
}

/**
 * "Show Details" of a conversion: a quick pick of what was left, in order; moving through it reveals each
 * TODO line, choosing one puts the cursor there. The output channel keeps the same list for later.
 */
export async function showLeftForHuman(items: readonly LeftItem[], title: string): Promise<void> {
  const picks = items.map((item) => ({
    label: `${item.line ? `line ${item.line}` : 'whole file'}: ${item.reason}`,
    description: vscode.workspace.asRelativePath(item.uri),
    item,
  }));
  const reveal = async (item: LeftItem, preserveFocus: boolean): Promise<void> => {
    const line = Math.max(item.line - 1, 0);
    const range = new vscode.Range(line, 0, line, 0);
    await vscode.window.showTextDocument(item.uri, { selection: range, preserveFocus, preview: preserveFocus });
  };
  const quickPick = vscode.window.createQuickPick<(typeof picks)[number]>();
  quickPick.title = title;
  quickPick.placeholder = 'What the conversion left for you (marked TODO(pypy-bindings)): choose one to go to it';
  quickPick.items = picks;
  quickPick.matchOnDescription = true;
  quickPick.onDidChangeActive((active) => {
    if (active[0]) void reveal(active[0].item, true);
  });
  quickPick.onDidAccept(() => {
    const chosen = quickPick.selectedItems[0];
    quickPick.hide();
    if (chosen) void reveal(chosen.item, false);
  });
  quickPick.onDidHide(() => quickPick.dispose());
  quickPick.show();
}
