import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { fixtureText, openUntitledPython, restoreEditors, waitFor } from './helpers';

suite('palette command', () => {
  teardown(restoreEditors);

  test('"PyPy: Convert ctypes to CFFI in This File" converts the active editor', async () => {
    const ext = vscode.extensions.getExtension('pypy-bindings.pypy-bindings');
    const contributed = (ext?.packageJSON.contributes?.commands ?? []) as { command: string; title: string; category?: string }[];
    const entry = contributed.find((c) => c.command === 'pypyBindings.convertFileToCffi');
    assert.ok(entry, 'the command is contributed');
    assert.equal(`${entry.category ? entry.category + ': ' : ''}${entry.title}`, 'PyPy: Convert ctypes to CFFI in This File');

    // An untitled copy, so the fixture on disk is never touched.
    const original = await fixtureText('convertible.py');
    const editor = await openUntitledPython(original);
    const doc = editor.document;
    await vscode.commands.executeCommand('pypyBindings.convertFileToCffi');
    const text = await waitFor('the command to rewrite the file', () => (doc.getText() !== original ? doc.getText() : undefined));
    assert.doesNotMatch(text, /\bctypes\b/, 'no ctypes left');
    assert.match(text, /ffi\.cdef\(/);
    assert.match(text, /size_t\s+strlen\s*\(/);
    assert.match(text, /long\s+labs\s*\(\s*long/);
    assert.match(text, /print\(lib\.strlen\(b"hello"\), lib\.labs\(-7\)\)|print\(\w+\.strlen\(b"hello"\), \w+\.labs\(-7\)\)/, 'calls kept, now through the cffi lib');
  });
});
