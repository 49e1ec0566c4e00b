// The editor features across files, over the real server with a workspace folder: an out-of-line cffi module
// (`from _geom import ffi, lib`) answered from its build script (closed, then open), and a ctypes library
// answered from its installed header (libmagic-dev's magic.h, scripts/system-deps.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from './lspClient';

const BUILD = `from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("""
    struct vec { double x, y; };
    double norm(const struct vec *v);
    int scale(struct vec *v, double k, ...);
    extern int vectors_made;
""")
ffibuilder.set_source("_geom", '#include "geom.h"', libraries=["geom"])

if __name__ == "__main__":
    ffibuilder.compile()
`;

const USER = `from _geom import ffi, lib

v = ffi.new("struct vec *", {"x": 3.0, "y": 4.0})
print(lib.norm(v))
lib.scale(v, 2.0, 
lib.nosuch
lib.
`;

const MAGIC = `import ctypes
import ctypes.util

libmagic = ctypes.CDLL(ctypes.util.find_library("magic"))
cookie = libmagic.magic_open(0)
libmagic.magic_load(cookie, None)
libmagic.magic_file.restype = 
libmagic.magic_
`;

function positionOf(text: string, needle: string, delta = 0): { line: number; character: number } {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} not in text`);
  const before = text.slice(0, at + delta);
  return { line: before.split('\n').length - 1, character: before.length - (before.lastIndexOf('\n') + 1) };
}
const after = (text: string, needle: string) => positionOf(text, needle, needle.length);

async function workspace(fn: (c: LspClient, uris: { build: string; user: string; magic: string }, dir: string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-editor-ws-'));
  fs.writeFileSync(path.join(dir, '_build_geom.py'), BUILD);
  fs.writeFileSync(path.join(dir, 'geom.py'), USER);
  fs.writeFileSync(path.join(dir, 'magic_id.py'), MAGIC);
  const uris = { build: pathToFileURL(path.join(dir, '_build_geom.py')).href, user: pathToFileURL(path.join(dir, 'geom.py')).href, magic: pathToFileURL(path.join(dir, 'magic_id.py')).href };
  const c = new LspClient();
  try {
    const indexed = c.waitFor('window/logMessage', (p) => /indexed \d+ Python files/.test(p.message), 30_000);
    await c.initialize({ rootUri: pathToFileURL(dir).href });
    await indexed;
    await fn(c, uris, dir);
    assert.doesNotMatch(c.stderr.join(''), /failed:/);
  } finally {
    await c.shutdown().catch(() => c.kill());
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const labels = (r: { items: { label: string }[] } | null) => r?.items.map((i) => i.label) ?? [];

test('an out-of-line module: lib. completion, signature help, definition and hover come from the build script in the workspace', async () => {
  await workspace(async (c, uris) => {
    c.open(uris.user, USER);
    const t = USER;
    // the build script is closed: read from disk
    const members = await c.request('textDocument/completion', { textDocument: { uri: uris.user }, position: after(t, 'lib.nosuch\nlib.') });
    assert.deepEqual(labels(members).sort(), ['norm', 'scale', 'vectors_made']);
    assert.match(members.items.find((i: { label: string }) => i.label === 'norm').documentation.value, /_build_geom\.py`, line 6/);
    const types = await c.request('textDocument/completion', { textDocument: { uri: uris.user }, position: positionOf(t, 'struct vec *"', 'struct v'.length) });
    assert.deepEqual(labels(types), ['struct vec']);

    const sig = await c.request('textDocument/signatureHelp', { textDocument: { uri: uris.user }, position: after(t, 'lib.scale(v, 2.0, ') });
    assert.equal(sig.signatures[0].label, 'int scale(struct vec *v, double k, ...)');
    assert.equal(sig.activeParameter, 2);

    const def = await c.request('textDocument/definition', { textDocument: { uri: uris.user }, position: positionOf(t, 'lib.norm', 5) });
    assert.deepEqual(def, [{ uri: uris.build, range: { start: positionOf(BUILD, 'norm('), end: positionOf(BUILD, 'norm(', 4) } }]);
    const tag = await c.request('textDocument/definition', { textDocument: { uri: uris.user }, position: positionOf(t, 'vec *"', 1) });
    assert.deepEqual(tag, [{ uri: uris.build, range: { start: positionOf(BUILD, 'vec {'), end: positionOf(BUILD, 'vec {', 3) } }]);
    assert.equal(await c.request('textDocument/definition', { textDocument: { uri: uris.user }, position: positionOf(t, 'lib.nosuch', 5) }), null);

    const hover = await c.request('textDocument/hover', { textDocument: { uri: uris.user }, position: positionOf(t, 'lib.norm', 5) });
    assert.match(hover.contents.value, /```c\ndouble norm\(const struct vec \*v\);\n```/);
    assert.match(hover.contents.value, /compiled module `_geom`, declared in the cdef of its build script \[_build_geom\.py\]\(file:[^)]*_build_geom\.py#L6\), line 6/);

    // open the build script and edit it: the answers follow the open text, not the disk
    c.open(uris.build, BUILD.replace('extern int vectors_made;', 'extern int vectors_made;\n    int dot(const struct vec *a, const struct vec *b);'));
    const again = await c.request('textDocument/completion', { textDocument: { uri: uris.user }, position: after(t, 'lib.nosuch\nlib.') });
    assert.deepEqual(labels(again).sort(), ['dot', 'norm', 'scale', 'vectors_made']);
  });
});

test('a ctypes library: completion, signature help and definition from its installed header', async () => {
  await workspace(async (c, uris) => {
    c.open(uris.magic, MAGIC);
    const t = MAGIC;
    const fns = await c.request('textDocument/completion', { textDocument: { uri: uris.magic }, position: after(t, 'libmagic.magic_') });
    const l = labels(fns);
    for (const want of ['magic_open', 'magic_load', 'magic_file', 'magic_close', 'magic_buffer', 'magic_error']) assert.ok(l.includes(want), `${want} in ${l.slice(0, 20).join(',')}`);
    assert.equal(fns.items.find((i: { label: string }) => i.label === 'magic_buffer').detail, 'const char *magic_buffer(magic_t, const void *, size_t);');

    const restype = await c.request('textDocument/completion', { textDocument: { uri: uris.magic }, position: after(t, 'libmagic.magic_file.restype = ') });
    assert.deepEqual(labels(restype), ['ctypes.c_char_p']);

    const sig = await c.request('textDocument/signatureHelp', { textDocument: { uri: uris.magic }, position: after(t, 'libmagic.magic_load(cookie, ') });
    assert.equal(sig.signatures[0].label, 'int magic_load(magic_t, const char *)');
    assert.equal(sig.activeParameter, 1);

    const def = await c.request('textDocument/definition', { textDocument: { uri: uris.magic }, position: positionOf(t, 'libmagic.magic_open', 10) });
    assert.equal(def.length, 1);
    assert.equal(def[0].uri, pathToFileURL('/usr/include/magic.h').href);
    const header = fs.readFileSync('/usr/include/magic.h', 'utf8').split('\n');
    assert.match(header[def[0].range.start.line], /magic_open\(/);
  });
});

test('a cffi lib function its cdef lacks: signature help and definition from the header of the library dlopen() opens', async () => {
  await workspace(async (c, _uris, dir) => {
    const text = `from cffi import FFI\nffi = FFI()\nffi.cdef("typedef void *magic_t; magic_t magic_open(int);")\nlib = ffi.dlopen("libmagic.so.1")\ncookie = lib.magic_open(0)\nlib.magic_load(cookie, \n`;
    const uri = pathToFileURL(path.join(dir, 'abi_magic.py')).href;
    c.open(uri, text);
    const declared = await c.request('textDocument/definition', { textDocument: { uri }, position: positionOf(text, 'lib.magic_open', 5) });
    assert.deepEqual(declared, [{ uri, range: { start: positionOf(text, 'magic_open(int'), end: positionOf(text, 'magic_open(int', 10) } }], 'the cdef first');
    const fromHeader = await c.request('textDocument/definition', { textDocument: { uri }, position: positionOf(text, 'lib.magic_load', 5) });
    assert.equal(fromHeader?.[0]?.uri, pathToFileURL('/usr/include/magic.h').href);
    assert.match(fs.readFileSync('/usr/include/magic.h', 'utf8').split('\n')[fromHeader[0].range.start.line], /magic_load\(/);
    const sig = await c.request('textDocument/signatureHelp', { textDocument: { uri }, position: after(text, 'lib.magic_load(cookie, ') });
    assert.equal(sig.signatures[0].label, 'int magic_load(magic_t, const char *)');
    assert.match(sig.signatures[0].documentation.value, /not declared in the cdef of `ffi`/);
  });
});
