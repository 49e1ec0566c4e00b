import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  insertAt,
  lineOf,
  openFixture,
  ours,
  restoreEditors,
  summary,
  waitFor,
  waitForCode,
  waitForNoCode,
  withCode,
} from './helpers';

suite('diagnostics', () => {
  teardown(restoreEditors);

  test('a ctypes file gets PB101 (information) and PB204 (warning) at the right places', async () => {
    const { document: doc } = await openFixture('slow_strlen.py');
    const [pb204] = await waitForCode(doc.uri, 'PB204');
    const [pb101] = await waitForCode(doc.uri, 'PB101');

    assert.equal(pb204.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(pb204.range.start.line, lineOf(doc, 'n = libc.strlen('), 'PB204 sits on the call whose result is used');
    assert.match(doc.getText(pb204.range), /strlen/, 'PB204 covers the foreign function');
    assert.match(pb204.message, /restype/);

    assert.equal(pb101.severity, vscode.DiagnosticSeverity.Information);
    assert.ok(!pb101.range.isEmpty, 'PB101 has a non-empty range');
    assert.match(doc.getText(pb101.range), /ctypes|CDLL/, 'PB101 covers the ctypes use');
    assert.match(pb101.message, /CFFI|cffi/);

    assert.equal(withCode(doc.uri, 'PB201').length, 0, `no PB201 in a file without missing APIs (got ${summary(doc.uri)})`);
  });

  test('ctypes.pythonapi is an error (PB201) covering "pythonapi"', async () => {
    const { document: doc } = await openFixture('refcount_trick.py');
    const [pb201] = await waitForCode(doc.uri, 'PB201');
    assert.equal(pb201.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(pb201.range.start.line, lineOf(doc, 'ctypes.pythonapi'));
    assert.match(doc.getText(pb201.range), /pythonapi/);
  });

  test('diagnostics follow edits: ranges move past a non-ASCII line, and setting restype clears PB204', async () => {
    const editor = await openFixture('slow_strlen.py');
    const doc = editor.document;
    const [before] = await waitForCode(doc.uri, 'PB204');
    const callLine = before.range.start.line;
    const coveredText = doc.getText(before.range);

    // One inserted line holding an astral character (two UTF-16 units) above the call.
    await insertAt(editor, new vscode.Position(lineOf(doc, 'def c_length'), 0), '# 🐍 décalage\n');
    const [moved] = await waitForCode(doc.uri, 'PB204', ([d]) => d.range.start.line === callLine + 1);
    assert.equal(doc.getText(moved.range), coveredText, 'the moved range still covers the same text');

    // Put the emoji on the call's own line, before the call: the range must shift by its UTF-16 length (2).
    const callPos = new vscode.Position(callLine + 1, doc.lineAt(callLine + 1).firstNonWhitespaceCharacterIndex);
    await insertAt(editor, callPos, '_ = "🐍"; ');
    const [shifted] = await waitForCode(
      doc.uri,
      'PB204',
      ([d]) => d.range.start.character === moved.range.start.character + '_ = "🐍"; '.length,
    );
    assert.equal(doc.getText(shifted.range), coveredText, 'UTF-16 columns after an emoji are right');

    await insertAt(editor, new vscode.Position(lineOf(doc, 'libc.strlen.argtypes') + 1, 0), 'libc.strlen.restype = ctypes.c_size_t\n');
    await waitForNoCode(doc.uri, 'PB204');
    assert.ok(withCode(doc.uri, 'PB101').length > 0, 'PB101 remains: the file still uses ctypes');
  });

  test('ordinary Python gets no diagnostics, and gains and loses them as ctypes comes and goes', async () => {
    const editor = await openFixture('plain.py');
    const doc = editor.document;
    // Prove the server analyses this document: add a real ctypes binding, wait for it to be flagged...
    await insertAt(editor, new vscode.Position(0, 0), 'import ctypes\nctypes.CDLL("libc.so.6").abs(-1)\n');
    await waitFor(`diagnostics on the edited plain.py (now: ${summary(doc.uri)})`, () => ours(doc.uri).length > 0);
    // ...then take it out again: a user's own lib/new/cast must leave no diagnostics behind.
    assert.ok(await editor.edit((b) => b.delete(new vscode.Range(0, 0, 2, 0))));
    await waitFor(`no diagnostics on plain.py (now: ${summary(doc.uri)})`, () => ours(doc.uri).length === 0);
  });
});
