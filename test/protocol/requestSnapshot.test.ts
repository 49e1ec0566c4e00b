import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspClient } from './lspClient';

// A request computes on the text of the version it answers for. When the user types while the server waits
// for workspace/configuration, the answer is cancelled (ContentModified, -32801) rather than computed on
// one version's model and labelled with another's.

const SOURCE = [
  'import ctypes',
  'import ctypes.util',
  '',
  'libc = ctypes.CDLL(ctypes.util.find_library("c"))',
  'libc.strlen.argtypes = [ctypes.c_char_p]',
  'libc.strlen.restype = ctypes.c_size_t',
  'n = libc.strlen(b"hello")',
  'print(n)',
  '',
].join('\n');
const INSERTED = '# a comment typed while the server waited\nimport os\n';

function compiles(text: string): { ok: boolean; err: string } {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import sys; compile(sys.stdin.read(), "<converted>", "exec")'], { input: text, encoding: 'utf8' });
  return { ok: r.status === 0, err: r.stderr };
}

/** A session whose client answers workspace/configuration only when `release` is called. */
async function slowConfigurationSession() {
  const c = new LspClient();
  let release: () => void = () => undefined;
  let asked: () => void = () => undefined;
  const configurationAsked = new Promise<void>((r) => (asked = r));
  const answer = new Promise<void>((r) => (release = r));
  c.handlers.set('workspace/configuration', async (params: any) => {
    asked();
    await answer;
    return params.items.map(() => ({}));
  });
  await c.initialize({ pull: true, configuration: true });
  return { c, configurationAsked, release: () => release() };
}

test('codeAction while the user types during workspace/configuration: cancelled, then a correct versioned edit', async () => {
  const uri = 'file:///tmp/snapshot_codeaction.py';
  const { c, configurationAsked, release } = await slowConfigurationSession();
  try {
    c.open(uri, SOURCE, 1);
    const pending = c.request('textDocument/codeAction', {
      textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.convertToCffi'] },
    });
    await configurationAsked;
    c.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: INSERTED }]);
    release();
    await assert.rejects(pending, /^Error: -32801: /, 'the answer for version 1 is cancelled');
    // asked again, the server answers for version 2, and the edit applies cleanly to version 2's text
    const actions = await c.request('textDocument/codeAction', {
      textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.convertToCffi'] },
    });
    const change = actions[0]?.edit?.documentChanges?.find((d: any) => d.textDocument?.uri === uri);
    assert.ok(change, JSON.stringify(actions));
    assert.equal(change.textDocument.version, 2);
    const v2 = TextDocument.create(uri, 'python', 2, INSERTED + SOURCE);
    const converted = TextDocument.applyEdits(v2, change.edits);
    assert.match(converted, /^# a comment typed while the server waited\nimport os\n/);
    assert.match(converted, /ffi\.dlopen/);
    assert.ok(compiles(converted).ok, compiles(converted).err + converted);
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
  }
});

test('hover while the user types during workspace/configuration is cancelled, then answers for the new text', async () => {
  const uri = 'file:///tmp/snapshot_hover.py';
  const { c, configurationAsked, release } = await slowConfigurationSession();
  try {
    c.open(uri, SOURCE, 1);
    const strlenLine = SOURCE.split('\n').indexOf('n = libc.strlen(b"hello")');
    const position = { line: strlenLine, character: 10 };
    const pending = c.request('textDocument/hover', { textDocument: { uri }, position });
    await configurationAsked;
    c.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: INSERTED }]);
    release();
    await assert.rejects(pending, /^Error: -32801: /);
    const moved = { line: strlenLine + 2, character: 10 };
    const hover = await c.request('textDocument/hover', { textDocument: { uri }, position: moved });
    assert.ok(hover, 'a hover on strlen at its new line');
    assert.match(JSON.stringify(hover.contents), /strlen/);
    assert.equal(hover.range.start.line, moved.line);
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
  }
});
