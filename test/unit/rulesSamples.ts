/** A sample input per rule: `at` is the text its finding starts with (for line checks). */
export interface Sample {
  src: string;
  at: string;
  uri?: string;
  /** A C source (checked with lintCSource) rather than Python. */
  c?: boolean;
}

/** 1-based line of the first occurrence of `at` in the sample. */
export function sampleLine(s: Sample): number {
  const i = s.src.indexOf(s.at);
  if (i < 0) throw new Error(`sample does not contain ${s.at}`);
  return s.src.slice(0, i).split('\n').length;
}

/** One input per rule in which it must fire (Python unless the key says C). */
export const FIRES: Record<string, Sample> = {
  PB101: { src: 'import ctypes\nlibc = ctypes.CDLL(None)\n', at: 'ctypes.CDLL(None)' },
  PB102: { src: 'import _rawffi\n', at: '_rawffi' },
  PB103: { src: '#include <Python.h>\nstatic PyObject *f(PyObject *self) { Py_RETURN_NONE; }\n', at: '#include <Python.h>', c: true },
  PB104: { src: 'from pypy.interpreter.mixedmodule import MixedModule\nclass Module(MixedModule):\n    interpleveldefs = {}\n', at: 'Module(', uri: 'file:///home/u/ext/moduledef.py' },
  PB201: { src: 'import ctypes\nctypes.pythonapi.Py_IncRef\n', at: 'ctypes.pythonapi' },
  PB202: { src: 'import sys, ctypes\nsys.getrefcount(ctypes)\n', at: 'sys.getrefcount' },
  PB203: { src: 'import ctypes\nctypes.c_void_p(id(object()))\n', at: 'id(object())' },
  PB204: { src: 'import ctypes\nlibc = ctypes.CDLL(None)\np = libc.malloc(8)\n', at: 'libc.malloc' },
  PB205: { src: 'import ctypes\nlibc = ctypes.CDLL(None)\nlibc.puts("x")\n', at: 'libc.puts' },
  PB206: { src: 'import ctypes\nclass F(ctypes.Structure):\n    _fields_ = [("a", ctypes.c_uint, 2)]\nbytes(F())\n', at: 'bytes(F())' },
  PB207: { src: 'import ctypes\nlibc = ctypes.CDLL(None)\nbuf = b"\\0" * 64\nlibc.strcpy(buf, b"x")\n', at: 'buf, b"x"' },
  PB301: { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("int f(int a int b);")\n', at: 'int b);' },
  PB302: { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("#include <x.h>")\n', at: '#include <x.h>' },
  PB303: { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("#define N ...")\nlib = ffi.dlopen(None)\n', at: '...' },
  PB304: { src: 'import cffi\nffi = cffi.FFI()\nffi.new("int")\n', at: '"int"' },
  PB305: { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("int f(int);")\nlib = ffi.dlopen(None)\nlib.g\n', at: 'g' },
  PB306: { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("int f(int);")\nlib = ffi.dlopen(None)\nlib.f()\n', at: 'lib.f()' },
  PB307: { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("int printf(const char *, ...);")\nlib = ffi.dlopen(None)\nlib.printf(b"%d", 1)\n', at: '1)' },
  PB308: { src: 'import cffi\nffi = cffi.FFI()\nffi.cast("int *", ffi.new("int[2]"))\n', at: 'ffi.new("int[2]")' },
  PB309: { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("int f(int *);")\nlib = ffi.dlopen("libc.so.6")\nlib.f(None)\n', at: 'None' },
  PB310: { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("time_t t(void);")\n', at: 'time_t' },
  PB312: { src: 'import ctypes, cffi\nffi = cffi.FFI()\nlibc = ctypes.CDLL(None)\nlibc.strlen(ffi.new("char[]", b"abc"))\n', at: 'ffi.new("char[]"' },
  PB311: { src: 'import cffi\nffi = cffi.FFI()\nffi.set_source("_m", "#include <Python.h>")\n', at: '#include <Python.h>' },
};


/** More inputs, for the checks that apply to every message (one line, about 100 characters). */
export const MORE_SAMPLES: Sample[] = [
  { src: 'import ctypes\nctypes.resize(ctypes.c_int(), 8)\nctypes.PyDLL(None)\n', at: 'ctypes.resize' },
  { src: 'import ctypes\nctypes.cast(id(x), ctypes.c_void_p)\nctypes.cast(p, ctypes.py_object)\n', at: 'id(x)' },
  { src: 'import ctypes\nlibc = ctypes.CDLL("libc.so.6")\nn = libc.strlen(b"abc")\ns = libc.getenv(b"HOME")\n', at: 'libc.strlen' },
  { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("""\n#include <zlib.h>\n#ifdef X\n#endif\n#pragma pack(1)\n#define F(x) x\nint __attribute__((unused)) f(void);\n""")\n', at: '#include' },
  { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("""\nint f(int a, , int b);\nint g(int\nstruct s { int a }\nunsigned float x;\nint h(void) { return 0; }\n""")\n', at: 'int f' },
  { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("typedef struct { ...; } s_t; pid_t p(void);")\nlib = ffi.dlopen(None)\nffi.new("char *", b"x")\nlib.q\n', at: '...' },
  { src: 'import cffi\nffi = cffi.FFI()\np = ffi.new("int *")\np.next = ffi.new("int *")\nffi.new("int *[]", [ffi.new("int *")])\nffi.addressof(ffi.new("struct s *"))\n', at: 'ffi.new' },
];
