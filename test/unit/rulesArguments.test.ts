import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../server/src/analysis/analyze';
import { pb312 } from '../../server/src/rules/argumentRules';
import { check, codes, only } from './rulesHelpers';

test('PB207 flags a bytes out-buffer passed where C writes, not a const parameter or a real buffer', async () => {
  const src = `import ctypes
libc = ctypes.CDLL(None)
buf = b"\\0" * 64
libc.strcpy(buf, b"hello")
libc.strcpy(bytes(32), b"x")
libc.strcpy(b"\\x00" * 8, b"y")
libc.puts(b" " * 10)
ok = ctypes.create_string_buffer(64)
libc.strcpy(ok, b"hello")
libc.strcpy(b"literal input", b"z")
lib = ctypes.CDLL("libfoo.so")
lib.foo_read(lib.handle, b"\\0" * 16, 16)
`;
  const hits = only(await check(src), 'PB207');
  assert.deepEqual(hits.map((h) => [h.line, h.text]), [[4, 'buf'], [5, 'bytes(32)'], [6, 'b"\\x00" * 8'], [12, 'b"\\0" * 16']]);
  assert.match(hits[0]!.finding.message, /create_string_buffer/);
});

test('PB207 finds a name bound once to a buffer on any line ending, and only a name bound once', async () => {
  const src = ['import ctypes', 'libc = ctypes.CDLL(None)', 'out = b"\\0" * 64  # filled by C', 'twice = bytes(8)', 'twice = other', 'libc.strcpy(out, b"x")', 'libc.strcpy(twice, b"y")', ''];
  for (const eol of ['\n', '\r\n']) {
    assert.deepEqual(only(await check(src.join(eol)), 'PB207').map((h) => [h.line, h.text]), [[6, 'out']], JSON.stringify(eol));
  }
});

test('PB207 follows argtypes: c_char_p is written, a struct or int parameter is not', async () => {
  const src = `import ctypes
lib = ctypes.CDLL("libfoo.so")
lib.fill.argtypes = [ctypes.c_char_p, ctypes.c_int]
lib.fill(b"\\0" * 8, 8)
lib.count.argtypes = [ctypes.c_int]
lib.count(bytes(4))
`;
  assert.deepEqual(only(await check(src), 'PB207').map((h) => h.line), [4]);
});

test('PB207 is not reported for cffi calls (cffi hands C the bytes memory on PyPy too)', async () => {
  const src = 'import cffi\nffi = cffi.FFI()\nffi.cdef("char *strcpy(char *, const char *);")\nlib = ffi.dlopen(None)\nlib.strcpy(b"\\0" * 8, b"x")\n';
  assert.deepEqual(only(await check(src), 'PB207'), []);
});

const MIXED = `import ctypes, cffi
ffi = cffi.FFI()
ffi.cdef("size_t strlen(const char *); int abs(int);")
lib = ffi.dlopen(None)
libc = ctypes.CDLL(None)
p = ffi.new("char[]", b"abc")
libc.strlen(p)
libc.strlen(ffi.NULL)
libc.strlen(b"fine")
lib.strlen(ctypes.create_string_buffer(b"abc"))
lib.abs(ctypes.c_int(-3))
lib.abs(-3)
class Point(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int)]
pt = Point(1)
lib.strlen(pt)
`;

test('PB312 flags cdata given to ctypes and ctypes objects given to cffi, nothing else', async () => {
  const hits = only(await check(MIXED), 'PB312');
  assert.deepEqual(hits.map((h) => [h.line, h.text]), [[7, 'p'], [8, 'ffi.NULL'], [10, 'ctypes.create_string_buffer(b"abc")'], [11, 'ctypes.c_int(-3)'], [16, 'pt']]);
  assert.match(hits[0]!.finding.message, /ArgumentError/);
  assert.match(hits[2]!.finding.message, /TypeError/);
});

test('PB312 is a function of the model, for the converter to check its output', async () => {
  const { model, doc } = await analyzeText(MIXED, 'file:///proj/mixed.py');
  try {
    assert.equal(pb312(model).length, 5);
  } finally {
    doc.dispose?.();
  }
});

test('PB203 flags id() handed straight to C, POINTER(py_object) and casts to it', async () => {
  const src = `import ctypes
lib = ctypes.CDLL("libfoo.so")
lib.register(id(obj), 3)
P = ctypes.POINTER(ctypes.py_object)
q = ctypes.cast(p, ctypes.POINTER(ctypes.py_object))
lib.other(len(obj))
`;
  const hits = only(await check(src), 'PB203');
  assert.deepEqual(hits.map((h) => [h.line, h.text]), [[3, 'id(obj)'], [4, 'ctypes.POINTER(ctypes.py_object)'], [5, 'ctypes.POINTER(ctypes.py_object)']]);
});

test('PB101 once per library across platform branches, and not on a loader alias', async () => {
  const branches = `import ctypes, sys
if sys.platform == "win32":
    _lib = ctypes.CDLL("foo.dll")
elif sys.platform == "darwin":
    _lib = ctypes.CDLL("libfoo.dylib")
else:
    _lib = ctypes.CDLL("libfoo.so.1")
`;
  assert.deepEqual(only(await check(branches), 'PB101').map((h) => h.line), [3]);
  const alias = 'import ctypes, sys\nif sys.platform == "win32":\n    ctypes.windll = ctypes.cdll\n';
  assert.deepEqual(codes(await check(alias)), []);
  const globalSymbols = 'import ctypes\nctypes.CDLL(path, ctypes.RTLD_GLOBAL)\n';
  assert.deepEqual(codes(await check(globalSymbols)), [], 'a load for RTLD_GLOBAL calls no C');
});

test('PB204 with a prototype only where int is wrong; without one only on evidence in the code', async () => {
  const src = `import ctypes
libc = ctypes.CDLL(None)
n = libc.abs(-3)
p = libc.malloc(8)
lib = ctypes.CDLL("libfoo.so")
count = lib.foo_count()
h = lib.foo_open(b"x")
lib.foo_close(h)
name = lib.foo_name(h).decode()
s = ctypes.string_at(lib.foo_data(h))
`;
  const hits = only(await check(src), 'PB204');
  assert.deepEqual(hits.map((h) => [h.line, h.text]), [[4, 'libc.malloc'], [7, 'lib.foo_open'], [9, 'lib.foo_name'], [10, 'lib.foo_data']]);
  assert.match(hits[0]!.finding.message, /C returns `void \*`/);
  assert.match(hits[1]!.finding.message, /used as a handle/);
  assert.match(hits[2]!.finding.message, /used as a string/);
});

test('PB204 evidence through a bound name: decoded or passed on later, at a word boundary, never before the call', async () => {
  const src = `import ctypes
lib = ctypes.CDLL("libfoo.so")
early = b"x"
early.decode()
early = lib.foo_early()
res.label = lib.foo_res()
text = lib.foo_text()
print(text .decode())
ptr = lib.foo_ptr()
v = ctypes.cast(ptr, ctypes.c_char_p)
mytext = lib.foo_other()
notmytext.decode()
res.label.decode()
`;
  const hits = only(await check(src), 'PB204');
  assert.deepEqual(hits.map((h) => [h.line, h.text]), [[6, 'lib.foo_res'], [7, 'lib.foo_text'], [9, 'lib.foo_ptr']]);
  assert.match(hits[2]!.finding.message, /used as a pointer/);
});

test('PB205 where a default conversion is wrong or a prototype gives the argtypes; silent with neither', async () => {
  const src = `import ctypes
libc = ctypes.CDLL(None)
libc.puts(b"fine")
libc.abs(-3)
libc.sqrt(2.0)
x = 2.5
libc.floor(x)
lib = ctypes.CDLL("libfoo.so")
lib.foo_set(1, 2)
lib.foo_scale(0.5)
`;
  const hits = only(await check(src), 'PB205');
  assert.deepEqual(hits.map((h) => [h.line, h.text]), [[3, 'libc.puts'], [4, 'libc.abs'], [5, 'libc.sqrt'], [7, 'libc.floor'], [10, 'lib.foo_scale']]);
  assert.match(hits[2]!.finding.message, /argument 1 goes to `double`|argument 1 is a float/);
  assert.match(hits[4]!.finding.message, /is a float \(ArgumentError\)/);
});

test('the new argument rules stay silent on the standard library ctypes package', async () => {
  const dir = '/usr/lib/python3.11/ctypes';
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.py')).map((f) => path.join(dir, f));
  assert.ok(files.length > 3);
  for (const f of files) {
    const hits = await check(fs.readFileSync(f, 'utf8'), {}, `file://${f}`);
    assert.deepEqual(hits.filter((h) => h.code === 'PB207' || h.code === 'PB312').map((h) => `${f}:${h.line}`), []);
  }
});

