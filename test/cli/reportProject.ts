import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A generated project for the readiness report: a package with a ctypes module the converter handles whole
 * (libc), one it handles in part (a callback and an unreadable argtypes), a module using the first one's library, one that fails on PyPy (pythonapi,
 * getrefcount), a cffi module, a package marker without bindings, and a C-API extension.
 */
export const PROJECT: Record<string, string> = {
  'fastpkg/__init__.py': '',
  'fastpkg/_libc.py': 'import ctypes\n\nlibc = ctypes.CDLL("libc.so.6")\nlibc.strlen.argtypes = [ctypes.c_char_p]\nlibc.strlen.restype = ctypes.c_size_t\nlibc.abs.argtypes = [ctypes.c_int]\nlibc.abs.restype = ctypes.c_int\n\n\ndef length(b):\n    return libc.strlen(b)\n\n\ndef absolute(n):\n    return libc.abs(n)\n',
  'fastpkg/broken.py': 'import ctypes\nimport sys\n\nincref = ctypes.pythonapi.Py_IncRef\nprint(sys.getrefcount(1))\n',
  'fastpkg/mixed.py': 'import ctypes\nlibm = ctypes.CDLL("libm.so.6")\nlibm.frexp.argtypes = [ctypes.c_double, ctypes.POINTER(ctypes.c_int)]\nlibm.frexp.restype = ctypes.c_double\ne = ctypes.c_int()\nprint(libm.frexp(8.0, ctypes.byref(e)), e.value)\ncb = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda x: x)\nlibm.weird.argtypes = [ctypes.py_object]\nlibm.weird(cb)\n',
  'fastpkg/uses_libc.py': 'from ._libc import libc\n\nprint(libc.strlen(b"abc"))\n',
  'fastpkg/modern.py': 'import cffi\n\nffi = cffi.FFI()\nffi.cdef("size_t strlen(const char *); int abs(int);")\nlib = ffi.dlopen(None)\nprint(lib.abs(-2))\n',
  'fastpkg/plain.py': 'def f():\n    return 1\n',
  'ext/_speedups.c': '#include <Python.h>\nstatic PyObject *f(PyObject *s, PyObject *a) { Py_RETURN_NONE; }\n',
};

export function writeProject(dir: string): void {
  for (const [name, text] of Object.entries(PROJECT)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}
