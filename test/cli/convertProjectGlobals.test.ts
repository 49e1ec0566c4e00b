// The project engine (`convert --write main.py pkg`) on a library's variables (`T.in_dll(lib, "name")`, the fuzzer's
// `globals-in-dll` case), the library loaded in another module of the package and reached by a star import, by
// `nat.lib` or by name, or loaded in the same module: `v.value` read and set (also out of range: ctypes truncates),
// `T.in_dll(…).value` read at once, and a symbol the library lacks (ValueError at in_dll, as in ctypes). Each
// package converts fully and prints what CPython's ctypes printed, under CPython+cffi and PyPy; a variable used
// other than through `.value` keeps the binding ctypes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertsFully, staysCtypes } from '../snippets/projectConversion';

const native = `from ctypes import *
from ctypes.util import find_library

libc = CDLL(find_library("c"))
`;

const body = (lib: string): string => `optind = c_int.in_dll(${lib}, "optind")
print(optind.value)
opterr = c_int.in_dll(${lib}, "opterr")
opterr.value = 2
print(c_int.in_dll(${lib}, "opterr").value)
opterr.value = 2**32 + 1
print(opterr.value, c_int.in_dll(${lib}, "opterr").value)
opterr.value = 1
${lib}.tzset.argtypes, ${lib}.tzset.restype = [], None
${lib}.tzset()
print(c_long.in_dll(${lib}, "timezone").value, c_int.in_dll(${lib}, "daylight").value)


def probe():
    try:
        missing = c_int.in_dll(${lib}, "no_such_variable_here")
        print(missing.value)
    except ValueError:
        print("no such variable")


probe()
`;

test('convert PATH...: in_dll of a library loaded in another module (star import, module attribute) or in the same one', () => {
  convertsFully({ 'pkg/native.py': native, 'main.py': `from ctypes import c_int, c_long\nfrom pkg.native import *\n\n${body('libc')}` }, (c) => {
    assert.match(c['pkg/native.py']!, /extern int optind;/);
    assert.match(c['main.py']!, /opterr\[0\] = _c_integer\("int", 2\*\*32 \+ 1\)/);
  });
  convertsFully({ 'pkg/native.py': native, 'main.py': `from ctypes import c_int, c_long\nimport pkg.native as nat\n\n${body('nat.libc')}` });
  convertsFully({ 'pkg/native.py': native, 'main.py': `from ctypes import *\nfrom ctypes.util import find_library\n\nlibc = CDLL(find_library("c"))\n${body('libc')}` });
});

test('convert PATH...: a library variable used other than through .value stays ctypes', () => {
  staysCtypes(
    { 'pkg/native.py': native, 'main.py': 'from ctypes import c_int, byref\nfrom pkg.native import libc\n\noptind = c_int.in_dll(libc, "optind")\nprint(optind.value, byref(optind) is not None)\n' },
    /main\.py:\d+: left for a human: the library libc is loaded in pkg\.native and used here/,
  );
});

test('convert PATH...: one variable read as two C types stays ctypes (one cdef declares it once)', () => {
  staysCtypes(
    {
      'pkg/native.py': native,
      'main.py': 'from ctypes import c_int, c_short\nfrom pkg.native import libc\n\na = c_int.in_dll(libc, "opterr")\nb = c_short.in_dll(libc, "opterr")\nprint(a.value, b.value)\nb.value = 7\nprint(a.value)\nb.value = 1\n',
    },
    /main\.py:\d+: left for a human: opterr is read here as short and elsewhere as `extern int opterr;`/,
  );
});
