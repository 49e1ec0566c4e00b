import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, codes, lineOf, only } from './rulesHelpers';

const SLOW_STRLEN = `import ctypes

libc = ctypes.CDLL("libc.so.6")
libc.strlen.argtypes = [ctypes.c_char_p]


def c_length(text):
    n = libc.strlen(text.encode("utf-8"))
    return n
`;

test('PB101 fires once per library, on its loading call', async () => {
  const src = `import ctypes
from ctypes import cdll
libc = ctypes.CDLL("libc.so.6")
libm = cdll.LoadLibrary("libm.so.6")
libc.abs(-1)
libc.labs(-2)
`;
  const hits = only(await check(src), 'PB101');
  assert.deepEqual(hits.map((h) => [h.line, h.text, h.severity]), [
    [3, 'ctypes.CDLL("libc.so.6")', 'information'],
    [4, 'cdll.LoadLibrary("libm.so.6")', 'information'],
  ]);
  assert.match(hits[0]!.finding.message, /cffi/);
  assert.equal(hits[0]!.finding.guideSection, 'ctypes');
});

test('PB101 falls back to the first loader use when no library is assigned', async () => {
  const src = 'import ctypes\nprint(ctypes.CDLL("libc.so.6").abs(-1))\nctypes.CDLL("libm.so.6")\n';
  const hits = only(await check(src), 'PB101');
  assert.deepEqual(hits.map((h) => [h.line, h.text]), [[2, 'ctypes.CDLL("libc.so.6")']]);
});

test('PB101 stays silent for find_library used only for cffi, and for ctypes types alone', async () => {
  const cffiOnly = `import ctypes.util
from cffi import FFI
ffi = FFI()
ffi.cdef("size_t strlen(const char *);")
lib = ffi.dlopen(ctypes.util.find_library("c"))
print(lib.strlen(b"abc"))
`;
  assert.deepEqual(codes(await check(cffiOnly)), []);
  const typesOnly = 'import ctypes\nclass P(ctypes.Structure):\n    _fields_ = [("x", ctypes.c_int)]\nprint(ctypes.sizeof(P))\n';
  assert.deepEqual(codes(await check(typesOnly)), []);
});

test('PB201 flags pythonapi, PyDLL, pydll, resize and PyObj_FromPtr', async () => {
  const src = `import ctypes
from ctypes import pythonapi
import _ctypes
from _ctypes import PyObj_FromPtr
Py_IncRef = ctypes.pythonapi.Py_IncRef
api = ctypes.PyDLL(None)
m = ctypes.pydll.LoadLibrary("libpython3.so")
buf = ctypes.create_string_buffer(4)
ctypes.resize(buf, 16)
obj = _ctypes.PyObj_FromPtr(1234)
`;
  const hits = only(await check(src), 'PB201');
  assert.deepEqual(hits.map((h) => [h.line, h.text]), [
    [2, 'pythonapi'],
    [4, 'PyObj_FromPtr'],
    [5, 'ctypes.pythonapi'],
    [6, 'ctypes.PyDLL'],
    [7, 'ctypes.pydll'],
    [9, 'ctypes.resize'],
    [10, '_ctypes.PyObj_FromPtr'],
  ]);
  assert.ok(hits.every((h) => h.severity === 'error'));
});

test('PB201 stays silent for a user attribute called pythonapi or resize', async () => {
  const src = 'import ctypes\nclass W:\n    pythonapi = None\nw = W()\nw.pythonapi\nimage.resize((3, 4))\nctypes.sizeof(ctypes.c_int)\n';
  assert.deepEqual(codes(await check(src)), []);
});

test('PB202 flags sys.getrefcount in a binding file only', async () => {
  const binding = 'import sys\nimport ctypes\nbuf = ctypes.create_string_buffer(8)\nprint(sys.getrefcount(buf))\n';
  const hits = only(await check(binding), 'PB202');
  assert.deepEqual(hits.map((h) => [h.line, h.text, h.severity]), [[4, 'sys.getrefcount', 'error']]);
  const fromImport = 'from sys import getrefcount\nimport cffi\nprint(getrefcount(1))\n';
  assert.deepEqual(only(await check(fromImport), 'PB202').map((h) => h.text), ['getrefcount']);
  assert.deepEqual(codes(await check('import sys\nprint(sys.getrefcount(1))\n')), [], 'no binding, no diagnostics');
});

test('PB203 flags id() used as an address and casts to py_object', async () => {
  const src = `import ctypes
obj = [1, 2]
refcnt = ctypes.c_ssize_t.from_address(id(obj))
p = ctypes.c_void_p(id(obj))
q = ctypes.cast(id(obj) + 16, ctypes.POINTER(ctypes.c_long))
back = ctypes.cast(p, ctypes.py_object).value
`;
  const hits = only(await check(src), 'PB203');
  assert.deepEqual(hits.map((h) => [h.line, h.text]), [
    [3, 'id(obj)'], [4, 'id(obj)'], [5, 'id(obj)'], [6, 'ctypes.py_object'],
  ]);
});

test('PB203 stays silent for id() used as an identity key', async () => {
  const src = 'import ctypes\nseen = {id(x): x for x in []}\nkey = id(seen)\nv = ctypes.c_int(5)\nprint(ctypes.cast(ctypes.pointer(v), ctypes.c_void_p).value)\n';
  assert.deepEqual(only(await check(src), 'PB203'), []);
});

test('PB204 sits on the first call whose result is used, with the known return type', async () => {
  const hits = only(await check(SLOW_STRLEN), 'PB204');
  assert.deepEqual(hits.map((h) => [h.line, h.text, h.severity]), [[lineOf(SLOW_STRLEN, 'n = libc.strlen('), 'libc.strlen', 'warning']]);
  assert.match(hits[0]!.finding.message, /restype/);
  assert.match(hits[0]!.finding.message, /size_t/);
  assert.deepEqual(hits[0]!.finding.data, { library: 'libc', function: 'strlen', returns: 'size_t' });
});

test('PB204 stays silent when restype is set (also through an alias), the result is discarded, or C returns int', async () => {
  const src = `import ctypes
libc = ctypes.CDLL(None)
libc.strlen.argtypes = [ctypes.c_char_p]
libc.strlen.restype = ctypes.c_size_t
getenv = libc.getenv
getenv.argtypes = [ctypes.c_char_p]
getenv.restype = ctypes.c_char_p
libc.free.argtypes = [ctypes.c_void_p]
libc.free(None)
libc.abs.argtypes = [ctypes.c_int]
print(libc.strlen(b"x"), getenv(b"HOME"), libc.abs(-3))
`;
  assert.deepEqual(codes(await check(src)), ['PB101']);
});

test('PB204: errcheck silences an unknown function, not a known pointer-returning one', async () => {
  const src = `import ctypes
lib = ctypes.CDLL("libfoo.so")
lib.foo_open.argtypes = [ctypes.c_char_p]
lib.foo_open.errcheck = check
h = lib.foo_open(b"x")
lib.malloc.argtypes = [ctypes.c_size_t]
lib.malloc.errcheck = check
p = lib.malloc(10)
`;
  assert.deepEqual(only(await check(src), 'PB204').map((h) => h.text), ['lib.malloc']);
});

test('PB204 ignores objects with a restype attribute that are not ctypes functions', async () => {
  const src = 'import ctypes\nclass Fn:\n    restype = None\nf = Fn()\nf.restype = int\nresult = f()\nctypes.sizeof(ctypes.c_int)\n';
  assert.deepEqual(codes(await check(src)), []);
});

test('PB205 flags a call whose arguments ctypes converts wrongly without argtypes, once per function', async () => {
  const src = `import ctypes
libc = ctypes.CDLL(None)
libc.puts("a")
libc.puts("b")
libc.puts(b"fine: bytes for const char *")
libc.getpid()
libc.rand()
`;
  const hits = only(await check(src), 'PB205');
  assert.deepEqual(hits.map((h) => [h.line, h.text, h.severity]), [[3, 'libc.puts', 'information']]);
});

test('PB206 flags bytes()/memoryview() of a bit-field Structure, not of an ordinary one', async () => {
  const src = `import ctypes
class Flags(ctypes.Structure):
    _fields_ = [("ready", ctypes.c_uint, 1), ("mode", ctypes.c_uint, 3)]
class More(Flags):
    pass
class Point(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int)]
f = Flags()
m = More.from_buffer_copy(b"\\0\\0\\0\\0")
pt = Point(1, 2)
raw = bytes(f)
view = memoryview(m)
ok = bytes(pt)
also = bytes(Flags())
`;
  const hits = only(await check(src), 'PB206');
  assert.deepEqual(hits.map((h) => [h.line, h.text, h.severity]), [
    [lineOf(src, 'raw ='), 'bytes(f)', 'warning'],
    [lineOf(src, 'view ='), 'memoryview(m)', 'warning'],
    [lineOf(src, 'also ='), 'bytes(Flags())', 'warning'],
  ]);
});

test('ordinary Python that merely looks like bindings gets no findings at all', async () => {
  const plain = `"""A user's own lib, new and cast."""
import sys


class Library:
    def new(self, name):
        return {"name": name}


def cast(value, kind):
    return kind(value)


lib = Library()
ffi = Library()
item = lib.new("x")
p = ffi.new("int")
lib.nothere
print(cast("3", int), item, id(item), bytes(3), sys.getrefcount(item))
`;
  assert.deepEqual(await check(plain), []);
});
