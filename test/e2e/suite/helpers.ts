// Shared helpers for the extension tests that run inside a real VS Code extension host.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'pypy-bindings.pypy-bindings';
export const SOURCE = 'pypy-bindings';
/** The guide's CTypes section says this, word for word. */
export const GUIDE_CTYPES_SENTENCE = "ctypes' performance is not as good as CFFI's";

/** Calls probe until it returns something other than undefined/false; events arrive asynchronously, so poll. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function fixtureUri(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the e2e tests must run with the fixture workspace open');
  return vscode.Uri.joinPath(folder.uri, name);
}

export async function openFixture(name: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(fixtureUri(name));
  return vscode.window.showTextDocument(doc);
}

export async function fixtureText(name: string): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(fixtureUri(name)));
}

export async function openUntitledPython(content: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument({ language: 'python', content });
  return vscode.window.showTextDocument(doc);
}

export function codeOf(d: vscode.Diagnostic): string | undefined {
  const code = d.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}

export function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

export function withCode(uri: vscode.Uri, code: string): vscode.Diagnostic[] {
  return ours(uri).filter((d) => codeOf(d) === code);
}

/** Waits until at least one diagnostic with this code is present and the optional predicate holds. */
export function waitForCode(
  uri: vscode.Uri,
  code: string,
  ok: (ds: vscode.Diagnostic[]) => boolean = () => true,
  timeoutMs?: number,
): Promise<vscode.Diagnostic[]> {
  return waitFor(
    `${code} on ${uri.path.split('/').pop()} (now: ${summary(uri)})`,
    () => {
      const ds = withCode(uri, code);
      return ds.length > 0 && ok(ds) ? ds : undefined;
    },
    timeoutMs,
  );
}

export function waitForNoCode(uri: vscode.Uri, code: string): Promise<true> {
  return waitFor(`${code} to disappear from ${uri.path.split('/').pop()}`, () => withCode(uri, code).length === 0);
}

export function summary(uri: vscode.Uri): string {
  return (
    ours(uri)
      .map((d) => `${codeOf(d)}@${d.range.start.line + 1}:${d.range.start.character + 1}`)
      .join(', ') || 'none'
  );
}

/** 0-based line of the first line containing needle. */
export function lineOf(doc: vscode.TextDocument, needle: string): number {
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(needle)) return i;
  throw new Error(`"${needle}" not found in ${doc.uri.toString()}`);
}

/** Position of the nth occurrence of needle (plus offset characters into it). */
export function positionOf(doc: vscode.TextDocument, needle: string, offset = 0, nth = 0): vscode.Position {
  const text = doc.getText();
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`occurrence ${nth} of "${needle}" not found in ${doc.uri.toString()}`);
  }
  return doc.positionAt(at + offset);
}

/** Hover contents as the Markdown the provider sent. */
export function hoverMarkdown(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

/** Hover contents as plain text: Markdown quotes, links and escapes removed, whitespace collapsed. */
export function hoverText(hovers: vscode.Hover[]): string {
  return hoverMarkdown(hovers)
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s*>+ ?/gm, '')
    .replace(/\\([\\`*_{}[\]()#+\-.!'])/g, '$1')
    .replace(/[*_`]/g, '')
    .replace(/\s+/g, ' ');
}

export function isCommand(x: vscode.CodeAction | vscode.Command): x is vscode.Command {
  return typeof (x as vscode.Command).command === 'string';
}

export async function codeActionsAt(
  uri: vscode.Uri,
  range: vscode.Range,
  kind?: string,
): Promise<vscode.CodeAction[]> {
  const found =
    (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider',
      uri,
      range,
      kind,
      50, // resolve lazily computed edits
    )) ?? [];
  return found.filter((x): x is vscode.CodeAction => !isCommand(x));
}

export async function applyCodeAction(action: vscode.CodeAction): Promise<void> {
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), `edit of "${action.title}" was refused`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  assert.ok(action.edit || action.command, `code action "${action.title}" carries neither an edit nor a command`);
}

/** Puts every editor back as it is on disk and closes it, so tests do not leak edits into each other. */
export async function restoreEditors(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments) {
    if (!doc.isDirty) continue;
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export async function insertAt(editor: vscode.TextEditor, position: vscode.Position, text: string): Promise<void> {
  assert.ok(await editor.edit((b) => b.insert(position, text)), 'edit refused');
}

export function textIn(doc: vscode.TextDocument, range: vscode.Range): string {
  return doc.getText(range);
}
