// A cdef's declarations as the editor meets them, over the real server: a function declared right after a
// `#define NAME ...` line, or inside an `extern "Python" { ... }` block, is one the hover knows and the rules
// see declared (the cdef is read once, by the cffi-language parse; tree-sitter-c used to lose both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LspClient } from './lspClient';

const SOURCE = `import cffi

ffi = cffi.FFI()
ffi.cdef("""
    #define BUF_SIZE ...
    int after_define(int a);
    enum mode { MODE_A = ..., MODE_B = ... };
    extern "Python" {
        int on_event(int code);
    }
    int plain(void);
""")
lib = ffi.dlopen("libfoo.so")
r = lib.after_define(1)
s = lib.plain()
m = lib.MODE_B
`;

function positionOf(text: string, needle: string, delta = 0): { line: number; character: number } {
  const at = text.indexOf(needle) + delta;
  assert.ok(at >= delta, `${needle} not in text`);
  const before = text.slice(0, at);
  return { line: before.split('\n').length - 1, character: at - (before.lastIndexOf('\n') + 1) };
}

test('hovers and diagnostics see the declarations after `#define NAME ...` and in `extern "Python" { }`', async () => {
  const c = new LspClient();
  try {
    await c.initialize();
    const uri = 'file:///tmp/cdef_declarations.py';
    c.open(uri, SOURCE);
    const published = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri);
    // the three `...` need API mode (PB303, dlopen here); nothing else is reported
    assert.deepEqual(published.diagnostics.map((d: { code: string }) => d.code), ['PB303', 'PB303', 'PB303']);
    const hover = async (needle: string, delta: number) =>
      (await c.request('textDocument/hover', { textDocument: { uri }, position: positionOf(SOURCE, needle, delta) })) as { contents: { value: string } } | null;
    const after = await hover('lib.after_define', 5);
    assert.ok(after, 'hover on lib.after_define');
    assert.match(after.contents.value, /int after_define\(int a\);[\s\S]*line 6\./);
    const plain = await hover('lib.plain', 5);
    assert.ok(plain, 'hover on lib.plain');
    assert.match(plain.contents.value, /int plain\(void\);[\s\S]*line 11\./);
    // the block's function is an extern "Python" one: the hover on its name says how to define it
    const onEvent = await hover('on_event', 2);
    assert.ok(onEvent, 'hover on on_event');
    assert.match(onEvent.contents.value, /int on_event\(int code\);[\s\S]*line 9\.[\s\S]*`@ffi\.def_extern\(\)`/);
    const mode = await hover('lib.MODE_B', 5);
    assert.ok(mode, 'hover on lib.MODE_B');
    assert.match(mode.contents.value, /MODE_B/);
  } finally {
    await c.shutdown().catch(() => c.kill());
  }
});
