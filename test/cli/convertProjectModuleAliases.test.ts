// The project engine (`convert --write main.py pkg`) on a module of the package reached through another name
// (issue #12): `m = nat` at module level or in a function, `n = n2` after `import pkg.nat as n2`, `x = pkg`, an alias
// of an alias. Until session 9 the plan did not see `m.libc.f()`: a function only the alias called was declared
// nowhere, an AttributeError at run time with no TODO. Now an alias bound once and read only as `m.attr` is planned
// as the import it names; any other use of the module as a value keeps the binding ctypes, with the reason. Each
// converted package prints what the original prints under CPython+cffi and PyPy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertsFully, staysCtypes } from '../snippets/projectConversion';

// strlen is declared; abs, toupper and labs only through an alias, without argtypes (the header's prototypes)
const NATIVE = `import ctypes

libc = ctypes.CDLL("libc.so.6")
libc.strlen.argtypes = [ctypes.c_char_p]
libc.strlen.restype = ctypes.c_size_t


class Holder:
    lib = ctypes.CDLL("libc.so.6")


Holder.lib.strlen.argtypes = [ctypes.c_char_p]
Holder.lib.strlen.restype = ctypes.c_size_t
`;

test('convert PATH...: a module reached through an alias (module level, in a function, of an alias, a package) converts with the functions the alias calls', () => {
  convertsFully(
    {
      'pkg/native.py': NATIVE,
      'main.py': `import ctypes
import pkg
import pkg.native as n2
from pkg import native

x = native
n = n2
whole = pkg


def in_function():
    m = native
    again = m
    return m.libc.abs(-5), again.libc.toupper(97)


class Case:
    def run(self):
        for _ in range(2):
            k = native
            print(k.libc.abs(-6))


x.libc.labs.argtypes = [ctypes.c_long]
x.libc.labs.restype = ctypes.c_long
print(x.libc.abs(-3), x.libc.strlen(b"abcd"), x.libc.labs(-123456789012))
print(in_function(), n.libc.abs(-7), whole.native.libc.abs(-8))
Case().run()
print(native.libc.strlen(b"ab"))
`,
    },
    (c) => {
      // what only the aliases call is declared in the library's module
      for (const f of ['abs', 'toupper', 'labs']) assert.match(c['pkg/native.py']!, new RegExp(`\\b${f}\\(`), f);
    },
  );
});

test('convert PATH...: a class-held library reached through a module alias (x.Holder.lib) converts as native.Holder.lib', () => {
  convertsFully({ 'pkg/native.py': NATIVE, 'main.py': 'from pkg import native\nx = native\nprint(x.Holder.lib.abs(-9), native.Holder.lib.strlen(b"ab"), native.libc.strlen(b"a"))\n' });
});

test('convert PATH...: a module used as a value the plan cannot follow keeps the binding ctypes, with the reason', () => {
  const native = { 'pkg/native.py': NATIVE };
  // handed to a function, a default value, kept in a list
  staysCtypes({ ...native, 'main.py': 'from pkg import native\n\n\ndef g(m):\n    return m.libc.abs(-3)\n\n\nprint(g(native), native.libc.strlen(b"abc"))\n' }, /main\.py:\d+: left for a human: native is the module pkg\.native used as a value here/);
  staysCtypes({ ...native, 'main.py': 'import pkg.native as n2\n\n\ndef g(n=n2):\n    return n.libc.abs(-3)\n\n\nprint(g(), n2.libc.strlen(b"abc"))\n' }, /main\.py:\d+: left for a human: n2 is the module pkg\.native used as a value here/);
  staysCtypes({ ...native, 'main.py': 'from pkg import native\nmods = [native]\nprint(mods[0].libc.abs(-3), native.libc.strlen(b"abc"))\n' }, /main\.py:\d+: left for a human: native is the module pkg\.native used as a value here/);
  // bound twice; read outside the function that binds it; another module's alias
  staysCtypes({ ...native, 'main.py': 'import os\nfrom pkg import native\nx = native\nprint(x.libc.abs(-5))\nx = os\nprint(native.libc.strlen(b"ab"))\n' }, /main\.py:\d+: left for a human: x = native makes x another name of the module pkg\.native, which the plan follows only when x is bound once/);
  staysCtypes({ ...native, 'main.py': 'from pkg import native\n\n\ndef f():\n    m = native\n    return m.libc.abs(-5)\n\n\ndef g(m):\n    return m.libc.abs(-6)\n\n\nprint(f(), g(native), native.libc.strlen(b"ab"))\n' }, /main\.py:\d+: left for a human: m = native makes m another name/);
  staysCtypes({ ...native, 'pkg/helper.py': 'from pkg import native\nx = native\n', 'main.py': 'from pkg import native, helper\nfrom pkg.helper import x\nprint(helper.x.libc.abs(-3), x.libc.abs(-4), native.libc.strlen(b"abc"))\n' }, /main\.py:\d+: left for a human: helper\.x \(an alias in pkg\.helper\) is the module pkg\.native used as a value here/);
});

test('convert PATH...: a library re-exported by the package converts (from .native import *, from .native import libc); one reached through a submodule imported under another name is caught by the output check', () => {
  // session 10: re-exports are followed (plan/reexports.ts); `pkg.n` (`from . import native as n` in __init__) is not,
  // and the output invariant (check/libraryReach.ts) finds abs undeclared
  const native = { 'pkg/native.py': NATIVE };
  convertsFully({ ...native, 'pkg/__init__.py': 'from .native import *\n', 'main.py': 'import pkg\nprint(pkg.libc.abs(-5), pkg.libc.strlen(b"ab"))\n' });
  convertsFully({ ...native, 'pkg/__init__.py': 'from .native import libc\n', 'main.py': 'from pkg import libc\nprint(libc.abs(-5), libc.strlen(b"ab"))\n' });
  staysCtypes({ ...native, 'pkg/__init__.py': 'from . import native as n\n', 'main.py': 'import pkg\nprint(pkg.n.libc.abs(-5), pkg.native.libc.strlen(b"ab"))\n' }, /main\.py:\d+: left for a human: pkg\.n\.libc\.abs is not declared in the cdef of pkg\.native/);
});
