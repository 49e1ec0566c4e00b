import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openUntitledPython, restoreEditors, waitFor } from './helpers';

function labelOf(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

function bodyOf(item: vscode.CompletionItem): string {
  const t = item.insertText;
  return t === undefined ? '' : typeof t === 'string' ? t : t.value;
}

suite('snippets', () => {
  teardown(restoreEditors);

  test('typing "pypy" offers the pypy- snippets, one per binding style', async () => {
    const editor = await openUntitledPython('pypy');
    const at = new vscode.Position(0, 4);
    const items = await waitFor('pypy- completions', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>(
        'vscode.executeCompletionItemProvider',
        editor.document.uri,
        at,
      );
      const ours = list.items.filter((i) => labelOf(i).startsWith('pypy-'));
      return ours.length > 0 ? ours : undefined;
    });
    const labels = items.map(labelOf);
    assert.equal(new Set(labels).size, labels.length, `labels are unique: ${labels.join(', ')}`);
    assert.ok(items.length >= 5, `at least five pypy- snippets (got ${labels.join(', ')})`);
    assert.ok(items.every((i) => i.kind === vscode.CompletionItemKind.Snippet), 'they are snippets');
    const bodies = items.map(bodyOf);
    assert.ok(bodies.some((b) => /ffi\.cdef\(/.test(b) && /dlopen\(/.test(b)), 'a cffi ABI snippet with cdef and dlopen');
    assert.ok(bodies.some((b) => /set_source\(/.test(b)), 'a cffi API (set_source) snippet');
    assert.ok(bodies.some((b) => /restype/.test(b) && /argtypes/.test(b)), 'a ctypes snippet declaring argtypes and restype');
    assert.ok(bodies.some((b) => /cppyy/.test(b)), 'a cppyy snippet');
  });
});
