// The project engine (`convert --write main.py pkg`) on callback types written where they are applied,
// `@CFUNCTYPE(R, A…)` above a def and `CFUNCTYPE(R, A…)(func)` (plan/inlineCallbacks.ts): the differential
// fuzzer's `callbacks-direct` case kept packages partly converted for it alone (docs/dev/fuzzing.md, session 9).
// Each package converts fully and prints what the original prints under CPython+cffi and PyPy; an inline type
// that is not applied at once, or whose argument types have no cffi equivalent, keeps the binding ctypes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertsFully, staysCtypes } from '../snippets/projectConversion';

const native = `import ctypes

libc = ctypes.CDLL("libc.so.6")
qsort = libc.qsort
qsort.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_void_p]
qsort.restype = None
labs = libc.labs
labs.argtypes = [ctypes.c_long]
labs.restype = ctypes.c_long
`;

test('convert PATH...: @CFUNCTYPE(…) decorators and CFUNCTYPE(…)(f) become callback factories', () => {
  convertsFully(
    {
      'pkg/native.py': native,
      'main.py': `import ctypes as ct
from pkg.native import labs, qsort

BINOP = ct.CFUNCTYPE(ct.c_double, ct.c_double, ct.c_double)


@BINOP
def add(a, b):
    return a + b


@ct.CFUNCTYPE(ct.c_int, ct.c_char_p)
def measure(s):
    return len(s) * 10


mul = ct.CFUNCTYPE(ct.c_long, ct.c_long, ct.c_long)(lambda a, b: a * b)


def sorted_by_c(values):
    @ct.CFUNCTYPE(ct.c_int, ct.c_void_p, ct.c_void_p)
    def descending(a, b):
        x = ct.cast(a, ct.POINTER(ct.c_int))[0]
        y = ct.cast(b, ct.POINTER(ct.c_int))[0]
        return (x < y) - (x > y)

    arr = (ct.c_int * 5)(*values)
    qsort(arr, 5, 4, descending)
    return list(arr)


print(add(9, 4), measure(b"kappa"), measure(b""), mul(6, 7), labs(-3))
print(BINOP(lambda a, b: a - b)(6, 7))
print(sorted_by_c([3, 9, -1, 7, 0]))
`,
    },
    (c) => {
      assert.doesNotMatch(c['main.py']!, /ct\.CFUNCTYPE|ct\.c_/);
      assert.match(c['main.py']!, /@_callback_type\("int \(\*\)\(char \*\)"\)/);
    },
  );
});

test('convert PATH...: an inline CFUNCTYPE(…) not applied at once, or over types cffi cannot take here, stays ctypes', () => {
  staysCtypes(
    {
      'pkg/native.py': native,
      'main.py': `import ctypes
from pkg.native import qsort

types = {"cmp": ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)}
cmp = types["cmp"](lambda a, b: ctypes.cast(a, ctypes.POINTER(ctypes.c_int))[0] - ctypes.cast(b, ctypes.POINTER(ctypes.c_int))[0])
arr = (ctypes.c_int * 3)(3, 1, 2)
qsort(arr, 3, 4, cmp)
print(list(arr))
`,
    },
    /main\.py:\d+: left for a human: ctypes\.CFUNCTYPE is still used after conversion/,
  );
  staysCtypes(
    {
      'pkg/native.py': native,
      'main.py': `import ctypes
from pkg.native import labs


class Pair(ctypes.Structure):
    _fields_ = [("a", ctypes.c_int), ("b", ctypes.c_int)]


@ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(Pair))
def total(p):
    return p.contents.a + p.contents.b


pr = Pair(2, 5)
print(total(ctypes.pointer(pr)), labs(-2))
`,
    },
    /main\.py:\d+: left for a human: a callback type whose argument or result types have no cffi equivalent here/,
  );
});
