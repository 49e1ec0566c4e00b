/**
 * The code of every snippet and every generated module, written once. Field defaults are the snippet's
 * example, chosen so each cffi/ctypes snippet runs as is against the C library; `fixed` slots are example
 * code the snippet shows verbatim and the generator replaces with hints for the user's library.
 * Text is raw: backslashes are Python's. Module names stay in slot `module`.
 */
import { END, fixed, python } from './template';

const noDoc = fixed('');

// ---------------------------------------------------------------- cffi, ABI mode, in-line

export const cffiAbiInline = python({
  doc: noDoc,
  decls: 'const char *strerror(int errnum);',
  library: '"c"',
  use: fixed('message = lib.strerror(2)  # a char * comes back as cdata: ffi.string() copies it to bytes\nprint(ffi.string(message).decode())\n'),
})`
${'doc'}from cffi import FFI

ffi = FFI()
# ABI mode: nothing checks these declarations, so copy them exactly from the C
# header (no #include, no "..."); a wrong one crashes instead of failing.
ffi.cdef("""
    ${'decls'}
""")
# In-line ABI mode also finds a bare name through ctypes.util.find_library.
# Keep 'lib' referenced: the library is closed when it is garbage collected.
lib = ffi.dlopen(${'library'})

${'use'}${END}
`;

// ---------------------------------------------------------------- cffi, ABI mode, out-of-line

export const cffiAbiBuild = python({
  doc: noDoc,
  module: 'example',
  decls: 'const char *strerror(int errnum);',
})`
${'doc'}from cffi import FFI

ffibuilder = FFI()
# None instead of C source: ABI mode, nothing is compiled. compile() writes a
# .py module that imports faster than parsing the cdef at every start.
ffibuilder.set_source("_${'module'}", None)
ffibuilder.cdef("""
    ${'decls'}
""")

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
${END}`;

export const cffiAbiImport = python({
  doc: noDoc,
  findImport: fixed('import ctypes.util\n\n'),
  module: 'example',
  library: 'ctypes.util.find_library("c")',
  use: fixed('print(ffi.string(lib.strerror(2)).decode())\n'),
})`
${'doc'}${'findImport'}from _${'module'} import ffi

# Out-of-line ABI mode does not search for a bare library name: give a path.
lib = ffi.dlopen(${'library'})

${'use'}${END}
`;

// ---------------------------------------------------------------- cffi, API mode, out-of-line

export const cffiApiBuild = python({
  doc: noDoc,
  module: 'example',
  csource: '#include <errno.h>\n#include <string.h>',
  libraries: '',
  decls: 'size_t strlen(const char *s);\nchar *strerror(int errnum);\n#define ENOENT ...',
})`
${'doc'}from cffi import FFI

ffibuilder = FFI()
# API mode: this C source is compiled together with the declarations below, so
# the compiler checks them, and "..." may stand for details the header knows.
ffibuilder.set_source(
    "_${'module'}",
    r"""
    ${'csource'}
    """,
    libraries=[${'libraries'}],  # linked with -l<name>, e.g. ["z"] for libz
)
ffibuilder.cdef("""
    ${'decls'}
""")

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
${END}`;

export const cffiApiImport = python({
  doc: noDoc,
  module: 'example',
  use: fixed('print(lib.strlen(b"hello"))\nprint(ffi.string(lib.strerror(lib.ENOENT)).decode())\n'),
})`
${'doc'}# The extension built by the _build.py script: no dlopen, the linker did it.
from _${'module'} import ffi, lib

${'use'}${END}
`;

// ---------------------------------------------------------------- setup.py

export const cffiSetupPy = python({
  module: 'example',
})`
# cffi has no pyproject.toml-only configuration: setup.py names the build scripts.
from setuptools import setup

setup(
    name="${'module'}",
    version="0.1.0",
    py_modules=["${'module'}"],
    setup_requires=["cffi>=1.0.0"],
    cffi_modules=["${'module'}_build.py:ffibuilder"],
    install_requires=["cffi>=1.0.0"],  # on PyPy cffi is built in and satisfies this
)
${END}`;

// ---------------------------------------------------------------- callbacks and handles

export const cffiCallbackAbi = python({
  callback: 'compare',
})`
from cffi import FFI

ffi = FFI()
ffi.cdef("""
    void qsort(void *base, size_t nmemb, size_t size,
               int (*compar)(const void *, const void *));
""")
lib = ffi.dlopen(None)  # the C library itself (POSIX only)


# ABI mode: a libffi closure. Keep the returned object alive while C may call it;
# if the Python code raises, C receives 'error'.
@ffi.callback("int(const void *, const void *)", error=0)
def ${'callback'}(a, b):
    x = ffi.cast("int *", a)[0]
    y = ffi.cast("int *", b)[0]
    return (x > y) - (x < y)


values = ffi.new("int[]", [5, 3, 1, 4, 2])
lib.qsort(values, len(values), ffi.sizeof("int"), ${'callback'})
print(list(values))${END}
`;

export const cffiExternPythonBuild = python({
  module: 'example',
  callback: 'compare',
})`
from cffi import FFI

ffibuilder = FFI()
ffibuilder.set_source("_${'module'}", r"""
    #include <stdlib.h>
""")
ffibuilder.cdef("""
    /* extern "Python": cffi generates this C function; its body is the Python
       function decorated with @ffi.def_extern(). No libffi closure needed. */
    extern "Python" int ${'callback'}(const void *a, const void *b);
    void qsort(void *base, size_t nmemb, size_t size,
               int (*compar)(const void *, const void *));
""")

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
${END}`;

export const cffiDefExtern = python({
  module: 'example',
  callback: 'compare',
})`
from _${'module'} import ffi, lib


@ffi.def_extern(error=0)  # C receives 'error' if the Python code raises
def ${'callback'}(a, b):
    x = ffi.cast("int *", a)[0]
    y = ffi.cast("int *", b)[0]
    return (x > y) - (x < y)


values = ffi.new("int[]", [5, 3, 1, 4, 2])
lib.qsort(values, len(values), ffi.sizeof("int"), lib.${'callback'})
print(list(values))${END}
`;

export const cffiHandle = python({
  callback: 'compare',
})`
from cffi import FFI

ffi = FFI()
ffi.cdef("""
    void qsort_r(void *base, size_t nmemb, size_t size,
                 int (*compar)(const void *, const void *, void *), void *arg);
""")
lib = ffi.dlopen(None)  # glibc's qsort_r passes 'arg' through as void *userdata


class Counter:
    calls = 0


@ffi.callback("int(const void *, const void *, void *)", error=0)
def ${'callback'}(a, b, userdata):
    counter = ffi.from_handle(userdata)  # back to the Python object
    counter.calls += 1
    x = ffi.cast("int *", a)[0]
    y = ffi.cast("int *", b)[0]
    return (x > y) - (x < y)


counter = Counter()
# A void * that stands for a Python object. Never id(obj): that is no address
# on PyPy. Keep the handle alive while C holds it, or from_handle() crashes.
handle = ffi.new_handle(counter)
values = ffi.new("int[]", [5, 3, 1, 4, 2])
lib.qsort_r(values, len(values), ffi.sizeof("int"), ${'callback'}, handle)
print(list(values), counter.calls > 0)${END}
`;

// ---------------------------------------------------------------- ctypes

export const ctypesModule = python({
  doc: noDoc,
  library: 'ctypes.util.find_library("c")',
  declarations: fixed(`class DivT(ctypes.Structure):
    _fields_ = [("quot", ctypes.c_int), ("rem", ctypes.c_int)]


lib.div.argtypes = [ctypes.c_int, ctypes.c_int]
lib.div.restype = DivT
lib.strlen.argtypes = [ctypes.c_char_p]
lib.strlen.restype = ctypes.c_size_t
`),
  use: fixed('result = lib.div(17, 5)\nprint(result.quot, result.rem, lib.strlen(b"hello"))\n'),
})`
${'doc'}import ctypes
import ctypes.util

# ctypes works on PyPy but calls are much slower there than with cffi.
# Declare argtypes AND restype for every function: restype defaults to int,
# which silently truncates pointers and 64-bit results.
lib = ctypes.CDLL(${'library'})


${'declarations'}
${'use'}${END}
`;

// ---------------------------------------------------------------- cppyy

export const cppyyModule = python({
  doc: noDoc,
  header: 'zlib.h',
  library: 'libz',
  cppdef: 'int add(int a, int b) { return a + b; }',
  use: fixed('print(cppyy.gbl.zlibVersion(), cppyy.gbl.add(1, 2))\n'),
})`
${'doc'}import sys

# On PyPy cppyy runs on the built-in _cppyy module; some builds leave it out.
if sys.implementation.name == "pypy" and "_cppyy" not in sys.builtin_module_names:
    raise ImportError("this PyPy has no built-in _cppyy module, which cppyy needs")
try:
    import cppyy
except ImportError as error:
    raise ImportError("cppyy is missing: run %s -m pip install cppyy" % sys.executable) from error

cppyy.include("${'header'}")  # declarations, parsed by Cling
cppyy.load_library("${'library'}")  # the symbols behind them
cppyy.cppdef(r"""
${'cppdef'}
""")

# Everything C++ lives under cppyy.gbl.
${'use'}${END}
`;

// ---------------------------------------------------------------- RPython mixed module

export const rpythonModuledef = python({
  doc: noDoc,
  module: 'example',
})`
${'doc'}# pypy/module/${'module'}/moduledef.py (the package's __init__.py stays empty)
from pypy.interpreter.mixedmodule import MixedModule


class Module(MixedModule):
    """Built into PyPy at translation: not a loadable extension."""

    # Python name -> "<file>.<name>" at interpreter level (RPython).
    interpleveldefs = {
        "add": "interp_${'module'}.add",
        "Accumulator": "interp_${'module'}.W_Accumulator",
    }

    # Python name -> "app_<file>.<name>": plain Python run at application level.
    appleveldefs = {
        "error": "app_${'module'}.error",
    }
${END}`;

export const rpythonInterp = python({
  doc: noDoc,
  cBinding: fixed(`# C functions are declared with rffi.llexternal and linked in at translation:
# from rpython.rtyper.lltypesystem import rffi
# from rpython.translator.tool.cbuild import ExternalCompilationInfo
# eci = ExternalCompilationInfo(includes=["string.h"], libraries=[])
# c_strlen = rffi.llexternal("strlen", [rffi.CCHARP], rffi.SIZE_T, compilation_info=eci)
`),
  module: 'example',
})`
${'doc'}from pypy.interpreter.baseobjspace import W_Root
from pypy.interpreter.error import oefmt
from pypy.interpreter.gateway import interp2app, unwrap_spec
from pypy.interpreter.typedef import TypeDef

${'cBinding'}

@unwrap_spec(a=int, b=int)
def add(space, a, b):
    # unwrap_spec turns the wrapped arguments into RPython ints
    return space.newint(a + b)


class W_Accumulator(W_Root):
    def __init__(self, total):
        self.total = total

    @unwrap_spec(amount=int)
    def descr_add(self, space, amount):
        if amount < 0:
            raise oefmt(space.w_ValueError, "amount must be >= 0, got %d", amount)
        self.total += amount
        return space.newint(self.total)


@unwrap_spec(start=int)
def descr_new(space, w_subtype, start=0):
    w_self = space.allocate_instance(W_Accumulator, w_subtype)
    w_self = space.interp_w(W_Accumulator, w_self)
    W_Accumulator.__init__(w_self, start)
    return w_self


W_Accumulator.typedef = TypeDef(
    "${'module'}.Accumulator",
    __new__=interp2app(descr_new),
    add=interp2app(W_Accumulator.descr_add),
)
${END}`;

export const rpythonApp = python({
  doc: noDoc,
  module: 'example',
})`
${'doc'}# Application level: ordinary Python, compiled into the module at translation.


class error(Exception):
    """Raised by ${'module'}."""
${END}`;

export const rpythonTest = python({
  doc: noDoc,
  module: 'example',
})`
${'doc'}# Run from a PyPy checkout: pytest pypy/module/${'module'}/test/ (no translation needed).


class AppTestModule:
    spaceconfig = {"usemodules": ["${'module'}"]}

    def test_add(self):
        import ${'module'}
        assert ${'module'}.add(2, 3) == 5

    def test_accumulator(self):
        import ${'module'}
        acc = ${'module'}.Accumulator(10)
        assert acc.add(5) == 15
        raises(ValueError, acc.add, -1)

    def test_error(self):
        import ${'module'}
        assert issubclass(${'module'}.error, Exception)
${END}`;
