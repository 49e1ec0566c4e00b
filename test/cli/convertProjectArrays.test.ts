// The project engine (`convert --write main.py pkg`) on the idioms the differential fuzzer's package programs were
// left partly converted by (docs/dev/fuzzing.md, session 8): `pointer(x)` handed to a foreign call; ctypes' memory
// functions on string buffers (`memmove`, `memset` and `string_at`, also at `addressof(buf) + k`), their items and
// `buf.value = v`, buffers used at once and `(c_char * n)()`; arrays of numbers (`(c_int * n)(…)`) sorted by C and
// read back with negative indices and slices; unicode buffers (`create_unicode_buffer`, `wstring_at`). Each package
// converts fully and prints what the original prints under CPython+cffi and PyPy; uses the plan cannot follow keep
// the binding ctypes, with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIBM_OUT_PARAMS, convertsFully, staysCtypes } from '../snippets/projectConversion';

test('convert PATH...: pointer(x) handed to converted functions is byref(x) there', () => {
  convertsFully(
    {
      'pkg/native.py': LIBM_OUT_PARAMS,
      'main.py': `from ctypes import *
from pkg.native import frexp, libm

e = c_int()
m = frexp(12.5, pointer(e))
print(m, e.value)
ip = c_double(0.0)
print(libm.modf(3.75, pointer(ip)), ip.value)


def fresh():
    return libm.modf(-2.5, pointer(c_double()))


print(fresh())
`,
    },
    (c) => assert.doesNotMatch(c['main.py']!, /pointer\(/),
  );
});

test('convert PATH...: memmove, memset and string_at on string buffers, their items, .value stores, (c_char * n)()', () => {
  convertsFully(
    {
      'pkg/native.py': `import ctypes

libc = ctypes.CDLL("libc.so.6")
libc.memcpy.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
libc.memcpy.restype = ctypes.c_void_p
strcpy = libc.strcpy
strcpy.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
strcpy.restype = ctypes.c_char_p
`,
      'main.py': `from ctypes import *
from pkg import native as nat

mb = create_string_buffer(b"abcdefgh", 12)
memmove(mb, b"XY", 2)
memset(addressof(mb) + 4, ord("Z"), 2)
memmove(addressof(mb) + 8, b"tai", 4)
print(mb.raw, string_at(mb, 6), string_at(addressof(mb)), string_at(addressof(mb) + 1, 3))
dst = (c_char * 8)()
nat.libc.memcpy(dst, b"12345678", 5)
print(dst.raw, dst.value, bytes(dst))


def case():
    buf = c_buffer(32)
    print(len(buf), sizeof(buf), buf.value)
    print(nat.strcpy(buf, b"zeta"))
    buf.value = b"xy"
    print(buf.value, buf[0], buf[1:3], buf[-1], buf.raw[:4])
    print(len(create_string_buffer(b"mu")), create_string_buffer(b"mu").raw, create_string_buffer(4).value)
    try:
        create_string_buffer(b"too long", 3)
    except ValueError as e:
        print("value error", e)
    try:
        buf.value = b"z" * 40
    except ValueError as e:
        print("value error", e)


case()
`,
    },
    (c) => {
      assert.match(c['main.py']!, /_buffer_memset\(mb, 4, ord\("Z"\), 2\)/);
      // pure Python: no FFI in main
      assert.doesNotMatch(c['main.py']!, /FFI\(\)/);
    },
  );
});

test('convert PATH...: arrays of numbers handed to qsort and read back (negative indices, slices, sizeof, iteration)', () => {
  convertsFully(
    {
      'pkg/native.py': `from ctypes import CDLL
from ctypes.util import find_library

libc = CDLL(find_library("c"))
`,
      'main.py': `import ctypes as ct
from pkg import native as nat

CMPFUNC = ct.CFUNCTYPE(ct.c_int, ct.c_void_p, ct.c_void_p)
qsort = nat.libc.qsort
qsort.restype = None
qsort.argtypes = [ct.c_void_p, ct.c_size_t, ct.c_size_t, CMPFUNC]


@CMPFUNC
def cmp_ints(a, b):
    x = ct.cast(a, ct.POINTER(ct.c_int))[0]
    y = ct.cast(b, ct.POINTER(ct.c_int))[0]
    return (x > y) - (x < y)


arr = (ct.c_int * 6)(-18, 23, -31, 4)
qsort(arr, len(arr), ct.sizeof(ct.c_int), cmp_ints)
print(list(arr), arr[0], arr[-1], arr[1:3], len(arr), ct.sizeof(arr), sum(arr))
arr[2] = 99
print([v * 2 for v in arr], max(arr))
for v in arr:
    print(v, end=" ")
print()
vals = [5, 3, 9]
more = (ct.c_int * 3)(*vals)
qsort(more, 3, 4, cmp_ints)
print(list(more), tuple(more))
d = (ct.c_double * 3)(0.5, 1.5)
f = (ct.c_float * 2)(1.1)
print(d[:], d[-1], sum(d), f[0], list(f))
try:
    (ct.c_int * 2)()[5]
except IndexError:
    print("index error")
`,
    },
    (c) => assert.match(c['main.py']!, /_ffi\.new\("int\[6\]", \[-18, 23, -31, 4\]\)/),
  );
});

test('convert PATH...: a c_char_p out-parameter (byref(end) to strtol) and its .value', () => {
  convertsFully(
    {
      'pkg/native.py': `import ctypes

libc = ctypes.CDLL("libc.so.6")
libc.strtol.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int]
libc.strtol.restype = ctypes.c_long
`,
      'main.py': `import ctypes
from pkg import native

text = b"7fzz"
end = ctypes.c_char_p()
v = native.libc.strtol(text, ctypes.byref(end), 16)
print(v, end.value)


def whole():
    stop = ctypes.c_char_p(None)
    print(native.libc.strtol(b"123", ctypes.pointer(stop), 10), stop.value)


whole()
`,
    },
    (c) => assert.match(c['main.py']!, /_ffi\.new\("char \* \*"\)/),
  );
});

test('convert PATH...: unicode buffers handed to wchar_t * functions, .value, len, sizeof, wstring_at, c_wchar(v).value', () => {
  convertsFully({
    'pkg/native.py': `import ctypes

libc = ctypes.CDLL("libc.so.6")
wcslen = libc.wcslen
wcslen.argtypes = [ctypes.c_wchar_p]
wcslen.restype = ctypes.c_size_t
libc.wcscpy.argtypes = [ctypes.c_wchar_p, ctypes.c_wchar_p]
libc.wcscpy.restype = ctypes.c_wchar_p
`,
    'main.py': `from ctypes import *
from pkg.native import wcslen, libc

print(wcslen("h\\u00e9llo"))
wb = create_unicode_buffer("\\u03a9mega")
print(libc.wcscpy(wb, "h\\u00e9"))
print(wb.value, len(wb), sizeof(wb) // sizeof(c_wchar))
print(c_wchar("q").value, repr(c_wchar().value), wstring_at(wb))


def sized():
    b = create_unicode_buffer(16)
    print(repr(b.value), len(b), wcslen(b))
    c = create_unicode_buffer("ab", 8)
    print(len(c), wcslen(c), c.value)


sized()
`,
  });
});

test('convert PATH...: an array printed, a buffer item stored and memmove used as a value keep the binding ctypes, with the reason', () => {
  const native = 'import ctypes\n\nlibc = ctypes.CDLL("libc.so.6")\nlabs = libc.labs\nlabs.argtypes = [ctypes.c_long]\nlabs.restype = ctypes.c_long\n';
  staysCtypes({ 'pkg/native.py': native, 'main.py': 'import ctypes\nfrom pkg.native import labs\n\na = (ctypes.c_int * 2)(1, 2)\nprint(labs(-3), a[0], type(a).__name__)\n' }, /main\.py:\d+: left for a human: a \(a ctypes array\) is used here in a way the plan does not rewrite/);
  staysCtypes({ 'pkg/native.py': native, 'main.py': 'import ctypes\nfrom pkg.native import labs\n\nb = ctypes.create_string_buffer(4)\nb[0] = b"x"\nprint(labs(-3), b.raw)\n' }, /main\.py:\d+: left for a human: b \(a ctypes string buffer\) is used here/);
  staysCtypes({ 'pkg/native.py': native, 'main.py': 'import ctypes\nfrom pkg.native import labs\n\nb = ctypes.create_string_buffer(4)\nok = ctypes.memmove(b, b"ab", 2) != 0\nprint(labs(-3), b.raw, ok)\n' }, /main\.py:\d+: left for a human: b \(a ctypes string buffer\) is used here/);
});
