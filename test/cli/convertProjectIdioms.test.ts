// The project engine (`convert --write main.py pkg`) on the idioms the differential fuzzer found it refusing in
// packages (docs/dev/fuzzing.md): functions declared on the library's attributes (`lib.f.argtypes = …`, also
// in one tuple assignment, errcheck set later) and called as `lib.f(…)`; a library loaded in one module and
// declared or called from another (`from pkg.native import libc`, `nat.libc.f`, `pkg.native.libc.f`, `*`);
// `CDLL(…, use_errno=True, mode=RTLD_GLOBAL)` with `ctypes.get_errno()`/`set_errno()`. Each package converts
// fully (no ctypes import, no TODO) and prints what the original prints under CPython+cffi and PyPy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertsFully, staysCtypes } from '../snippets/projectConversion';

test('convert PATH...: functions declared on the library (lib.f.argtypes = …) and called as lib.f(…)', () => {
  convertsFully(
    {
      'pkg/native.py': `import ctypes

libc = ctypes.CDLL(None)
libc.strlen.argtypes = [ctypes.c_char_p]
libc.strlen.restype = ctypes.c_size_t
libc.labs.argtypes, libc.labs.restype = (ctypes.c_long,), ctypes.c_long
libc.getenv.restype = ctypes.c_char_p
libc.getenv.argtypes = [ctypes.c_char_p]
libc.atoi.argtypes = [ctypes.c_char_p]
libc.atoi.restype = ctypes.c_int


def _non_negative(result, func, arguments):
    if result < 0:
        raise ValueError("%s%r gave %d" % (func.__name__, arguments, result))
    return result


libc.atoi.errcheck = _non_negative


def length(s):
    return libc.strlen(s)


def number(s):
    try:
        return libc.atoi(s)
    except ValueError as e:
        return str(e)
`,
      'main.py': `from pkg import native

print(native.length(b"hello"), native.length(b""))
print(native.number(b"42"), native.number(b"-7"))
print(native.libc.labs(-123456789012), native.libc.getenv(b"PB_SURELY_UNSET_VARIABLE"))
`,
    },
    (c) => assert.match(c['pkg/native.py']!, /_cffi_function\(/),
  );
});

test('convert PATH...: a library loaded in one module, declared and called in another (names, module, dotted, star)', () => {
  convertsFully({
    'pkg/native.py': `import ctypes

libc = ctypes.CDLL("libc.so.6")
libm = ctypes.CDLL("libm.so.6")
libm.hypot.argtypes = [ctypes.c_double, ctypes.c_double]
libm.hypot.restype = ctypes.c_double
libc.strlen.argtypes = [ctypes.c_char_p]
libc.strlen.restype = ctypes.c_size_t
`,
    'pkg/use_names.py': `import ctypes
from pkg.native import libc, libm

libc.abs.argtypes = [ctypes.c_int]
libc.abs.restype = ctypes.c_int


def show():
    print(libm.hypot(3.0, 4.0), libc.abs(-5), libc.strlen(b"four"))
`,
    'pkg/use_module.py': `from pkg import native as nat
import pkg.native


def show():
    print(nat.libm.hypot(5.0, 12.0), nat.libc.strlen(b"seven!!"), pkg.native.libc.strlen(b"x"))
`,
    'pkg/use_star.py': `from pkg.native import *


def show():
    print(libm.hypot(8.0, 15.0), libc.strlen(b"ab"))
`,
    'main.py': `from pkg import use_module, use_names, use_star

use_names.show()
use_module.show()
use_star.show()
`,
  });
});

test('convert PATH...: CDLL(…, use_errno=True, mode=RTLD_GLOBAL) with ctypes.get_errno and set_errno', () => {
  convertsFully({
    'pkg/native.py': `import ctypes
import ctypes.util

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libm = ctypes.CDLL("libm.so.6", mode=ctypes.RTLD_GLOBAL, use_errno=True)
libc.close.argtypes = [ctypes.c_int]
libc.close.restype = ctypes.c_int
libm.sqrt.argtypes = [ctypes.c_double]
libm.sqrt.restype = ctypes.c_double


def close_bad():
    ctypes.set_errno(0)
    before = ctypes.get_errno()
    rc = libc.close(-1)
    return rc, before, ctypes.get_errno()
`,
    'main.py': `import errno
from pkg import native

rc, before, after = native.close_bad()
print(rc, before, errno.errorcode[after])
print(native.libm.sqrt(2.25))
`,
  });
});

test('convert PATH...: table loops and declaring helpers, spelled out as the per-file engine does (desugar.ts)', () => {
  convertsFully(
    {
      'pkg/native.py': `import ctypes

libc = ctypes.CDLL(None)
libm = ctypes.CDLL("libm.so.6")


def declare(lib, name, restype, argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = argtypes
    return fn


sqrt = declare(libm, "sqrt", ctypes.c_double, [ctypes.c_double])
LIBC_SIGNATURES = {
    "strlen": (ctypes.c_size_t, [ctypes.c_char_p]),
    "labs": (ctypes.c_long, [ctypes.c_long]),
}
for _name, (_res, _args) in LIBC_SIGNATURES.items():
    f = getattr(libc, _name)
    f.restype = _res
    f.argtypes = _args
`,
      'main.py': `from pkg import native
from pkg.native import libc

print(native.sqrt(2.25), libc.strlen(b"abc"), native.libc.labs(-4000000000))
`,
    },
    (c) => assert.doesNotMatch(c['pkg/native.py']!, /SIGNATURES|def declare/),
  );
});

test('convert PATH...: prototypes applied to (name, lib), declarations on a library of another module, errcheck set after a def', () => {
  convertsFully(
    {
      'pkg/native.py': `import ctypes

libc = ctypes.CDLL(None)
libm = ctypes.CDLL("libm.so.6")
atoi = libc.atoi
atoi.argtypes = [ctypes.c_char_p]
atoi.restype = ctypes.c_int


def _times_ten(result, func, arguments):
    return result * 10


atoi.errcheck = _times_ten
GETENV = ctypes.CFUNCTYPE(ctypes.c_char_p, ctypes.c_char_p)
getenv = GETENV(("getenv", libc))
`,
      'main.py': `import ctypes
from pkg import native
from pkg.native import libc

labs = getattr(libc, "labs")
labs.argtypes = [ctypes.c_long]
labs.restype = ctypes.c_long
LLABS = ctypes.CFUNCTYPE(ctypes.c_longlong, ctypes.c_longlong)
llabs = LLABS(("llabs", native.libc))
hypot = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double, ctypes.c_double)(("hypot", native.libm))
print(native.atoi(b"42"), native.getenv(b"PB_SURELY_UNSET_VARIABLE"), labs(-5), llabs(-7), hypot(3.0, 4.0))
`,
    },
    (c) => assert.match(c['pkg/native.py']!, /atoi = _cffi_function\(libc, "atoi", _times_ten\)/),
  );
});

test('convert PATH...: a converted function whose errcheck is set where the plan cannot follow stays ctypes, with the reason', () => {
  staysCtypes(
    {
      'pkg/native.py': 'import ctypes\n\nlibc = ctypes.CDLL(None)\natoi = libc.atoi\natoi.argtypes = [ctypes.c_char_p]\natoi.restype = ctypes.c_int\n',
      'main.py': 'from pkg import native\n\nnative.atoi.errcheck = lambda result, func, args: result * 10\nprint(native.atoi(b"42"))\n',
    },
    /main\.py:\d+: left for a human: native\.atoi\.errcheck: native\.atoi is a converted function here/,
  );
});

// fuzz seed 26300927: `import pkg.native` then `pkg.native.f.errcheck = g` was converted, and raised AttributeError
test('convert PATH...: an errcheck set through a submodule path, a re-export or a star import stays ctypes, with the reason', () => {
  const native = 'import ctypes\n\nlibc = ctypes.CDLL(None)\natoi = libc.atoi\natoi.argtypes = [ctypes.c_char_p]\natoi.restype = ctypes.c_int\n';
  staysCtypes(
    { 'pkg/native.py': native, 'main.py': 'import pkg.native\n\npkg.native.atoi.errcheck = lambda result, func, args: result * 10\nprint(pkg.native.atoi(b"42"))\n' },
    /main\.py:\d+: left for a human: pkg\.native\.atoi\.errcheck: pkg\.native\.atoi is a converted function here/,
  );
  staysCtypes(
    {
      'pkg/__init__.py': 'from .native import atoi\n',
      'pkg/native.py': native,
      'main.py': 'import pkg\n\npkg.atoi.errcheck = lambda result, func, args: result * 10\nprint(pkg.atoi(b"42"))\n',
    },
    /main\.py:\d+: left for a human: pkg\.atoi\.errcheck: pkg\.atoi is a converted function here/,
  );
  // fuzz seed 27100931: the same through `from pkg.native import *`
  staysCtypes(
    { 'pkg/native.py': native, 'main.py': 'from pkg.native import *\n\natoi.errcheck = lambda result, func, args: result * 10\nprint(atoi(b"42"))\n' },
    /main\.py:\d+: left for a human: atoi\.errcheck: atoi is a converted function here/,
  );
});

test('convert PATH...: functions without argtypes called on a library of another module (header prototypes)', () => {
  convertsFully({
    'pkg/native.py': 'import ctypes\n\nlibc = ctypes.CDLL(None)\n',
    'main.py': `from ctypes import c_char_p
from pkg import native as nat
from pkg.native import libc

nat.libc.strerror.restype = c_char_p
print(nat.libc.strerror(2), nat.libc.labs(-7), libc.abs(-3))
`,
  });
});

test('convert PATH...: a function without argtypes used in several modules, its restype set in one of them', () => {
  convertsFully({
    'pkg/native.py': `import ctypes

libc = ctypes.CDLL(None)
libc.strerror.restype = ctypes.c_char_p


def magnitude(n):
    return libc.labs(n)
`,
    'pkg/other.py': `from pkg.native import libc


def describe(code):
    return libc.strerror(code), libc.labs(-code)
`,
    'main.py': `from pkg import native as nat
from pkg.other import describe

print(nat.libc.strerror(2), nat.magnitude(-7), nat.libc.labs(-3), describe(13))
`,
  });
});

// session 10: the fuzz's `declare(lib, name, restype, argtypes)` shape, its library a parameter. Until then the
// plan followed only a helper whose getattr names one library, and this one kept the binding ctypes.
const LIB_PARAM_HELPER = `import ctypes
import ctypes.util

libc = ctypes.CDLL("libc.so.6")
libz = ctypes.cdll.LoadLibrary(ctypes.util.find_library("z"))


def declare(lib, name, restype, argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = argtypes
    return fn


adler32 = declare(libz, "adler32", ctypes.c_ulong, [ctypes.c_ulong, ctypes.c_char_p, ctypes.c_uint])
labs = declare(libc, "labs", ctypes.c_long, [ctypes.c_long])
`;

test('convert PATH...: a declaring helper whose library is a parameter declares each call on the library it is handed', () => {
  convertsFully(
    {
      'pkg/native.py': LIB_PARAM_HELPER,
      'main.py': 'from pkg.native import adler32, labs\n\nprint(adler32(1, b"delta", 5), labs(-123456789))\n',
    },
    (converted) => {
      const out = converted['pkg/native.py']!;
      assert.match(out, /unsigned long adler32\(unsigned long, char \*, unsigned int\);/);
      assert.match(out, /long labs\(long\);/);
    },
  );
  // one library wrapped (libc's strlen has no argtypes: a _Library), the other not: the helper reads either
  convertsFully({
    'pkg/native.py': `${LIB_PARAM_HELPER}\n\ndef length(b):\n    return libc.strlen(b)\n`,
    'main.py': 'from pkg.native import adler32, labs, length\n\nprint(adler32(1, b"delta", 5), labs(-123456789), length(b"abc"))\n',
  }, (converted) => assert.match(converted['pkg/native.py']!, /size_t strlen\(/));
});

test('convert PATH...: a helper with a library parameter that another module calls, or that is handed another library, stays ctypes', () => {
  staysCtypes(
    {
      'pkg/native.py': LIB_PARAM_HELPER,
      'main.py': 'import ctypes\nfrom pkg.native import declare, libc\n\nabs_ = declare(libc, "abs", ctypes.c_int, [ctypes.c_int])\nprint(abs_(-3))\n',
    },
    /left for a human/,
  );
  staysCtypes(
    {
      'pkg/native.py': `${LIB_PARAM_HELPER}\nother = ctypes.CDLL("libm.so.6")\nfor lib in (other,):\n    fabs = declare(lib, "fabs", ctypes.c_double, [ctypes.c_double])\n`,
      'main.py': 'from pkg.native import fabs\n\nprint(fabs(-2.5))\n',
    },
    /declare\(…\) is handed lib: the plan follows a library parameter only for a library this module loads/,
  );
});
