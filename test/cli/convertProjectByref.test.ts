// The project engine (`convert --write main.py pkg`) on two reasons issue #12's fuzzing found cases kept ctypes for:
// `byref(x)` / `pointer(x)` of a plain value handed on (through a name, to a Python helper, returned from one,
// read back through `p.contents.value` / `p[0]`), and callbacks handed to `qsort`/`bsearch` declared without
// argtypes, whose header gives the parameter as a function pointer. Each package converts fully and prints what the
// original prints under CPython+cffi and PyPy; uses of the pointer the plan cannot prove equal (compared, stored
// through, re-pointed, shown, handed to a helper of another module) keep the binding ctypes, with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIBM_OUT_PARAMS, convertsFully, staysCtypes } from '../snippets/projectConversion';

test('convert PATH...: byref/pointer of a cell handed to helpers, returned from one, kept in a name and read back', () => {
  convertsFully(
    {
      'pkg/native.py': LIBM_OUT_PARAMS,
      'main.py': `import ctypes
from ctypes import byref, pointer, c_int, c_double
from pkg.native import frexp, libm


def split(x, out=None):
    return libm.modf(x, out)


def twice(x, out):
    return split(x, out) + split(x * 2, out)


def exponent_ref():
    return byref(e)


ip = c_double()
print(twice(3.75, byref(ip)), ip.value)
e = c_int()
print(frexp(40.0, exponent_ref()), e.value)
p = pointer(c_int(5))
print(frexp(12.5, p), p.contents.value, p[0])
k = c_int(3)
q = pointer(k)
r = q
print(frexp(1024.0, r), k.value, q.contents.value, [q[0] for _ in range(2)])


def frexp_pair(x):
    n = ctypes.c_int()
    pn = ctypes.pointer(n)
    m = frexp(x, pn)
    return m, pn.contents.value, n.value


print(frexp_pair(-6.0), split(2.25, pointer(c_double(9.0))))
`,
    },
    (c) => {
      assert.doesNotMatch(c['main.py']!, /byref|pointer\(|\.contents/);
      assert.match(c['main.py']!, /return e\b/);
    },
  );
});

const refused: [string, string][] = [
  ['a helper that shows the pointer', 'def call(x, out):\n    print(isinstance(out, int))\n    return frexp(x, out)\n\n\ne = c_int()\nprint(call(8.0, byref(e)), e.value)\n'],
  ['a helper that compares it with None', 'def call(x, out):\n    return frexp(x, out) if out is not None else None\n\n\ne = c_int()\nprint(call(8.0, byref(e)), e.value)\n'],
  ['two pointer objects compared', 'e = c_int()\np = pointer(e)\nq = pointer(e)\nprint(frexp(8.0, p), e.value, p == q)\n'],
  ['a store through the pointer', 'e = c_int()\np = pointer(e)\nprint(frexp(8.0, p))\np[0] = 2 ** 33 + 5\nprint(e.value)\n'],
  ['the pointer re-pointed', 'e = c_int()\np = pointer(e)\nprint(frexp(8.0, p))\np.contents = c_int(7)\nprint(e.value, p[0])\n'],
  ["the CArgObject's _obj read", 'e = c_int()\n\n\ndef ref():\n    return byref(e)\n\n\nr = ref()\nprint(frexp(8.0, r), r._obj.value)\n'],
  ['kept in a list', 'e = c_int()\nrefs = [byref(e), pointer(e)]\nfor r in refs:\n    print(frexp(12.5, r), e.value)\nprint(isinstance(refs[1], ctypes._Pointer))\n'],
  ['a helper of another module', 'from pkg.helpers import call\n\ne = c_int()\nprint(call(8.0, byref(e)), e.value)\n'],
];
for (const [what, body] of refused) {
  test(`convert PATH...: byref/pointer of a cell ${what} keeps the binding ctypes, with the reason`, () => {
    staysCtypes(
      {
        'pkg/native.py': LIBM_OUT_PARAMS,
        'pkg/helpers.py': 'from pkg.native import frexp\n\n\ndef call(x, out):\n    print(isinstance(out, int))\n    return frexp(x, out)\n',
        'main.py': `import ctypes\nfrom ctypes import byref, pointer, c_int\nfrom pkg.native import frexp\n\n${body}`,
      },
      /left for a human: (byref|pointer)\((e|e3)\) reaches code other than converted foreign calls/,
    );
  });
}

test('convert PATH...: qsort and bsearch without argtypes take a CFUNCTYPE callback (the header gives a function pointer)', () => {
  convertsFully(
    {
      'pkg/native.py': 'import ctypes\n\nlibc = ctypes.CDLL("libc.so.6")\n',
      'main.py': `import ctypes
from ctypes import CFUNCTYPE, POINTER, c_int, c_void_p, sizeof, byref
from pkg.native import libc

CMP = CFUNCTYPE(c_int, c_void_p, c_void_p)


@CMP
def by_value(a, b):
    x = ctypes.cast(a, POINTER(c_int))[0]
    y = ctypes.cast(b, POINTER(c_int))[0]
    return (x > y) - (x < y)


def descending(a, b):
    x = ctypes.cast(a, POINTER(c_int)).contents.value
    y = ctypes.cast(b, POINTER(c_int))[0]
    return (x < y) - (x > y)


arr = (c_int * 6)(4, -2, 9, 0, 3, 7)
libc.qsort(arr, len(arr), sizeof(c_int), by_value)
print(list(arr))
down = CMP(descending)
libc.qsort(arr, 6, 4, down)
print(list(arr), arr[0], arr[-1])
libc.bsearch.restype = c_void_p
key = c_int(3)
sorted_ = (c_int * 4)(1, 3, 5, 7)
hit = libc.bsearch(byref(key), sorted_, 4, sizeof(c_int), by_value)
print(hit is not None, ctypes.cast(hit, POINTER(c_int))[0])
`,
    },
    (c) => assert.match(c['pkg/native.py']!, /qsort\(void \*, size_t, size_t, void \*\)/),
  );
});

test('convert PATH...: a prototype with pointer parameters applied to ("name", lib) is a foreign function, called from Python as before', () => {
  convertsFully({
    'pkg/native.py': 'import ctypes\n\nlibm = ctypes.CDLL("libm.so.6")\nFREXP = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double, ctypes.POINTER(ctypes.c_int))\nfrexp = FREXP(("frexp", libm))\n',
    'main.py': 'import ctypes\nfrom pkg.native import frexp\n\ne = ctypes.c_int()\nprint(frexp(0.375, ctypes.pointer(e)), e.value)\n',
  });
});
