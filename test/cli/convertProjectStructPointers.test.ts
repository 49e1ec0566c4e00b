// The project engine (`convert --write main.py pkg`) on Structures handed to C by pointer and read back at an
// address (plan/fieldStructs.ts), and on the pointers `cast(p, POINTER(T))` makes (plan/casts.ts). The differential
// fuzzer's `qsort-r-context` case — a struct's address as qsort_r's `void *` context, read in the comparator with
// `cast(context, POINTER(S)).contents.f` — kept every package drawing it in ctypes (seed 1211, docs/dev/fuzzing.md,
// session 11); without its struct, `cast(a, POINTER(c_int)).contents.value` became `ffi.cast("int *", …).contents`,
// an AttributeError the callback swallowed (fixture cast-to-int-pointer-read-through-contents). Each package
// converts fully and prints what the original prints under CPython+cffi and PyPy, or stays ctypes with its TODO.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertsFully, staysCtypes } from '../snippets/projectConversion';

const native = `import ctypes

libc = ctypes.CDLL("libc.so.6")
CMPFUNC_R = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
libc.qsort_r.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, CMPFUNC_R, ctypes.c_void_p)
libc.qsort_r.restype = None
memset = libc.memset
memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
memset.restype = ctypes.c_void_p
memcmp = libc.memcmp
memcmp.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
memcmp.restype = ctypes.c_int
`;

test('convert PATH...: a struct handed to C by byref/pointer/addressof and read back at the address converts', () => {
  convertsFully(
    {
      'pkg/native.py': native,
      'main.py': `from ctypes import POINTER, Structure, addressof, byref, c_int, c_void_p, cast, pointer, sizeof
from pkg.native import CMPFUNC_R, libc, memcmp, memset


class Order(Structure):
    _fields_ = [("sign", c_int), ("calls", c_int)]


@CMPFUNC_R
def by_order(a, b, context):
    sign = cast(context, POINTER(Order)).contents.sign
    cast(context, POINTER(Order))[0].calls = 2 ** 33 + 1
    x = cast(a, POINTER(c_int)).contents.value
    y = cast(b, POINTER(c_int))[0]
    return sign * ((x > y) - (x < y))


def case(sign):
    order = Order(sign=sign)
    data1 = (c_int * 5)(4, 8, 1, 9, 3)
    libc.qsort_r(data1, 5, 4, by_order, byref(order))
    print(list(data1), order.calls)
    back = Order(-sign)
    data2 = (c_int * 5)(4, 8, 1, 9, 3)
    libc.qsort_r(data2, 5, 4, by_order, addressof(back))
    print(list(data2), back.calls, addressof(back) == addressof(back))
    third = Order(sign, 0)
    data3 = (c_int * 5)(4, 8, 1, 9, 3)
    libc.qsort_r(data3, 5, 4, by_order, cast(pointer(third), c_void_p))
    print(list(data3), third.calls)
    print(memcmp(byref(order), pointer(third), sizeof(Order)), memcmp(byref(order), byref(back), sizeof(order)) != 0)
    memset(byref(back), 0, sizeof(back))
    print(back.sign, back.calls)


case(1)
try:
    cast(None, POINTER(Order)).contents.sign
except ValueError as e:
    print("ValueError", e)
try:
    print(cast(0, POINTER(Order))[0].sign)
except ValueError as e:
    print("ValueError", e)
`,
    },
    (c) => {
      const main = c['main.py']!;
      assert.match(main, /struct Order \{ int sign; int calls; \};/);
      assert.match(main, /libc\.qsort_r\(data1, 5, 4, by_order, order\)/);
      assert.match(main, /_struct_at\("struct Order \*", context\)\.sign/);
      assert.match(main, /_ffi\.cast\("int \*", _as_pointer\(a\)\)\[0\]/);
      assert.doesNotMatch(main, /^[^#\n]*\.contents/m);
    },
  );
});

test('convert PATH...: a struct pointer or a cast pointer used in a way cffi answers otherwise stays ctypes with its TODO', () => {
  // a Structure read as a value (repr) and handed to C: the struct stays ctypes, the call is refused
  staysCtypes(
    {
      'pkg/native.py': native,
      'main.py': `import ctypes
from pkg.native import memset


class Point(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int)]


pt = Point(1, 2)
print(repr(pt)[:12])
memset(ctypes.byref(pt), 0, ctypes.sizeof(pt))
print(pt.x, pt.y)
`,
    },
    /main\.py:\d+: left for a human: ctypes\.byref\(pt\) hands a ctypes object to memset/,
  );
  // the pointer a cast makes, kept and read through .contents or sliced: cffi has no .contents, a slice is no list
  for (const [use, shown] of [
    ['p = ctypes.cast(arr, ctypes.POINTER(ctypes.c_int))\np.contents.value = 9\nprint(arr[0])', /cast\(…, ctypes\.POINTER\(ctypes\.c_int\)\) is used here in a way the plan does not rewrite \(a ctypes pointer's \.contents, slices and stores are not a cffi pointer's\)/],
    ['print(ctypes.cast(arr, ctypes.POINTER(ctypes.c_int))[0:2])', /cast\(…, ctypes\.POINTER\(ctypes\.c_int\)\) is used here in a way the plan does not rewrite \(a ctypes pointer's \.contents, slices and stores are not a cffi pointer's\)/],
    ['print(ctypes.cast(arr, ctypes.POINTER(ctypes.c_int)).contents)', /cast\(…, ctypes\.POINTER\(ctypes\.c_int\)\) is used here in a way the plan does not rewrite \(a ctypes pointer's \.contents, slices and stores are not a cffi pointer's\)/],
  ] as const) {
    staysCtypes(
      {
        'pkg/native.py': native,
        'main.py': `import ctypes
from pkg.native import memset

arr = (ctypes.c_int * 3)(5, 6, 7)
memset(arr, 0, 4)
${use}
`,
      },
      shown,
    );
  }
});

test('convert PATH...: an array of structs sorted by qsort, its comparator reading the items at their addresses, converts', () => {
  // the fuzzer's `qsort-structs` case (session 11): `(S * n)(S(…), …)` → ffi.new("struct S[n]", …)
  convertsFully(
    {
      'pkg/native.py': `import ctypes

libc = ctypes.CDLL("libc.so.6")
CMPFUNC = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))
libc.qsort.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, CMPFUNC]
libc.qsort.restype = None
`,
      'main.py': `from ctypes import POINTER, Structure, c_char, c_int, cast, sizeof
from pkg.native import CMPFUNC, libc


class Item(Structure):
    _fields_ = [("key", c_int), ("name", c_char * 8)]


def _cmp_items(a, b):
    x = cast(a, POINTER(Item))[0].key
    y = cast(b, POINTER(Item)).contents.key
    return (x > y) - (x < y)


cmp_items = CMPFUNC(_cmp_items)


def case():
    items = (Item * 4)(Item(3, b"n3"), Item(1, b"n1"), Item(key=4, name=b"n4"))
    libc.qsort(items, 4, sizeof(Item), cmp_items)
    print([(it.key, it.name) for it in items], len(items), sizeof(items))
    items[1].key = 2 ** 40 + 9
    for it in items:
        it.name = b"zz"
    print(items[1].key, items[0].name, items[3].name, it.key)
    empty = (Item * 2)()
    print([e.key for e in empty])


case()
`,
    },
    (c) => {
      assert.match(c['main.py']!, /_ffi\.new\(\s*"struct Item\[4\]", \[\[3, b"n3"\], \[1, b"n1"\], \{"key": 4, "name": b"n4"\}\]/);
      assert.match(c['main.py']!, /_ffi\.string\(it\.name\)/);
    },
  );
  // an item kept, the array sliced, an item read as a value: the struct stays ctypes, so the array handed to the
  // converted memset is refused (until session 11 a TypeError at run time: fixture ctypes-array-of-structs-to-cffi-function)
  for (const use of ['first = items[0]\nprint(first.key)', 'print(len(items[:]))', 'for it in items:\n    print(it)']) {
    staysCtypes(
      {
        'pkg/native.py': native,
        'main.py': `from ctypes import Structure, c_int, sizeof
from pkg.native import memset


class Item(Structure):
    _fields_ = [("key", c_int)]


items = (Item * 2)(Item(1), Item(2))
memset(items, 0, sizeof(Item))
${use.replace('print(it)', 'print(type(it).__name__)')}
`,
      },
      /main\.py:\d+: left for a human: items \(a ctypes array, Item \* 2, that stays ctypes\) is handed to memset, which becomes a cffi function/,
    );
  }
});
