// The project engine (`convert --write main.py pkg`) on libraries held by a class or its one instance
// (`plan/heldLibraries.ts`): `class Native: libc = CDLL(…)` declared as `Native.libc.f.argtypes = …` and aliases
// `f = Native.libm.f`, `self.libc = CDLL(…)` in `__init__` of the class whose one instance the module makes
// (`native = Native()`), declared there as `self.libc.f.argtypes = …`; reached from other modules as
// `nat.native.libc`, `pkg.native.native.libc`, `from pkg.native import native` then `native.libc`, and
// `Native.libc`. Each package converts fully and prints what the original prints under CPython+cffi and PyPy; a
// library reached another way (another object's `.libc`, a second instance, a call before the declaration)
// keeps the binding ctypes, with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertsFully, staysCtypes } from '../snippets/projectConversion';

const INSTANCE = `import ctypes as ct


class Native:
    def __init__(self):
        self.libc = ct.CDLL("libc.so.6")
        self.libc.strtol.argtypes = [ct.c_char_p, ct.POINTER(ct.c_char_p), ct.c_int]
        self.libc.strtol.restype = ct.c_long
        self.libc.labs.argtypes = [ct.c_long]
        self.libc.labs.restype = ct.c_long


native = Native()
`;

test('convert PATH...: a library held by the one instance of a class, declared in __init__, used from other modules', () => {
  convertsFully(
    {
      'pkg/native.py': INSTANCE,
      'pkg/util.py': `from .native import native


def absolute(v):
    return native.libc.labs(v)
`,
      'main.py': `import ctypes
import pkg.native
from pkg import native as nat
from pkg.native import native
from pkg.util import absolute

end = ctypes.c_char_p()
print(nat.native.libc.strtol(b"42zz", ctypes.byref(end), 10), end.value)
print(native.libc.labs(-7), pkg.native.native.libc.labs(-8), absolute(-9), nat.native.libc.strlen(b"abc"))
`,
    },
    (c) => assert.match(c['pkg/native.py']!, /self\.libc\.labs = _cffi_function\(self\.libc\._cffi_lib, "labs"\)/),
  );
});

test('convert PATH...: libraries held as class attributes, declared on Native.libc and by aliases, used from other modules', () => {
  convertsFully(
    {
      'pkg/native.py': `from ctypes import *


class Native:
    libc = CDLL("libc.so.6")
    libm = cdll.LoadLibrary("libm.so.6")


Native.libc.labs.argtypes = [c_long]
Native.libc.labs.restype = c_long
c_sqrt = Native.libm.sqrt
c_sqrt.argtypes = [c_double]
c_sqrt.restype = c_double
`,
      'main.py': `import pkg.native
from pkg import native as nat
from pkg.native import Native

print(Native.libc.labs(-3), nat.Native.libc.labs(-4), pkg.native.Native.libc.labs(-5), nat.c_sqrt(2.25))
`,
    },
    (c) => assert.match(c['pkg/native.py']!, /libm = _ffi\.dlopen\("libm\.so\.6"\)/),
  );
});

test('convert PATH...: a held library reached another way, made twice, or called before its declaration stays ctypes, with the reason', () => {
  staysCtypes({ 'pkg/native.py': INSTANCE, 'main.py': 'from pkg import native as nat\nother = nat.Native()\nprint(other.libc.labs(-3))\n' }, /main\.py:\d+: left for a human: other\.libc may be the library pkg\.native\.native\.libc reached another way/);
  staysCtypes({ 'pkg/native.py': `${INSTANCE}spare = Native()\n`, 'main.py': 'from pkg import native as nat\nprint(nat.native.libc.labs(-3))\n' }, /pkg\/native\.py:\d+: left for a human: self\.libc is an instance's library and Native is made 2 times/);
  staysCtypes(
    {
      'pkg/native.py': 'import ctypes\n\n\nclass Native:\n    libc = ctypes.CDLL("libc.so.6")\n\n    def absolute(self, v):\n        return self.libc.labs(v)\n\n\nNative.libc.labs.argtypes = [ctypes.c_long]\nNative.libc.labs.restype = ctypes.c_long\n',
      'main.py': 'from pkg.native import Native\nprint(Native().absolute(-9))\n',
    },
    /pkg\/native\.py:\d+: left for a human: self\.libc\.labs is called here before its argtypes are set/,
  );
});

// `self.f = self.libc.f` (or getattr, `self.libc["f"]`) then `self.f.argtypes = …` in `__init__`: the instance's
// function `native.f`, the shape fuzz seed 41's instance-held packages spell most (4100138, 4100169)
const INSTANCE_FUNCTIONS = `import ctypes as ct


class Native:
    def __init__(self):
        self.libc = ct.CDLL("libc.so.6")
        self.strncmp = self.libc.strncmp
        self.strncmp.restype = ct.c_int
        self.strncmp.argtypes = [ct.c_char_p, ct.c_char_p, ct.c_size_t]
        self.labs = getattr(self.libc, "labs")
        self.labs.argtypes = [ct.c_long]
        self.labs.restype = ct.c_long
        self.strtol = self.libc["strtol"]
        self.strtol.argtypes = (ct.c_char_p, ct.POINTER(ct.c_char_p), ct.c_int)
        self.strtol.restype = ct.c_long

        def _check(result, func, arguments):
            return result * 2

        self.strtol.errcheck = _check

    def absolute(self, v):
        return self.labs(v)


native = Native()
`;

test('convert PATH...: functions an instance binds from its library in __init__ (self.f = self.libc.f), called from other modules', () => {
  convertsFully(
    {
      'pkg/native.py': INSTANCE_FUNCTIONS,
      'main.py': `import ctypes
import pkg.native
from pkg import native as nat
from pkg.native import native

end = ctypes.c_char_p()
print(pkg.native.native.strtol(b"42zz", ctypes.byref(end), 10), end.value)
print(nat.native.strncmp(b"alphax", b"alphay", 5), nat.native.strncmp(b"ab", b"ac", 2) < 0)
print(native.labs(-7), native.absolute(-8))
`,
    },
    (c) => assert.match(c['pkg/native.py']!, /self\.strtol = _cffi_function\(self\.libc, "strtol", _check\)/),
  );
});

test('convert PATH...: an instance function bound again, given argtypes elsewhere, or of a class with __slots__ stays ctypes, with the reason', () => {
  staysCtypes({ 'pkg/native.py': INSTANCE_FUNCTIONS, 'main.py': 'from pkg.native import native\nnative.labs = native.strncmp\nprint(native.labs(b"a", b"b", 1))\n' }, /main\.py:\d+: left for a human: native\.labs binds an attribute named like the converted function pkg\.native\.native\.labs again/);
  staysCtypes({ 'pkg/native.py': INSTANCE_FUNCTIONS, 'main.py': 'from pkg import native as nat\nnat.native.labs.restype = None\nprint(nat.native.labs(-3))\n' }, /main\.py:\d+: left for a human: nat\.native\.labs\.restype: pkg\.native\.native\.labs is a converted function/);
  // `self.strtol = self.libc.strtol` is the object native.libc.strtol is: ctypes applies its errcheck there too (24, not 12)
  staysCtypes(
    { 'pkg/native.py': INSTANCE_FUNCTIONS.replace('self.libc["strtol"]', 'self.libc.strtol'), 'main.py': 'from pkg.native import native\nprint(native.libc.strtol(b"12", None, 10), native.strtol(b"12", None, 10))\n' },
    /main\.py:\d+: left for a human: native\.libc\.strtol is the function object self\.strtol is bound to/,
  );
  staysCtypes(
    { 'pkg/native.py': INSTANCE_FUNCTIONS.replace('class Native:\n', 'class Native:\n    __slots__ = ("libc", "strncmp", "labs", "strtol")\n\n'), 'main.py': 'from pkg.native import native\nprint(native.labs(-3))\n' },
    /pkg\/native\.py:\d+: left for a human: native\.libc\.strncmp used directly/,
  );
});

test('convert PATH...: lib.f called elsewhere after f = lib.f took argtypes and errcheck stays ctypes (ctypes shares the function object)', () => {
  staysCtypes(
    {
      'pkg/native.py': 'import ctypes as ct\nlibc = ct.CDLL("libc.so.6")\nstrtol = libc.strtol\nstrtol.argtypes = (ct.c_char_p, ct.POINTER(ct.c_char_p), ct.c_int)\nstrtol.restype = ct.c_long\n\n\ndef _check(result, func, arguments):\n    return result * 2\n\n\nstrtol.errcheck = _check\n',
      'main.py': 'from pkg.native import libc, strtol\nprint(strtol(b"12", None, 10), libc.strtol(b"12", None, 10))\n',
    },
    /main\.py:\d+: left for a human: libc\.strtol is the function object strtol is bound to/,
  );
});

// Session 11, measured on 80 fuzz-generated packages holding their libraries in a class or an instance (run seed
// 12): a declaring helper handed the held library was the most frequent cause left (10 packages), then `in_dll`
// of a held library from another module (7), prototypes made in `__init__` or a loop and applied there (3, and
// 1 reached from another module), `errcheck` set after the declaration in `__init__` (2)
const HELPERS = `import ctypes as ct


def declare(lib, name, restype, argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = argtypes
    return fn


class Native:
    def __init__(self):
        self.libc = ct.CDLL("libc.so.6")
        self.strlen = declare(self.libc, "strlen", ct.c_size_t, [ct.c_char_p])
        labs_proto = ct.CFUNCTYPE(ct.c_long, ct.c_long)
        self.labs = labs_proto(("labs", self.libc))
        self.libc.atoi.argtypes = [ct.c_char_p]
        self.libc.atoi.restype = ct.c_int

        def _check_atoi(result, func, arguments):
            return result * 10

        self.libc.atoi.errcheck = _check_atoi


class Held:
    libc = ct.CDLL("libc.so.6")


strerror = declare(Held.libc, "strerror", ct.c_char_p, [ct.c_int])
native = Native()
`;

test('convert PATH...: declaring helpers, in_dll, local prototypes and a later errcheck on held libraries, also from other modules', () => {
  convertsFully(
    {
      'pkg/native.py': HELPERS,
      'main.py': `import ctypes
from pkg import native as nat
from pkg.native import native, strerror

print(native.strlen(b"held"), nat.native.labs(-6), native.libc.atoi(b"42"), strerror(2))
print(ctypes.c_int.in_dll(native.libc, "optind").value, ctypes.c_int.in_dll(nat.Held.libc, "optind").value)
for k in range(2):
    abs_proto = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)
    c_abs = abs_proto(("abs", nat.native.libc))
    print(c_abs(-k - 3))
`,
    },
    (c) => {
      assert.match(c['pkg/native.py']!, /self\.strlen = declare\(self\.libc, "strlen", "size_t", \["char \*"\]\)/);
      assert.match(c['pkg/native.py']!, /self\.libc\.atoi = _cffi_function\(\s*self\.libc\._cffi_lib, "atoi", _check_atoi\s*\)/);
      assert.doesNotMatch(c['main.py']!, /abs_proto/);
    },
  );
});

test('convert PATH...: lib.f after a declaring helper took it, or a local prototype used otherwise, stays ctypes, with the reason', () => {
  // getattr in the helper is lib's one function object: ctypes gives bytes at both calls (the plan had made the second an int)
  staysCtypes(
    { 'pkg/native.py': HELPERS, 'main.py': 'from pkg.native import Held, strerror\nprint(strerror(2), Held.libc.strerror(2))\n' },
    /main\.py:\d+: left for a human: Held\.libc\.strerror is the function object strerror is bound to/,
  );
  staysCtypes(
    { 'pkg/native.py': HELPERS.replace('        self.labs = labs_proto(("labs", self.libc))\n', '        self.labs = labs_proto(("labs", self.libc))\n        self.proto = labs_proto\n'), 'main.py': 'from pkg.native import native\nprint(native.labs(-3), native.proto.__name__)\n' },
    /pkg\/native\.py:\d+: left for a human: the library native\.libc is used here in a way the plan does not follow/,
  );
});

test('convert PATH...: a function declared in a class body stays ctypes, with the reason (an instance would bind the converted function)', () => {
  // ctypes' function object is no descriptor: W().f(b"abcd") is strlen(b"abcd"); a Python function would get self too
  staysCtypes(
    {
      'pkg/native.py': 'import ctypes\n\nlibc = ctypes.CDLL("libc.so.6")\n\n\nclass W:\n    f = libc.strlen\n    f.argtypes = [ctypes.c_char_p]\n    f.restype = ctypes.c_size_t\n    P = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)\n    g = P(("abs", libc))\n',
      'main.py': 'from pkg.native import W\n\nprint(W.f(b"abc"), W().f(b"abcd"), W().g(-3), W.P.__name__)\n',
    },
    /pkg\/native\.py:\d+: left for a human: f is bound in the body of class W: converted, it would be a Python function/,
  );
});
