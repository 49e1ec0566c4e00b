/**
 * ctypes names with their cffi counterpart and what changes on the way, in our own words
 * (facts: the ctypes→cffi table of docs/reference, checked on CPython and PyPy).
 */

export interface CtypesHint {
  /** The cffi spelling, as Markdown. */
  cffi: string;
  /** What to watch for, on PyPy or when converting. */
  note?: string;
}

export const CTYPES_API: Readonly<Record<string, CtypesHint>> = {
  CDLL: { cffi: '`ffi.dlopen(path)` after `ffi.cdef(...)`', note: '`use_errno=True` is not needed: cffi always saves `errno` (`ffi.errno`).' },
  WinDLL: { cffi: '`ffi.dlopen("name.dll")`; callbacks and function pointers need `__stdcall` (`WINAPI`) in the cdef' },
  OleDLL: { cffi: '`ffi.dlopen("name.dll")`, declaring `HRESULT` results and checking them yourself' },
  PyDLL: { cffi: 'none: cffi code must not call the CPython C API', note: 'Missing on PyPy (`AttributeError`).' },
  pydll: { cffi: 'none: cffi code must not call the CPython C API', note: 'Missing on PyPy (`AttributeError`).' },
  pythonapi: { cffi: 'none: cffi code must not call the CPython C API', note: 'Missing on PyPy (`AttributeError`): PyPy has no real `PyObject *` to hand out.' },
  PYFUNCTYPE: { cffi: 'none', note: 'Exists on PyPy, but without CPython’s GIL/C-API meaning.' },
  py_object: { cffi: '`ffi.new_handle(obj)` / `ffi.from_handle(p)` for an opaque pointer to a Python object', note: 'On PyPy a `py_object` holds an index into a Python-side list, not a `PyObject *`.' },
  cdll: { cffi: '`ffi.dlopen(path)`' },
  windll: { cffi: '`ffi.dlopen("name.dll")`' },
  oledll: { cffi: '`ffi.dlopen("name.dll")`' },
  LoadLibrary: { cffi: '`ffi.dlopen(path)`' },
  CFUNCTYPE: { cffi: 'ABI mode: `@ffi.callback("R(A, B)")`; API mode: `extern "Python" R f(A, B);` in the cdef + `@ffi.def_extern()`', note: 'Keep the callback object alive while C may call it, as with ctypes.' },
  WINFUNCTYPE: { cffi: '`ffi.callback("R __stdcall(A, B)")`' },
  POINTER: { cffi: '`T *` in the type string' },
  pointer: { cffi: 'for a struct, `ffi.addressof(s)` or the `"struct S *"` cdata itself; for a value, allocate it with `ffi.new("T *")`', note: '`ffi.new("T *", v)` copies `v`, where `ctypes.pointer` aliases it.' },
  byref: { cffi: 'pass the `ffi.new("T *")` cdata itself', note: 'With an offset, ctypes counts bytes while `p + k` in cffi counts items.' },
  cast: { cffi: '`ffi.cast("T *", obj)`', note: '`ctypes.cast` keeps its source alive; `ffi.cast` does not, so casting a temporary is a use-after-free in cffi.' },
  sizeof: { cffi: '`ffi.sizeof("T")`', note: 'For an instance from `ffi.new("S *")` use `ffi.sizeof(p[0])`: `ffi.sizeof(p)` is the pointer size.' },
  alignment: { cffi: '`ffi.alignof("T")`' },
  addressof: { cffi: '`int(ffi.cast("uintptr_t", p))`, or `ffi.addressof(s)` for a pointer to a struct' },
  create_string_buffer: { cffi: '`ffi.new("char[]", n_or_bytes)`; read it with `ffi.string(buf)`, `ffi.buffer(buf)[:]` for `.raw`' },
  c_buffer: { cffi: '`ffi.new("char[]", n_or_bytes)` (`c_buffer` is a deprecated alias of `create_string_buffer`)' },
  create_unicode_buffer: { cffi: '`ffi.new("wchar_t[]", n_or_str)`' },
  string_at: { cffi: '`ffi.string(ffi.cast("char *", addr))`, or `ffi.unpack(ffi.cast("char *", addr), n)` with a length' },
  wstring_at: { cffi: '`ffi.string(ffi.cast("wchar_t *", addr))`' },
  memmove: { cffi: '`ffi.memmove(dst, src, n)`', note: 'cffi takes cdata or buffers, not integer addresses.' },
  memset: { cffi: '`ffi.buffer(dst, n)[:] = bytes([c]) * n`, or declare `memset` in the cdef', note: 'There is no `ffi.memset`.' },
  get_errno: { cffi: '`ffi.errno`' },
  set_errno: { cffi: '`ffi.errno = value`' },
  get_last_error: { cffi: '`ffi.getwinerror()[0]`' },
  resize: { cffi: 'none: allocate a new buffer and `ffi.memmove` into it', note: 'Not implemented on PyPy (`NotImplementedError`).' },
  Structure: { cffi: '`struct S { ... };` in the cdef, then `ffi.new("struct S *")`', note: 'cdata types cannot be subclassed: methods move to a wrapper class.' },
  Union: { cffi: '`union U { ... };` in the cdef' },
  BigEndianStructure: { cffi: 'none (cffi uses the native byte order)', note: 'Use `struct.unpack` or swap bytes by hand.' },
  LittleEndianStructure: { cffi: 'none (cffi uses the native byte order)', note: 'Use `struct.unpack` or swap bytes by hand.' },
  ARRAY: { cffi: '`T[n]` in the type string' },
  ArgumentError: { cffi: 'cffi raises `TypeError` or `OverflowError` instead' },
  RTLD_GLOBAL: { cffi: '`ffi.RTLD_GLOBAL` as the `flags` of `ffi.dlopen`' },
  SetPointerType: { cffi: 'not needed: declare the struct before pointing to it' },
};

/** Per-type notes that matter when the same C type is used through cffi. */
export const PRIMITIVE_NOTES: Readonly<Record<string, string>> = {
  c_char_p: 'ctypes returns `bytes` (or `None`); cffi returns a `char *` cdata: read it with `ffi.string(p)` after checking `p != ffi.NULL`. Arguments must be `bytes`, not `str`.',
  c_wchar_p: 'cffi returns a `wchar_t *` cdata: read it with `ffi.string(p)`.',
  c_void_p: 'ctypes returns an `int` (or `None`); cffi returns a cdata (`ffi.NULL` when null) and rejects `None` and plain integers as arguments (`ffi.cast("void *", addr)`).',
  c_longdouble: 'cffi returns a `long double` cdata, not a float: wrap it in `float()`.',
  c_bool: 'cffi checks the range: storing 5 raises `OverflowError`, where ctypes stores `True`.',
  c_time_t: 'cffi does not predefine `time_t`: declare `typedef long time_t;` (ABI, LP64 POSIX) or `typedef int... time_t;` (API mode).',
  py_object: 'There is no C spelling cffi can use: pass Python objects through `ffi.new_handle()`.',
};
