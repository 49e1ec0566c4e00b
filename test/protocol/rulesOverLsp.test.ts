import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LspClient } from './lspClient';

/** Diagnostics of the rules added for issue 11, published by the real server over stdio. */
const SOURCE = [
  'import ctypes, cffi',
  'ffi = cffi.FFI()',
  'ffi.cdef("""',
  'typedef ... opaque_t;',
  'typedef struct { int a; ...; } part_t;',
  '#define N ...',
  'int add(int a int b);',
  '""")',
  'ffi.set_source("_x", "")',
  'lib = ffi.dlopen(None)',
  'libc = ctypes.CDLL(None)',
  'buf = b"\\0" * 64',
  'libc.strcpy(buf, b"hello")',
  'libc.strlen(ffi.new("char[]", b"abc"))',
  'libc.register(id(buf))',
  '',
].join('\n');

test('PB301 (C wording, at the spot), PB207, PB312 and PB203 reach the client as one-line diagnostics', async () => {
  const c = new LspClient();
  try {
    await c.initialize();
    const uri = 'file:///tmp/protocol_rules11.py';
    c.open(uri, SOURCE, 1);
    const pub = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 1);
    const byCode = (code: string) => pub.diagnostics.filter((d: any) => d.code === code);
    const lines = SOURCE.split('\n');
    const pb301 = byCode('PB301');
    assert.equal(pb301.length, 1, JSON.stringify(pub.diagnostics));
    assert.equal(pb301[0].message, 'expected `,` before `int`');
    assert.equal(pb301[0].range.start.line, 6);
    assert.equal(lines[6]!.slice(pb301[0].range.start.character, pb301[0].range.end.character), 'int');
    assert.equal(byCode('PB306').length, 0);
    assert.deepEqual(byCode('PB207').map((d: any) => d.range.start.line), [12]);
    assert.deepEqual(byCode('PB312').map((d: any) => d.range.start.line), [13]);
    assert.deepEqual(byCode('PB203').map((d: any) => d.range.start.line), [14]);
    for (const d of pub.diagnostics) {
      assert.ok(!d.message.includes('\n') && d.message.length <= 100, d.message);
    }
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
  }
});
