// The project engine (`convert --write main.py pkg`) on the addresses of arrays of numbers (the fuzzer's
// `cast-addressof` case, the most frequent TODO its package programs were left with in session 9): `addressof(a)`,
// `cast(a, c_void_p).value`, `cast(a, POINTER(T))` read by index, `c_T.from_address(addr).value`,
// `(c_T * n).from_address(addr)[:]`, `c_void_p(addressof(a))` cast back. Each package converts fully and prints
// what CPython's ctypes printed, under CPython+cffi and PyPy; a cast whose result may outlive its array (ctypes.cast
// keeps the array alive, ffi.cast does not), a store through it, or an address that is not one of an array the plan
// made keeps the binding ctypes, with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, convertsFully, staysCtypes } from '../snippets/projectConversion';
import { INTERPRETERS, runPythonOk } from '../snippets/pythons';

const native = `from ctypes import *
from ctypes.util import find_library

libc = CDLL(find_library("c"))
labs = libc.labs
labs.argtypes = [c_long]
labs.restype = c_long
`;

test('convert PATH...: addressof, cast to c_void_p and POINTER(T), from_address and c_void_p of an array of numbers', () => {
  convertsFully(
    {
      'pkg/native.py': native,
      'main.py': `import ctypes
from pkg.native import labs

for _round in range(2):
    arr = (ctypes.c_int * 4)(1, 612, 3, -4)
    ip = ctypes.cast(arr, ctypes.POINTER(ctypes.c_int))
    bp = ctypes.cast(arr, ctypes.POINTER(ctypes.c_ubyte))
    print(ip[1], bp[4], bp[5], ip[3], labs(ip[3]))
    print(ctypes.cast(arr, ctypes.c_void_p).value == ctypes.addressof(arr))
    print(ctypes.c_int.from_address(ctypes.addressof(arr) + 8).value)
    vp = ctypes.c_void_p(ctypes.addressof(arr))
    print(ctypes.cast(vp, ctypes.POINTER(ctypes.c_int))[3], ctypes.sizeof(ip))
    print((ctypes.c_int * 2).from_address(ctypes.addressof(arr))[:], (ctypes.c_int * 4).from_address(ctypes.addressof(arr))[2])


def doubles():
    d = (ctypes.c_double * 3)(0.5, 1.25, -2.0)
    print(ctypes.cast(d, ctypes.POINTER(ctypes.c_double))[2], ctypes.c_double.from_address(ctypes.addressof(d) + 8).value)
    raw = ctypes.cast(d, ctypes.POINTER(ctypes.c_uint8))
    print(raw[7], ctypes.sizeof(raw))


doubles()
`,
    },
    (c) => {
      assert.match(c['main.py']!, /int\(_ffi\.cast\("uintptr_t", arr\)\)/);
      assert.match(c['main.py']!, /_ffi\.unpack\(_ffi\.cast\("int \*", int\(_ffi\.cast\("uintptr_t", arr\)\)\), 2\)/);
    },
  );
});

test('convert PATH...: a cast that may outlive its array, a store through it or an address the plan did not make stays ctypes', () => {
  const left = /main\.py:\d+: left for a human: (a|arr|p) \(a ctypes (array|c_void_p)\) is used here in a way the plan does not rewrite/;
  const main = (body: string): Record<string, string> => ({ 'pkg/native.py': native, 'main.py': `import ctypes\nfrom pkg.native import labs\n\n${body}\nprint(labs(-3))\n` });
  // handed to a Python function, which may keep it
  staysCtypes(main('def show(p):\n    print(p[0])\n\n\narr = (ctypes.c_int * 2)(3, 5)\nshow(ctypes.cast(arr, ctypes.POINTER(ctypes.c_int)))'), left);
  // returned: the array is gone when the caller reads it (ctypes.cast kept it alive)
  staysCtypes(main('def f():\n    a = (ctypes.c_int * 2)(7, 8)\n    return ctypes.cast(a, ctypes.POINTER(ctypes.c_int))\n\n\nprint(f()[1])'), left);
  // assigned in a branch and read on a later round, after the array was made anew
  staysCtypes(
    main('for i in range(2):\n    arr = (ctypes.c_int * 2)(i, 5)\n    if i == 0:\n        p = ctypes.cast(arr, ctypes.POINTER(ctypes.c_int))\n    print(p[0])'),
    left,
  );
  // the pointer read in a later statement of another block than its array's
  staysCtypes(main('arr = (ctypes.c_int * 2)(3, 5)\nif True:\n    p = ctypes.cast(arr, ctypes.POINTER(ctypes.c_int))\nprint(p[1])'), left);
  // a store through the pointer: ctypes truncates, cffi raises OverflowError
  staysCtypes(main('arr = (ctypes.c_int * 2)(3, 5)\np = ctypes.cast(arr, ctypes.POINTER(ctypes.c_int))\np[0] = 2**32 + 1\nprint(arr[0])'), left);
  // a slice of the pointer: a list in ctypes, a cdata view in cffi
  staysCtypes(main('arr = (ctypes.c_int * 2)(3, 5)\np = ctypes.cast(arr, ctypes.POINTER(ctypes.c_int))\nprint(p[0:2])'), left);
  // from_address of a float address raises TypeError in ctypes; ffi.cast would truncate it
  staysCtypes(
    main('arr = (ctypes.c_int * 2)(3, 5)\ntry:\n    print(ctypes.c_int.from_address(ctypes.addressof(arr) * 1.0).value)\nexcept TypeError as e:\n    print("type error")'),
    /main\.py:\d+: left for a human: .*ctypes/,
  );
  // c_void_p of an address read as .value (None for NULL in ctypes): not followed
  staysCtypes(main('arr = (ctypes.c_int * 2)(3, 5)\np = ctypes.c_void_p(ctypes.addressof(arr))\nprint(p.value == ctypes.addressof(arr))'), left);
});

test('convert PATH...: a NULL c_void_p cast to a pointer and read stays ctypes (ValueError in ctypes, RuntimeError in cffi)', () => {
  // CPython's ctypes raises ValueError and PyPy's reads 0 here, so staysCtypes (one expected output) does not apply:
  // each interpreter must print after conversion what it printed before
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-addresses-'));
  try {
    const files = {
      'pkg/__init__.py': '',
      'pkg/native.py': native,
      'main.py': 'import ctypes\nfrom pkg.native import labs\n\nv = ctypes.c_void_p()\ntry:\n    print(ctypes.cast(v, ctypes.POINTER(ctypes.c_int))[0])\nexcept Exception as e:\n    print(type(e).__name__)\nprint(labs(-2))\n',
    };
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    const before = INTERPRETERS.map((py) => runPythonOk(py, ['main.py'], dir));
    assert.match(before[INTERPRETERS.indexOf('/usr/bin/python3')]!, /^ValueError\n/);
    const r = spawnSync(process.execPath, [BIN, 'convert', '--write', 'main.py', 'pkg'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /main\.py:\d+: left for a human: v \(a ctypes c_void_p\) is used here in a way the plan does not rewrite/);
    assert.deepEqual(INTERPRETERS.map((py) => runPythonOk(py, ['main.py'], dir)), before);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
