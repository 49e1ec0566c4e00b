// The project engine on a library a package re-exports (issue #12): `pkg/__init__.py` says `from ._nat import libc`
// (or `from ._nat import *`) and the modules read `from . import libc`, `from pkg import libc as L`, `pkg.libc`,
// or star-import the package. Until session 10 the plan did not see those calls: a function only they called (without argtypes,
// so declared from the header) was declared nowhere, and the output invariant's check skipped `pkg/api.py`
// because its text names no module that loads a library: an AttributeError at run time, with no TODO. Each
// converted package prints what the original prints under CPython+cffi and PyPy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertsFully, staysCtypes } from '../snippets/projectConversion';

const NAT = `import ctypes

libc = ctypes.CDLL("libc.so.6")
libc.abs.argtypes = [ctypes.c_int]
libc.abs.restype = ctypes.c_int
`;

test("convert PATH...: calls through a package's re-export (from-import, alias, star chain) are planned on the library that defines them", () => {
  convertsFully(
    {
      'pkg/_nat.py': NAT,
      'pkg/__init__.py': 'from ._nat import libc\n',
      'pkg/api.py': 'from . import libc\n\n\ndef absval(x):\n    return libc.abs(x) + libc.labs(x)\n',
      'pkg/other.py': 'from pkg import libc as L\n\n\ndef upper(c):\n    return L.toupper(c)\n',
      'pkg/sub/__init__.py': 'from .._nat import *\n',
      'pkg/sub/deep.py': 'from . import *\n\n\ndef big(x):\n    return libc.llabs(x)\n',
      'pkg/attr.py': 'import pkg\nimport pkg.sub as s\n\n\ndef length(b):\n    return pkg.libc.strlen(b), s.libc.tolower(65)\n',
      'main.py': 'from pkg.api import absval\nfrom pkg.other import upper\nfrom pkg.sub.deep import big\nfrom pkg.attr import length\n\nprint(absval(-5), upper(97), big(-12345678901234), length(b"abc"))\n',
    },
    (converted) => {
      // every function the modules call is declared where the library is loaded (from the header: no argtypes)
      for (const f of ['int abs(int);', 'labs(', 'toupper(', 'llabs(', 'strlen(', 'tolower(']) assert.ok(converted['pkg/_nat.py']!.includes(f), `${f}\n${converted['pkg/_nat.py']}`);
      assert.equal(converted['pkg/__init__.py'], 'from ._nat import libc\n');
    },
  );
});

test('convert PATH...: a re-export the package binds again (a fallback on ImportError) is not followed, and the binding stays ctypes', () => {
  staysCtypes(
    {
      'pkg/_nat.py': NAT,
      'pkg/__init__.py': 'try:\n    from ._nat import libc\nexcept ImportError:\n    libc = None\n',
      'pkg/api.py': 'from . import libc\n\n\ndef absval(x):\n    return libc.abs(x) + libc.labs(x)\n',
      'main.py': 'from pkg.api import absval\n\nprint(absval(-5))\n',
    },
    /pkg\/__init__\.py:4: left for a human: the library libc is loaded in pkg\._nat and used here/,
  );
});
