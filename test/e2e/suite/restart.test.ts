import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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

  test('a crashed server is restarted and analyses edits again', async () => {
    const editor = await openFixture('slow_strlen.py');
    const doc = editor.document;
    const [before] = await waitForCode(doc.uri, 'PB204');
    // the language server is a child of this extension host: `node …/dist/server.js lsp --stdio`
    const servers = execFileSync('pgrep', ['-f', 'dist/server.js lsp'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
    const mine = servers.filter((pid) => Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' }).trim()) === process.pid);
    assert.equal(mine.length, 1, `one server child of this extension host (found ${servers} for host ${process.pid})`);
    process.kill(mine[0]!, 'SIGKILL');
    await waitFor('a new server process', () => {
      const now = execFileSync('pgrep', ['-f', 'dist/server.js lsp'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
      return now.some((pid) => !servers.includes(pid));
    });
    await insertAt(editor, new vscode.Position(0, 0), '# after a crash\n');
    await waitForCode(doc.uri, 'PB204', ([d]) => d.range.start.line === before.range.start.line + 1);
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
