import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LspClient, applyTextEdits } from './lspClient';

/** Applies LSP TextEdits (one document) to a text, last first, as an editor does. */
function docEdits(action: any, uri: string): { version: number | null; edits: any[] } {
  const change = action.edit.documentChanges.find((c: any) => c.textDocument?.uri === uri);
  assert.ok(change, `the action edits ${uri}`);
  return { version: change.textDocument.version, edits: change.edits };
}

const SOURCE = [
  'import ctypes',
  'import ctypes.util',
  '',
  'libc = ctypes.CDLL(ctypes.util.find_library("c"))',
  'libc.strlen.argtypes = [ctypes.c_char_p]',
  'n = libc.strlen(b"hello")',
  'print(n)',
  '',
].join('\n');

async function session(text: string, uri: string) {
  const c = new LspClient();
  await c.initialize({ pull: true });
  c.open(uri, text, 7);
  const report = await c.request('textDocument/diagnostic', { textDocument: { uri } });
  return { c, diagnostics: report.items as any[] };
}

test('PB204 quick fix writes the missing restype, as a versioned edit', async () => {
  const uri = 'file:///tmp/ca_restype.py';
  const { c, diagnostics } = await session(SOURCE, uri);
  try {
    const pb204 = diagnostics.find((d) => d.code === 'PB204');
    assert.ok(pb204, JSON.stringify(diagnostics));
    const actions = await c.request('textDocument/codeAction', { textDocument: { uri }, range: pb204.range, context: { diagnostics: [pb204], only: ['quickfix'] } });
    const fix = actions.find((a: any) => /restype/.test(a.title));
    assert.ok(fix, `restype fix offered: ${actions.map((a: any) => a.title)}`);
    const { version, edits } = docEdits(fix, uri);
    assert.equal(version, 7, 'the edit carries the document version');
    const after = applyTextEdits(SOURCE, edits);
    assert.match(after, /libc\.strlen\.restype = ctypes\.c_size_t/);
    assert.equal(after.replace(/^libc\.strlen\.restype = .*\n/m, ''), SOURCE, 'nothing else changes');
    // the fixed text no longer has the finding
    c.change(uri, 8, [{ text: after }]);
    const again = await c.request('textDocument/diagnostic', { textDocument: { uri } });
    assert.ok(!again.items.some((d: any) => d.code === 'PB204'));
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
  }
});

test('"Disable PB101 for this line" appends a noqa comment and silences it', async () => {
  const uri = 'file:///tmp/ca_noqa.py';
  const { c, diagnostics } = await session(SOURCE, uri);
  try {
    const pb101 = diagnostics.find((d) => d.code === 'PB101');
    assert.ok(pb101);
    const actions = await c.request('textDocument/codeAction', { textDocument: { uri }, range: pb101.range, context: { diagnostics: [pb101] } });
    const disable = actions.find((a: any) => a.title === 'Disable PB101 for this line');
    assert.ok(disable, actions.map((a: any) => a.title).join(' | '));
    const after = applyTextEdits(SOURCE, docEdits(disable, uri).edits);
    assert.ok(after.split('\n')[pb101.range.start.line].endsWith('# noqa: PB101'));
    c.change(uri, 8, [{ text: after }]);
    const again = await c.request('textDocument/diagnostic', { textDocument: { uri } });
    assert.ok(!again.items.some((d: any) => d.code === 'PB101'));
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
  }
});

test('the conversion quick fix and the source action rewrite the file as cffi', async () => {
  const uri = 'file:///tmp/ca_convert.py';
  const { c, diagnostics } = await session(SOURCE, uri);
  try {
    const pb101 = diagnostics.find((d) => d.code === 'PB101');
    const quick = await c.request('textDocument/codeAction', { textDocument: { uri }, range: pb101.range, context: { diagnostics: [pb101], only: ['quickfix'] } });
    const convert = quick.find((a: any) => /Convert libc's bindings to CFFI/.test(a.title));
    assert.ok(convert, quick.map((a: any) => a.title).join(' | '));
    const converted = applyTextEdits(SOURCE, docEdits(convert, uri).edits);
    assert.match(converted, /ffi\.cdef\(/);
    assert.match(converted, /int strlen\(char \*\);/, "restype missing: declared int, as ctypes returned");
    assert.match(converted, /libc = ffi\.dlopen\(/);
    assert.doesNotMatch(converted, /ctypes\.CDLL/);

    const source = await c.request('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.convertToCffi'] } });
    assert.equal(source.length, 1);
    assert.equal(source[0].kind, 'source.convertToCffi');
    const whole = applyTextEdits(SOURCE, docEdits(source[0], uri).edits);
    assert.equal(whole, converted, 'one engine: the same result both ways for a one-library file');
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
  }
});

test('the palette command applies a versioned workspace edit through workspace/applyEdit', async () => {
  const uri = 'file:///tmp/ca_command.py';
  const { c } = await session(SOURCE, uri);
  let applied: any;
  c.handlers.set('workspace/applyEdit', (params: any) => {
    applied = params;
    return { applied: true };
  });
  try {
    const result = await c.request('workspace/executeCommand', { command: 'pypyBindings.server.convertFile', arguments: [{ uri }] });
    assert.equal(result.applied, true, JSON.stringify(result));
    const { version, edits } = docEdits(applied, uri);
    assert.equal(version, 7);
    assert.match(applyTextEdits(SOURCE, edits), /from cffi import FFI/);
    const nothing = await c.request('workspace/executeCommand', { command: 'pypyBindings.server.convertFile', arguments: [{ uri: 'file:///not/open.py' }] });
    assert.equal(nothing.applied, false);
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
  }
});

test('clients with codeAction/resolve get the conversion edit only when they resolve it, identical to the eager one', async () => {
  const uri = 'file:///tmp/ca_resolve.py';
  const eager = await session(SOURCE, uri);
  const lazy = new LspClient();
  try {
    const init = await lazy.initialize({ pull: true, resolve: true });
    assert.equal(init.capabilities.codeActionProvider.resolveProvider, true);
    lazy.open(uri, SOURCE, 7);
    const diags = (await lazy.request('textDocument/diagnostic', { textDocument: { uri } })).items;
    const pb101 = diags.find((d: any) => d.code === 'PB101');
    const params = { textDocument: { uri }, range: pb101.range, context: { diagnostics: [pb101], only: ['quickfix'] } };
    const offered = (await lazy.request('textDocument/codeAction', params)).find((a: any) => /bindings to CFFI/.test(a.title));
    assert.ok(offered && !offered.edit && offered.data, 'offered without an edit');
    const resolved = await lazy.request('codeAction/resolve', offered);
    const expected = (await eager.c.request('textDocument/codeAction', params)).find((a: any) => /bindings to CFFI/.test(a.title));
    assert.deepEqual(resolved.edit, expected.edit);
    // after an edit the old action resolves to nothing rather than a stale rewrite
    lazy.change(uri, 8, [{ range: { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } }, text: '# note\n' }]);
    const stale = await lazy.request('codeAction/resolve', offered);
    assert.equal(stale.edit, undefined);
    assert.equal(await lazy.shutdown(), 0);
    assert.equal(await eager.c.shutdown(), 0);
  } finally {
    lazy.kill();
    eager.c.kill();
  }
});
