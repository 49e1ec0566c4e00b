import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspClient } from './lspClient';

// Edits and texts a client may send that the server must survive and stay consistent on: ranges past the
// end (clamped as editors clamp them), reversed or malformed ranges (rejected, logged), literals Python
// accepts but JavaScript cannot decode, and expressions nested thousands of levels deep.

const SOURCE = [
  'import ctypes',
  'libc = ctypes.CDLL(None)',
  'libc.strlen.argtypes = [ctypes.c_char_p]',
  'n = libc.strlen(b"hello")',
  '',
].join('\n');

async function pull(c: LspClient, uri: string): Promise<any[]> {
  return (await c.request('textDocument/diagnostic', { textDocument: { uri } })).items;
}

/** The server's diagnostics for a text opened fresh, under a new URI. */
let fresh = 0;
async function freshDiagnostics(c: LspClient, text: string): Promise<any[]> {
  const uri = `file:///tmp/fresh_${++fresh}.py`;
  c.open(uri, text);
  const items = await pull(c, uri);
  c.notify('textDocument/didClose', { textDocument: { uri } });
  return items;
}

async function session(fn: (c: LspClient) => Promise<void>): Promise<void> {
  const c = new LspClient();
  try {
    await c.initialize({ pull: true });
    await fn(c);
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
  }
}

test('ranges past the end of a line or of the document are clamped as editors clamp them', () =>
  session(async (c) => {
    const uri = 'file:///tmp/past_end.py';
    let model = TextDocument.create(uri, 'python', 1, SOURCE);
    c.open(uri, SOURCE);
    const changes = [
      { range: { start: { line: 40, character: 0 }, end: { line: 41, character: 3 } }, text: 'm = libc.strlen(b"x")\n' },
      { range: { start: { line: 0, character: 999 }, end: { line: 0, character: 1000 } }, text: '  # ctypes' },
      { range: { start: { line: 3, character: 200 }, end: { line: 99, character: 0 } }, text: '\nk = libc.strlen(b"y")\n' },
    ];
    let version = 1;
    for (const change of changes) {
      c.change(uri, ++version, [change]);
      model = TextDocument.update(model, [change], version);
      const got = await pull(c, uri);
      for (const d of got) assert.ok(Number.isInteger(d.range.start.character) && Number.isInteger(d.range.end.character), JSON.stringify(d.range));
      assert.deepEqual(got, await freshDiagnostics(c, model.getText()), `after ${JSON.stringify(change.range)}: incremental equals fresh`);
    }
    assert.equal(model.getText().match(/libc\.strlen\(/g)?.length, 2, 'the insertions landed where an editor puts them');
    assert.ok((await pull(c, uri)).some((d) => d.code === 'PB204'));
  }));

test('a reversed or malformed range is rejected with a logged error; the document stays as it was', () =>
  session(async (c) => {
    const uri = 'file:///tmp/reversed.py';
    c.open(uri, SOURCE);
    const before = await pull(c, uri);
    c.change(uri, 2, [{ range: { start: { line: 3, character: 10 }, end: { line: 1, character: 2 } }, text: 'x = (' }]);
    c.change(uri, 3, [{ range: { start: { line: 3, character: 5 }, end: { line: 3, character: 1 } }, text: '"""' }]);
    c.change(uri, 4, [{ range: { start: { line: -1, character: 0 }, end: { line: 0, character: 1 } }, text: '(' }]);
    c.change(uri, 5, [{ range: { start: { line: 0, character: 1.5 }, end: { line: 0 } }, text: '(' }]);
    await c.waitFor('window/logMessage', (p) => p.type === 1 && /reversed\.py v5 .*malformed range/.test(p.message));
    const errors = c.notifications.filter((n) => n.method === 'window/logMessage' && n.params.type === 1).map((n) => n.params.message as string);
    for (const [v, why] of [[2, 'reversed'], [3, 'reversed'], [4, 'malformed'], [5, 'malformed']] as const) {
      assert.ok(errors.some((m) => m.includes(`reversed.py v${v} `) && m.includes(`${why} range`)), `v${v} logged as ${why}: ${errors.join('\n')}`);
    }
    assert.deepEqual(await pull(c, uri), before, 'no change was applied');
    // and the document still follows valid edits exactly
    const model = TextDocument.update(TextDocument.create(uri, 'python', 5, SOURCE), [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: 'q = libc.strlen(b"z")\n' }], 6);
    c.change(uri, 6, [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: 'q = libc.strlen(b"z")\n' }]);
    assert.deepEqual(await pull(c, uri), await freshDiagnostics(c, model.getText()));
  }));

test('a b"\\UFFFFFFFF" literal (valid Python) does not stop diagnostics or hovers', () =>
  session(async (c) => {
    const uri = 'file:///tmp/ulit.py';
    const text = SOURCE + 'm = libc.strlen(b"\\UFFFFFFFF")\ns = "\\U0001F600"\nfrom cffi import FFI\nffi = FFI()\nffi.cdef("int f(char *); \\U0010FFFF")\n';
    c.open(uri, text);
    const items = await pull(c, uri);
    assert.ok(items.some((d) => d.code === 'PB204'), JSON.stringify(items));
    assert.ok(items.some((d) => d.code === 'PB301' && d.range.start.line === 8), 'the cdef is checked, its astral character placed');
    const hover = await c.request('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 9 } });
    assert.match(JSON.stringify(hover?.contents ?? ''), /strlen/);
    assert.ok(!c.notifications.some((n) => n.method === 'window/logMessage' && n.params.type === 1), 'nothing failed');
  }));

test('an expression 3,000 levels deep: no diagnostics, a logged message, and the server goes on', () =>
  session(async (c) => {
    const uri = 'file:///tmp/deep.py';
    c.open(uri, `${SOURCE}x = ${'('.repeat(3000)}1${')'.repeat(3000)}\n`);
    assert.deepEqual(await pull(c, uri), []);
    const logged = await c.waitFor('window/logMessage', (p) => /nested too deeply/.test(p.message));
    assert.equal(logged.type, 2, 'a warning, not an error');
    // the file recovers when the nesting goes away
    c.change(uri, 2, [{ text: SOURCE }]);
    assert.ok((await pull(c, uri)).some((d) => d.code === 'PB204'));
  }));

test('code actions on a CRLF document write CRLF lines (conversion, fixes, noqa)', () =>
  session(async (c) => {
    const uri = 'file:///tmp/crlf_actions.py';
    const text = SOURCE.replace(/\n/g, '\r\n');
    c.open(uri, text);
    const pb204 = (await pull(c, uri)).find((d) => d.code === 'PB204');
    assert.ok(pb204);
    const actions = [
      ...(await c.request('textDocument/codeAction', { textDocument: { uri }, range: pb204.range, context: { diagnostics: [pb204] } })),
      ...(await c.request('textDocument/codeAction', { textDocument: { uri }, range: pb204.range, context: { diagnostics: [], only: ['source.convertToCffi'] } })),
    ];
    const convert = actions.find((a: any) => a.kind === 'source.convertToCffi');
    assert.ok(convert && actions.length >= 3, actions.map((a: any) => a.title).join(', '));
    for (const a of actions) {
      const change = a.edit.documentChanges.find((d: any) => d.textDocument?.uri === uri);
      const after = TextDocument.applyEdits(TextDocument.create(uri, 'python', 1, text), change.edits);
      assert.equal(after.replace(/\r\n/g, '').search(/[\r\n]/), -1, `${a.title}: every line ends in CRLF`);
    }
    const converted = TextDocument.applyEdits(TextDocument.create(uri, 'python', 1, text), convert.edit.documentChanges[0].edits);
    assert.match(converted, /ffi\.dlopen/);
    const py = spawnSync('/usr/bin/python3', ['-c', 'import sys; compile(sys.stdin.buffer.read(), "<converted>", "exec")'], { input: converted });
    assert.equal(py.status, 0, String(py.stderr));
  }));
