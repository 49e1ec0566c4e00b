// Completion, signature help, go to definition and the Outline for bindings, through VS Code's own commands
// (what the editor asks the language server when the user types, hovers or opens the Outline).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { insertAt, openFixture, positionOf, restoreEditors, waitFor } from './helpers';

const labelOf = (i: vscode.CompletionItem) => (typeof i.label === 'string' ? i.label : i.label.label);

/** Inserts text, runs the checks, then takes the text out again whatever happened (the next test opens the same file). */
async function withInserted(editor: vscode.TextEditor, text: string, checks: (end: vscode.Position) => Promise<void>): Promise<void> {
  const doc = editor.document;
  const start = doc.lineAt(doc.lineCount - 1).range.end;
  await insertAt(editor, start, text);
  const end = doc.positionAt(doc.offsetAt(start) + text.length);
  try {
    await checks(end);
  } finally {
    await editor.edit((b) => b.delete(new vscode.Range(start, end)));
    await doc.save();
  }
}

suite('editor features', () => {
  teardown(restoreEditors);

  test('typing "lib." offers the cdef\'s functions and globals with their C declarations', async () => {
    const editor = await openFixture('cffi_points.py');
    const doc = editor.document;
    await withInserted(editor, '\nlib.', async (at) => {
      const items = await waitFor('lib. completions from the cdef', async () => {
        const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, at, '.');
        // ours carry the C declaration as detail (VS Code's word-based suggestions have the same labels, without one)
        const found = list.items.filter((i) => i.detail && ['distance', 'format_point', 'points_made'].includes(labelOf(i)));
        return found.length === 3 ? found : undefined;
      });
      const distance = items.find((i) => labelOf(i) === 'distance')!;
      assert.equal(distance.detail, 'double distance(const point_t *a, const point_t *b);');
      assert.equal(distance.kind, vscode.CompletionItemKind.Function);
      assert.equal(items.find((i) => labelOf(i) === 'points_made')!.kind, vscode.CompletionItemKind.Variable);
    });
  });

  test('inside ffi.new("…") the declared and predefined C type names are offered', async () => {
    const { document: doc } = await openFixture('cffi_points.py');
    const at = positionOf(doc, 'point_t *", {"x": 0.0', 0);
    const list = await waitFor('type-string completions', async () => {
      const l = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, at);
      return l.items.some((i) => labelOf(i) === 'struct point') ? l : undefined;
    });
    const names = list.items.map(labelOf);
    for (const want of ['point_t', 'struct point', 'double', 'size_t']) assert.ok(names.includes(want), `${want} offered`);
  });

  test('signature help shows the C prototype, with the active parameter following the cursor', async () => {
    const editor = await openFixture('cffi_points.py');
    const doc = editor.document;
    const help = (at: vscode.Position, trigger?: string) => vscode.commands.executeCommand<vscode.SignatureHelp>('vscode.executeSignatureHelpProvider', doc.uri, at, trigger);
    // a call already in the file: the second argument of distance(a, b)
    const existing = await waitFor('signature help in print(lib.distance(a, b))', async () => {
      const h = await help(positionOf(doc, 'a, b))', 'a, '.length), ',');
      return h?.signatures.length ? h : undefined;
    });
    assert.equal(existing.signatures[existing.activeSignature]!.label, 'double distance(const point_t *a, const point_t *b)');
    assert.equal(existing.activeParameter, 1);

    // a call being typed, past the fixed parameters of a variadic function
    await withInserted(editor, '\nlib.format_point(buf, 64, b"%d", ', async (at) => {
      const typed = await waitFor(`signature help at the end of ${JSON.stringify(doc.lineAt(at.line).text)}`, async () => {
        const h = await help(at, ',');
        return h?.signatures.length ? h : undefined;
      });
      const sig = typed.signatures[typed.activeSignature]!;
      assert.equal(sig.label, 'int format_point(char *buf, size_t size, const char *fmt, ...)');
      assert.equal(typed.activeParameter, 3, 'the fourth argument is one of the variadic ones');
      assert.equal((await help(positionOf(doc, 'buf, 64'), '(')).activeParameter, 0);
    });
  });

  test('go to definition from lib.distance lands on its declaration in the cdef', async () => {
    const { document: doc } = await openFixture('cffi_points.py');
    const at = positionOf(doc, 'lib.distance(a', 'lib.'.length + 2);
    const locations = await waitFor('a definition', async () => {
      const l = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', doc.uri, at);
      return l.length ? l : undefined;
    });
    const loc = locations[0]!;
    const range = 'targetRange' in loc ? (loc.targetSelectionRange ?? loc.targetRange) : loc.range;
    assert.equal(doc.getText(range), 'distance');
    assert.equal(range.start.line, positionOf(doc, 'double distance(').line);
  });

  test('the Outline lists the cdef declarations with struct fields', async () => {
    const { document: doc } = await openFixture('cffi_points.py');
    const symbols = await waitFor('document symbols', async () => {
      const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri);
      return s?.some((x) => x.name === 'ffi.cdef') ? s : undefined;
    });
    const cdef = symbols.find((s) => s.name === 'ffi.cdef')!;
    assert.deepEqual(cdef.children.map((c) => c.name), ['struct point', 'point_t', 'distance', 'format_point', 'points_made']);
    assert.deepEqual(cdef.children[0]!.children.map((c) => c.name), ['x', 'y']);
  });
});
