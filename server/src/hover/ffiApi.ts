/**
 * What each member of cffi's FFI object does, in our own words, with the mistake people most often make with it.
 * Facts checked against cffi 1.15 (PyPy 7.3.11's built-in) and cffi's ref.rst/cdef.rst.
 */

export interface FfiMember {
  /** How it is called, e.g. `ffi.new(cdecl, init=None)`. */
  signature: string;
  summary: string;
  /** The main pitfall, if there is one worth a line. */
  pitfall?: string;
}

export const FFI_API: Readonly<Record<string, FfiMember>> = {
  cdef: {
    signature: 'ffi.cdef(source, override=False, packed=False, pack=None)',
    summary: 'Declares the C types, functions and globals this FFI may use, in C syntax (no preprocessor).',
    pitfall: '`...` (e.g. `int x[...]`, `struct s { ...; }`) only works in API mode, with `set_source()`; in ABI mode the declarations must be exact or calls crash.',
  },
  dlopen: {
    signature: 'ffi.dlopen(libpath, flags=0)',
    summary: 'Opens a shared library in ABI mode and returns a `lib` object exposing what the cdef declares.',
    pitfall: 'Keep the returned `lib` referenced (it is closed when collected). `dlopen(None)` does not work on Windows with Python 3; out-of-line FFIs do not fall back to `ctypes.util.find_library`.',
  },
  dlclose: {
    signature: 'ffi.dlclose(lib)',
    summary: 'Closes a library opened with `dlopen()`; further access through that `lib` raises `ValueError`.',
  },
  set_source: {
    signature: 'ffibuilder.set_source(module_name, c_source, **kwargs)',
    summary: 'Makes this FFI a builder for an out-of-line module: API mode with C source (`#include`s, `libraries=[...]`), or ABI mode when `c_source` is `None`.',
    pitfall: 'The generated module is imported as `from module_name import ffi, lib`; the build script needs `cffi_modules=["path/build.py:ffibuilder"]` in setup.py (no pyproject-only configuration).',
  },
  compile: {
    signature: 'ffibuilder.compile(tmpdir=".", verbose=False, target=None, debug=None)',
    summary: 'Generates the C (or Python, in out-of-line ABI mode) source and builds the extension module; returns the path of the result.',
    pitfall: 'On PyPy the result has PyPy’s own suffix (`.pypy39-pp73-….so`); a CPython `.abi3.so` is not importable on PyPy.',
  },
  emit_c_code: {
    signature: 'ffibuilder.emit_c_code(filename)',
    summary: 'Writes the generated C source for `set_source()` without compiling it (for build systems that compile themselves).',
  },
  emit_python_code: {
    signature: 'ffibuilder.emit_python_code(filename)',
    summary: 'Writes the generated Python module of an out-of-line ABI-mode FFI (`set_source(name, None)`).',
  },
  verify: {
    signature: 'ffi.verify(source, **kwargs)',
    summary: 'The old in-line API mode: compiles `source` at import time and returns a `lib`.',
    pitfall: 'Deprecated: use `set_source()` and `compile()` (out-of-line API mode) instead.',
  },
  new: {
    signature: 'ffi.new(cdecl, init=None)',
    summary: 'Allocates zero-filled C memory of a pointer or array type (`"int *"`, `"struct s *"`, `"char[]"`) and returns an owning cdata.',
    pitfall: 'The memory is freed when that owning cdata is collected: keep it referenced while C uses it. `ffi.cast()` of it, or storing it into another struct, does not keep it alive. `new("char *")` is one char, not a string.',
  },
  cast: {
    signature: 'ffi.cast(cdecl, value)',
    summary: 'Converts an integer or a cdata to another C type, like a C cast: `ffi.cast("int", 42)`, `ffi.cast("void *", addr)`.',
    pitfall: 'The result does not own or keep alive its source: `ffi.cast("T *", ffi.new(...))` on a temporary is a use-after-free (it often passes on CPython and fails on PyPy).',
  },
  string: {
    signature: 'ffi.string(cdata, maxlen=-1)',
    summary: 'Reads a NUL-terminated `char *`/`char[]` as `bytes` (or `wchar_t` as `str`); for an enum, gives its name; for a primitive, its value.',
    pitfall: 'Reading a NULL pointer raises `RuntimeError`: test `p == ffi.NULL` first. Use `ffi.unpack()` when the data may contain NUL bytes.',
  },
  unpack: {
    signature: 'ffi.unpack(cdata, length)',
    summary: 'Reads exactly `length` items from a pointer or array: `bytes` for `char`, `str` for `wchar_t`, otherwise a list.',
  },
  buffer: {
    signature: 'ffi.buffer(cdata, [size])',
    summary: 'A buffer view of the raw bytes of C memory (no copy); `ffi.buffer(p)[:]` copies them out, slice assignment writes in.',
    pitfall: 'The view does not keep memory alive unless built on the owning cdata; avoid `str(buf)`.',
  },
  from_buffer: {
    signature: 'ffi.from_buffer([cdecl,] python_buffer, require_writable=False)',
    summary: 'A `char[]` (or the given array/pointer type) cdata pointing into a Python buffer such as a `bytearray` or numpy array, without copying.',
    pitfall: 'It keeps the Python object alive, but never write into a `bytes` object through it.',
  },
  memmove: {
    signature: 'ffi.memmove(dest, src, n)',
    summary: 'Copies `n` bytes between cdata pointers or Python buffers; overlapping regions are allowed.',
    pitfall: 'Integer addresses are not accepted (cast them with `ffi.cast("void *", addr)`), and there is no `ffi.memset`.',
  },
  callback: {
    signature: 'ffi.callback(cdecl, python_callable=None, error=None, onerror=None)',
    summary: 'Wraps a Python function as a C function pointer (ABI mode, through libffi); usable as a decorator.',
    pitfall: 'Keep the callback object alive as long as C may call it. Prefer `extern "Python"` + `@ffi.def_extern()` in API mode: libffi closures need write-and-execute memory, which hardened systems refuse.',
  },
  def_extern: {
    signature: '@ffi.def_extern(name=None, error=0, onerror=None)',
    summary: 'Attaches a Python function to an `extern "Python"` declaration of the cdef (API mode); pass `lib.name` to C as the callback.',
    pitfall: 'If the function raises, the traceback is printed and `error` is returned to C.',
  },
  gc: {
    signature: 'ffi.gc(cdata, destructor, size=0)',
    summary: 'Returns a new cdata that calls `destructor(cdata)` when collected; `ffi.gc(p, None)` removes it again.',
    pitfall: 'On PyPy, destructors run late, in any order and in any thread: pass `size=` so the GC knows the memory pressure, and prefer `ffi.release()` or `with`.',
  },
  release: {
    signature: 'ffi.release(cdata)',
    summary: 'Frees the memory of an owning cdata (from `new`, `gc`, `from_buffer`, `new_allocator`) now, instead of at collection; also usable as `with ffi.new(...) as p:`.',
    pitfall: 'Any later use of the cdata, or of pointers into it, is a use-after-free.',
  },
  new_allocator: {
    signature: 'ffi.new_allocator(alloc=None, free=None, should_clear_after_alloc=True)',
    summary: 'Returns a function that works like `ffi.new()` but allocates with your own `alloc`/`free` C functions.',
  },
  errno: {
    signature: 'ffi.errno',
    summary: 'The C `errno` saved right after the last C call of this thread (read and write; written back before the next call).',
    pitfall: 'Read it immediately after the call you care about: any other C call through cffi replaces it.',
  },
  getwinerror: {
    signature: 'ffi.getwinerror(code=-1)',
    summary: 'Windows only: `(code, message)` for `GetLastError()` as saved after the last call, or for the given code.',
  },
  new_handle: {
    signature: 'ffi.new_handle(python_object)',
    summary: 'Returns an opaque `void *` cdata standing for a Python object, for C APIs that carry a `void *userdata`.',
    pitfall: 'Keep the handle cdata alive while C holds the pointer; otherwise `from_handle()` is undefined behaviour (likely a crash).',
  },
  from_handle: {
    signature: 'ffi.from_handle(void_pointer)',
    summary: 'Gives back the Python object behind a pointer made by `new_handle()`.',
    pitfall: 'Only valid while the handle cdata from `new_handle()` is still alive.',
  },
  sizeof: {
    signature: 'ffi.sizeof(cdecl_or_cdata)',
    summary: 'The size in bytes of a C type or of a cdata’s value.',
    pitfall: 'For a pointer cdata (e.g. from `ffi.new("struct s *")`) it is the pointer size, 8: use `ffi.sizeof(p[0])` or the type name.',
  },
  alignof: {
    signature: 'ffi.alignof(cdecl)',
    summary: 'The alignment in bytes of a C type.',
  },
  offsetof: {
    signature: 'ffi.offsetof(cdecl, field_or_index, ...)',
    summary: 'The byte offset of a field (or array item, or a path of them) inside a struct type.',
  },
  addressof: {
    signature: 'ffi.addressof(cdata, *fields_or_indexes) / ffi.addressof(lib, "name")',
    summary: 'A pointer to a struct or array cdata, to one of its fields or items, or to a function or global of a `lib`.',
    pitfall: 'Not for primitive cdata: allocate `ffi.new("int[1]")` (or `"int *"`) instead.',
  },
  typeof: {
    signature: 'ffi.typeof(cdecl_or_cdata)',
    summary: 'The `<ctype>` object for a C type name or of a cdata; faster to pass to `new()`/`cast()` than the string.',
    pitfall: 'Types are cached forever: do not build type strings from changing values (`"int[%d]" % n`); use `"int[]", n` instead.',
  },
  getctype: {
    signature: 'ffi.getctype(cdecl, replace_with="")',
    summary: 'The C spelling of a type as a string, optionally with a declarator put in (`ffi.getctype("int[5]", "x")` → `int x[5]`).',
  },
  list_types: {
    signature: 'ffi.list_types()',
    summary: 'The typedef, struct and union names this FFI knows, as three lists.',
  },
  integer_const: {
    signature: 'ffi.integer_const(name)',
    summary: 'The value of an integer constant (enum value or `#define`) declared in the cdef; the same as `lib.NAME`.',
    pitfall: 'Only on compiled, out-of-line FFI objects: an in-line `cffi.FFI()` has no such method (`AttributeError`).',
  },
  init_once: {
    signature: 'ffi.init_once(function, tag)',
    summary: 'Runs `function()` once per `tag` per process, even with threads, and returns its (cached) result.',
  },
  include: {
    signature: 'ffi.include(other_ffi)',
    summary: 'Makes the types declared by another FFI available to this one (both must be out-of-line in API mode, or both in ABI mode).',
  },
  set_unicode: {
    signature: 'ffi.set_unicode(enabled)',
    summary: 'Windows: defines `TCHAR` and friends as wide (`True`) or narrow (`False`) characters.',
  },
  embedding_api: {
    signature: 'ffibuilder.embedding_api(source)',
    summary: 'Declares functions that the built library exports to C programs (embedding Python in C).',
  },
  embedding_init_code: {
    signature: 'ffibuilder.embedding_init_code(python_source)',
    summary: 'Python code run when the embedding library is first loaded; it must define the `@ffi.def_extern()` functions.',
  },
  NULL: {
    signature: 'ffi.NULL',
    summary: 'The NULL pointer, a `void *` cdata; compare results with `p == ffi.NULL`.',
    pitfall: 'Python `None` is not accepted where cffi expects a pointer: pass `ffi.NULL`.',
  },
  CData: {
    signature: 'ffi.CData',
    summary: 'The base type of all cdata objects, for `isinstance()` checks.',
  },
  CType: {
    signature: 'ffi.CType',
    summary: 'The type of `<ctype>` objects, for `isinstance()` checks.',
  },
  RTLD_NOW: { signature: 'ffi.RTLD_NOW', summary: 'A `dlopen()` flag (the default): resolve all symbols at load time.' },
  RTLD_LAZY: { signature: 'ffi.RTLD_LAZY', summary: 'A `dlopen()` flag: resolve symbols on first use.' },
  RTLD_GLOBAL: { signature: 'ffi.RTLD_GLOBAL', summary: 'A `dlopen()` flag: make the library’s symbols available to libraries loaded later.' },
  RTLD_LOCAL: { signature: 'ffi.RTLD_LOCAL', summary: 'A `dlopen()` flag: keep the library’s symbols to itself.' },
};

export function ffiMember(name: string): FfiMember | undefined {
  return Object.prototype.hasOwnProperty.call(FFI_API, name) ? FFI_API[name] : undefined;
}
