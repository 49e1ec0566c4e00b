import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { GUIDE_CTYPES_SENTENCE, hoverText, insertAt, openFixture, positionOf, restoreEditors, waitFor, waitForCode } from './helpers';

suite('server lifecycle', () => {
  teardown(restoreEditors);

  test('pypyBindings.restartServer brings a working server back', async () => {
    const editor = await openFixture('slow_strlen.py');
    const doc = editor.document;
    const [before] = await waitForCode(doc.uri, 'PB204');
    const covered = doc.getText(before.range);
    await vscode.commands.executeCommand('pypyBindings.restartServer');
    // The new server must analyse fresh edits, not just leave old diagnostics on screen.
    await insertAt(editor, new vscode.Position(0, 0), '# after restart\n');
    const [after] = await waitForCode(doc.uri, 'PB204', ([d]) => d.range.start.line === before.range.start.line + 1);
    assert.equal(doc.getText(after.range), covered);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      doc.uri,
      positionOf(doc, 'import ctypes', 9),
    );
    assert.ok(hoverText(hovers).includes(GUIDE_CTYPES_SENTENCE), 'hovers work after the restart');
  });

  test('pypyBindings.showLogs shows the server log', async () => {
    await openFixture('slow_strlen.py');
    await waitFor('the extension to be active', () => vscode.extensions.getExtension('pypy-bindings.pypy-bindings')?.isActive);
    await vscode.commands.executeCommand('pypyBindings.showLogs');
    // A shown output channel is exposed to extensions as a document with the "output" scheme.
    const shown = await waitFor('the PyPy Bindings output channel', () =>
      vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && /PyPy Bindings/.test(decodeURIComponent(d.uri.toString()))),
    );
    assert.doesNotMatch(decodeURIComponent(shown.uri.toString()), /Trace/, 'the server log, not the LSP trace');
  });
});
