// Completion, signature help, go to definition and document symbols over the real server (stdio), on a cffi
// ABI file, a cffi API build script and a ctypes file: positions inside strings, half-typed code, and names
// the bindings do not know (no answer, no error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LspClient } from './lspClient';

/** LSP position (UTF-16) of the n-th occurrence of `needle` plus `delta`, computed independently of the server. */
function positionOf(text: string, needle: string, nth = 0, delta = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} not in text`);
  at += delta;
  const before = text.slice(0, at);
  return { line: before.split('\n').length - 1, character: at - (before.lastIndexOf('\n') + 1) };
}
/** The position just after `needle`. */
const after = (text: string, needle: string, nth = 0) => positionOf(text, needle, nth, needle.length);

// non-ASCII before the bindings on purpose: positions are UTF-16 code units
export const CFFI_ABI = `import cffi  # π ≈ 3.14
ffi = cffi.FFI()
ffi.cdef("""
    typedef struct point { int x; int y; } point_t;
    enum color { RED, GREEN };
    int add(int a, int b);
    int printf(const char *fmt, ...);
    extern int counter;
""")
lib = ffi.dlopen("libfoo.so")
p = ffi.new("struct point *")
q = ffi.cast("point_t *", 0)
n = ffi.sizeof("")
r = lib.add(1, 2)
lib.printf(b"%d %d", 1, 2)
print("lib.", other.x)  # lib.
lib.ad
`;

export const CFFI_BUILD = `from cffi import FFI
ffibuilder = FFI()
ffibuilder.cdef("""
    struct vec { double x, y; };
    double norm(struct vec *v);
    extern "Python" int visit(int);
""")
ffibuilder.set_source("_vec", '#include "vec.h"')
size = ffibuilder.sizeof("struct vec")
`;

export const CTYPES = `import ctypes
libc = ctypes.CDLL("libc.so.6")
libc.strlen.argtypes = [ctypes.c_char_p]
libc.strlen.restype = ctypes.c_size_t

class Point(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("next", ctypes.POINTER(ctypes.c_char))]

PP = ctypes.POINTER(Point)
n = libc.strlen(b"abc")
libc.printf(b"%d", n)
libc.abs.restype = 
libc.strtol.argtypes = 
libc.nosuchfunction.restype = 
mystery.strlen(b"x")
libc.st
`;

const URIS = { abi: 'file:///tmp/ef_abi.py', build: 'file:///tmp/ef_build.py', ctypes: 'file:///tmp/ef_ctypes.py' };

async function withServer(fn: (c: LspClient) => Promise<void>, init: Parameters<LspClient['initialize']>[0] = {}): Promise<void> {
  const c = new LspClient();
  try {
    const result = await c.initialize(init);
    assert.ok(result.capabilities.completionProvider, 'completion announced');
    assert.ok(result.capabilities.signatureHelpProvider?.triggerCharacters.includes('('), 'signature help announced');
    assert.equal(result.capabilities.definitionProvider, true);
    assert.ok(result.capabilities.documentSymbolProvider);
    c.open(URIS.abi, CFFI_ABI);
    c.open(URIS.build, CFFI_BUILD);
    c.open(URIS.ctypes, CTYPES);
    await fn(c);
    assert.equal(c.stderr.join('').match(/failed:/)?.length ?? 0, 0, `no handler failed: ${c.stderr.join('')}`);
  } finally {
    await c.shutdown().catch(() => c.kill());
  }
}

type Item = { label: string; detail?: string; kind?: number; textEdit?: { range: { start: unknown; end: unknown }; newText: string } };
const complete = async (c: LspClient, uri: string, position: unknown) => {
  const r = await c.request('textDocument/completion', { textDocument: { uri }, position });
  return r as { items: Item[] } | null;
};
const labels = (r: { items: Item[] } | null) => r?.items.map((i) => i.label) ?? [];
const signature = (c: LspClient, uri: string, position: unknown) => c.request('textDocument/signatureHelp', { textDocument: { uri }, position });
const definition = (c: LspClient, uri: string, position: unknown) => c.request('textDocument/definition', { textDocument: { uri }, position });

test('completion: lib members from the cdef, type names inside type strings; nothing for unknown objects, other strings and comments', async () => {
  await withServer(async (c) => {
    const t = CFFI_ABI;
    const members = await complete(c, URIS.abi, after(t, 'lib.ad'));
    assert.deepEqual(labels(members).sort(), ['GREEN', 'RED', 'add', 'counter', 'printf']);
    const add = members!.items.find((i) => i.label === 'add')!;
    assert.equal(add.detail, 'int add(int a, int b);');
    assert.equal(add.kind, 3, 'a Function');
    // the edit replaces the half-typed word
    assert.deepEqual(add.textEdit!.range, { start: positionOf(t, 'lib.ad', 0, 4), end: after(t, 'lib.ad') });
    assert.equal(members!.items.find((i) => i.label === 'RED')!.detail, 'enum color: RED');

    // inside ffi.new("…"): declared types first, then cffi's predefined ones
    const inNew = await complete(c, URIS.abi, positionOf(t, 'struct point *"', 0, 0));
    assert.ok(inNew);
    const l = labels(inNew);
    for (const want of ['struct point', 'point_t', 'enum color', 'int', 'size_t', 'uint8_t']) assert.ok(l.includes(want), `${want} in ${l.join(',')}`);
    assert.ok(!l.includes('HANDLE'), 'Windows types are left out');
    // after `struct `, only struct tags, and the edit covers `struct po`
    const tag = await complete(c, URIS.abi, positionOf(t, 'struct point *"', 0, 'struct po'.length));
    assert.deepEqual(labels(tag), ['struct point']);
    assert.deepEqual(tag!.items[0]!.textEdit!.range, { start: positionOf(t, 'struct point *"'), end: positionOf(t, 'struct point *"', 0, 9) });
    assert.ok(labels(await complete(c, URIS.abi, positionOf(t, 'point_t *"', 0, 3))).includes('point_t'), 'ffi.cast type string');
    assert.ok(labels(await complete(c, URIS.abi, after(t, 'ffi.sizeof("'))).includes('struct point'), 'empty ffi.sizeof string');

    // not ours: a plain string, a comment, an unknown object, a cdef string
    assert.equal(await complete(c, URIS.abi, after(t, 'print("lib.')), null);
    assert.equal(await complete(c, URIS.abi, after(t, '# lib.')), null);
    assert.equal(await complete(c, URIS.abi, after(t, 'other.')), null);
    assert.equal(await complete(c, URIS.abi, after(t, 'int ad')), null);
  });
});

test('completion for ctypes: the library\'s declared and header functions; restype/argtypes values from the prototype', async () => {
  await withServer(async (c) => {
    const t = CTYPES;
    const fns = await complete(c, URIS.ctypes, after(t, 'libc.st'));
    const l = labels(fns);
    assert.equal(l[0], 'strlen', 'the function this file declares comes first');
    assert.equal(fns!.items[0]!.detail, 'size_t strlen(char *);', 'what its argtypes/restype say');
    for (const want of ['strcmp', 'strtol', 'printf', 'abs']) assert.ok(l.includes(want), want);
    assert.ok(!l.includes('st'), 'the half-typed name is not offered');
    assert.equal(fns!.items.find((i) => i.label === 'strcmp')!.detail, 'int strcmp(const char *, const char *);');

    const restype = await complete(c, URIS.ctypes, after(t, 'libc.abs.restype = '));
    assert.deepEqual(labels(restype), ['ctypes.c_int']);
    const argtypes = await complete(c, URIS.ctypes, after(t, 'libc.strtol.argtypes = '));
    assert.deepEqual(labels(argtypes), ['[ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int]']);
    assert.equal(await complete(c, URIS.ctypes, after(t, 'libc.nosuchfunction.restype = ')), null, 'no prototype known');
    assert.equal(await complete(c, URIS.ctypes, after(t, 'mystery.')), null);
  });
});

test('signature help: cdef prototype, variadic parameters, ffi API, ctypes argtypes and header prototypes; the active parameter follows the cursor', async () => {
  await withServer(async (c) => {
    const t = CFFI_ABI;
    const first = await signature(c, URIS.abi, after(t, 'lib.add('));
    assert.equal(first.signatures[0].label, 'int add(int a, int b)');
    assert.deepEqual(first.signatures[0].parameters.map((p: { label: [number, number] }) => first.signatures[0].label.slice(...p.label)), ['int a', 'int b']);
    assert.equal(first.activeParameter, 0);
    assert.equal((await signature(c, URIS.abi, after(t, 'lib.add(1, '))).activeParameter, 1);

    const variadic = await signature(c, URIS.abi, after(t, 'lib.printf(b"%d %d", 1, '));
    assert.equal(variadic.signatures[0].label, 'int printf(const char *fmt, ...)');
    assert.equal(variadic.activeParameter, 1, 'every argument past the fixed ones is the variadic parameter');
    assert.match(variadic.signatures[0].parameters[1].documentation.value, /Variadic/);
    // inside the format string the first parameter is active
    assert.equal((await signature(c, URIS.abi, positionOf(t, '%d %d'))).activeParameter, 0);

    const api = await signature(c, URIS.abi, positionOf(t, 'struct point *"'));
    assert.equal(api.signatures[0].label, 'ffi.new(cdecl, init=None)');
    assert.equal(api.activeParameter, 0);
    assert.equal((await signature(c, URIS.abi, after(t, 'ffi.cast("point_t *", '))).activeParameter, 1);

    const ct = CTYPES;
    const strlen = await signature(c, URIS.ctypes, after(ct, 'libc.strlen('));
    assert.equal(strlen.signatures[0].label, 'size_t strlen(char *)');
    const printf = await signature(c, URIS.ctypes, after(ct, 'libc.printf(b"%d", '));
    assert.equal(printf.signatures[0].label, 'int printf(const char *, ...)', 'from <stdio.h>: argtypes are not set');
    assert.equal(printf.activeParameter, 1);

    // a half-typed `lib.` on the line above is not part of the callee
    const twice = `${CFFI_ABI}lib.\nlib.add(1, `;
    c.open('file:///tmp/ef_abi_twice.py', twice);
    const below = await signature(c, 'file:///tmp/ef_abi_twice.py', after(twice, 'lib.\nlib.add(1, '));
    assert.equal(below?.signatures[0].label, 'int add(int a, int b)');
    assert.equal(below.activeParameter, 1);

    assert.equal(await signature(c, URIS.abi, after(t, 'print(')), null, 'print is not a binding');
    assert.equal(await signature(c, URIS.ctypes, after(ct, 'mystery.strlen(')), null, 'unknown object');
  });
});

test('go to definition: lib.f to its cdef line, type names in type strings to their typedef or struct, ctypes functions to argtypes/restype', async () => {
  await withServer(async (c) => {
    const t = CFFI_ABI;
    const add = await definition(c, URIS.abi, positionOf(t, 'lib.add(1', 0, 5));
    assert.deepEqual(add, [{ uri: URIS.abi, range: { start: positionOf(t, 'add(int'), end: positionOf(t, 'add(int', 0, 3) } }]);
    const counter = await definition(c, URIS.abi, positionOf(t, 'counter;', 0, 0));
    assert.equal(counter, null, 'a declaration is its own definition: no jump');
    const tag = await definition(c, URIS.abi, positionOf(t, 'point *"', 0, 2));
    assert.deepEqual(tag, [{ uri: URIS.abi, range: { start: positionOf(t, 'point {'), end: positionOf(t, 'point {', 0, 5) } }]);
    const typedef = await definition(c, URIS.abi, positionOf(t, 'point_t *"', 0, 1));
    assert.deepEqual(typedef, [{ uri: URIS.abi, range: { start: positionOf(t, 'point_t;'), end: positionOf(t, 'point_t;', 0, 7) } }]);
    assert.equal(await definition(c, URIS.abi, positionOf(t, 'lib.ad\n', 0, 5)), null, 'undeclared lib member');
    assert.equal(await definition(c, URIS.abi, positionOf(t, 'other.x', 0, 6)), null);

    const ct = CTYPES;
    const strlen = await definition(c, URIS.ctypes, positionOf(ct, 'libc.strlen(b', 0, 6));
    assert.deepEqual(strlen, [
      { uri: URIS.ctypes, range: { start: positionOf(ct, 'libc.strlen.argtypes'), end: after(ct, '[ctypes.c_char_p]') } },
      { uri: URIS.ctypes, range: { start: positionOf(ct, 'libc.strlen.restype'), end: after(ct, 'ctypes.c_size_t') } },
    ]);
    const point = await definition(c, URIS.ctypes, positionOf(ct, 'Point)', 0, 1));
    assert.deepEqual(point, [{ uri: URIS.ctypes, range: { start: positionOf(ct, 'Point('), end: positionOf(ct, 'Point(', 0, 5) } }]);
    assert.equal(await definition(c, URIS.ctypes, positionOf(ct, 'mystery.strlen', 0, 9)), null);
  });
});

type Sym = { name: string; detail?: string; kind: number; children?: Sym[]; range: { start: { line: number } }; selectionRange: { start: { line: number; character: number } } };
const tree = (syms: Sym[]): unknown => syms.map((s) => (s.children ? { [s.name]: tree(s.children) } : s.name));

test('document symbols: cdef declarations with struct fields, ffi objects and libs, ctypes libraries, declared functions and structures', async () => {
  await withServer(async (c) => {
    const abi: Sym[] = await c.request('textDocument/documentSymbol', { textDocument: { uri: URIS.abi } });
    assert.deepEqual(tree(abi), ['ffi', { 'ffi.cdef': [{ 'struct point': ['x', 'y'] }, 'point_t', { 'enum color': ['RED', 'GREEN'] }, 'add', 'printf', 'counter'] }, 'lib']);
    const add = abi[1]!.children!.find((s) => s.name === 'add')!;
    assert.equal(add.detail, 'int(int, int)');
    assert.deepEqual(add.selectionRange.start, positionOf(CFFI_ABI, 'add(int'));

    const build: Sym[] = await c.request('textDocument/documentSymbol', { textDocument: { uri: URIS.build } });
    assert.deepEqual(tree(build), ['ffibuilder', { 'ffibuilder.cdef': [{ 'struct vec': ['x', 'y'] }, 'norm', 'visit'] }]);
    assert.equal(build[0]!.detail, 'cffi API mode');

    const ct: Sym[] = await c.request('textDocument/documentSymbol', { textDocument: { uri: URIS.ctypes } });
    const names = tree(ct) as unknown[];
    assert.deepEqual(names.slice(0, 3), ['libc', 'libc.strlen', { Point: ['x', 'next'] }]);
    assert.equal(ct[1]!.detail, 'argtypes, restype');
  });
});

test('each feature can be turned off, and the setting applies without a restart', async () => {
  let enabled = false;
  const c = new LspClient();
  c.handlers.set('workspace/configuration', (p: { items: unknown[] }) =>
    p.items.map(() => ({ completion: { enable: enabled }, signatureHelp: { enable: enabled }, definition: { enable: enabled }, documentSymbols: { enable: enabled } })),
  );
  try {
    await c.initialize({ configuration: true });
    c.open(URIS.abi, CFFI_ABI);
    const t = CFFI_ABI;
    const ask = () =>
      Promise.all([
        complete(c, URIS.abi, after(t, 'lib.ad')),
        signature(c, URIS.abi, after(t, 'lib.add(')),
        definition(c, URIS.abi, positionOf(t, 'lib.add(1', 0, 5)),
        c.request('textDocument/documentSymbol', { textDocument: { uri: URIS.abi } }),
      ]);
    assert.deepEqual(await ask(), [null, null, null, null]);
    enabled = true;
    c.notify('workspace/didChangeConfiguration', { settings: null });
    const on = await ask();
    assert.ok(on.every((x) => x !== null), JSON.stringify(on).slice(0, 300));
  } finally {
    await c.shutdown().catch(() => c.kill());
  }
});
