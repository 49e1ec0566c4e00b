import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
/**
 * The public catalogue of PB rule codes. Codes are a contract: never renumber, only add.
 * docs/rules.md has one section per code (test/unit/catalogue.test.ts keeps the two in step).
 */

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** The section of PyPy's guide "Writing extension modules for pypy" a rule relates to. */
export type GuideSectionRef = 'cffi' | 'ctypes' | 'cppyy' | 'rpython-mixed-modules' | 'intro';

export interface RuleInfo {
  readonly code: string;
  readonly defaultSeverity: Severity;
  readonly title: string;
  readonly guideSection: GuideSectionRef;
  /** 2–4 sentences: what happens on PyPy and what to do (quoted in hovers). */
  readonly explanation: string;
}

/** Where docs/rules.md is published; `ruleDocUrl` appends `#pb101` etc. */
/**
 * The rule catalogue shipped with the extension (docs/rules.md beside dist/ in the .vsix, or in a checkout),
 * so a diagnostic's link opens the right section offline. Found upward from this module.
 */
export const RULES_DOC_URL: string = (() => {
  for (let dir = __dirname, i = 0; i < 5; i++, dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'docs', 'rules.md');
    if (fs.existsSync(candidate)) return pathToFileURL(candidate).href;
  }
  return 'https://doc.pypy.org/en/latest/extending.html';
})();

export function ruleDocUrl(code: string): string {
  return `${RULES_DOC_URL}#${code.toLowerCase()}`;
}

const rules: RuleInfo[] = [
  {
    code: 'PB101', defaultSeverity: 'information', title: 'ctypes used for foreign calls', guideSection: 'ctypes',
    explanation: 'PyPy runs ctypes code, but each foreign call goes through a pure-Python layer and is far slower than with CFFI (measured: about 350 ns per call against 9 ns). The guide recommends CFFI: declare the functions in a cdef and load the library with ffi.dlopen (ABI mode) or, better, build it in API mode.',
  },
  {
    code: 'PB102', defaultSeverity: 'warning', title: 'PyPy-internal _rawffi/_ffi imported', guideSection: 'ctypes',
    explanation: '_rawffi and _rawffi.alt (and the older _ffi) are the low-level modules PyPy builds its ctypes on; the guide says not to use them directly, and they do not exist on CPython. Use CFFI (or ctypes) instead.',
  },
  {
    code: 'PB103', defaultSeverity: 'information', title: 'CPython C-API extension', guideSection: 'intro',
    explanation: 'A C extension written against the CPython C-API runs on PyPy only through cpyext, an emulation layer that is slow and not fully compatible, and it must be rebuilt for PyPy. The guide ranks CFFI first: for new code, write the binding with CFFI (or cppyy for C++).',
  },
  {
    code: 'PB104', defaultSeverity: 'warning', title: 'RPython MixedModule outside PyPy', guideSection: 'rpython-mixed-modules',
    explanation: 'Mixed modules are built into the PyPy executable when PyPy itself is translated; the guide says they cannot be used by any third-party module. Outside a PyPy source tree (pypy/module/…) this class is never loaded: write the binding with CFFI instead.',
  },
  {
    code: 'PB201', defaultSeverity: 'error', title: 'ctypes API missing on PyPy', guideSection: 'ctypes',
    explanation: 'PyPy\'s ctypes has no pythonapi, PyDLL or pydll (there is no CPython C-API to call) and its resize() and _ctypes.PyObj_FromPtr are not implemented: the code fails with AttributeError or NotImplementedError. Redesign the code so it does not reach into the interpreter; allocate a new buffer instead of resize().',
  },
  {
    code: 'PB202', defaultSeverity: 'error', title: 'sys.getrefcount', guideSection: 'intro',
    explanation: 'PyPy has no reference counts, so sys.getrefcount does not exist and raises AttributeError. Guard it with hasattr(sys, "getrefcount") or drop the check; manage C-side lifetimes explicitly (ffi.gc, with-statements, release()).',
  },
  {
    code: 'PB203', defaultSeverity: 'error', title: 'id() used as an address / py_object as PyObject*', guideSection: 'ctypes',
    explanation: 'On PyPy id(obj) is not the address of the object and py_object holds an index into a Python-side list, not a PyObject*: reading memory at id(x) returns garbage and cast(id(x), py_object) raises. To pass a Python object through C as opaque context, use ffi.new_handle(obj) and ffi.from_handle(p).',
  },
  {
    code: 'PB204', defaultSeverity: 'warning', title: 'foreign function result used without restype', guideSection: 'ctypes',
    explanation: 'Without restype, ctypes assumes the C function returns int: pointers and 64-bit results are truncated to their low 32 bits, on CPython and PyPy alike. Set f.restype to the real return type (the quick fix writes it for common libc/libm/zlib functions), or declare the function in a cffi cdef.',
  },
  {
    code: 'PB205', defaultSeverity: 'information', title: 'foreign function called without argtypes', guideSection: 'ctypes',
    explanation: 'Without argtypes, ctypes converts arguments by guesswork (ints to C int, floats raise) and nothing is checked; a wrong argument crashes or corrupts memory. Set f.argtypes (the quick fix writes it for common C functions), or move to cffi, whose cdef declares every parameter.',
  },
  {
    code: 'PB206', defaultSeverity: 'warning', title: 'bytes()/memoryview() of a bit-field Structure', guideSection: 'ctypes',
    explanation: 'PyPy\'s ctypes lays out bit-field structures like CPython, but bytes(s) and memoryview(s) of one raise ValueError there (the buffer format code expects no bit widths). Copy the raw bytes with ctypes.string_at(ctypes.addressof(s), ctypes.sizeof(s)) instead.',
  },
  {
    code: 'PB207', defaultSeverity: 'error', title: 'bytes passed as a buffer C writes into', guideSection: 'ctypes',
    explanation: 'A bytes object is immutable: PyPy hands C a copy of it for a char * (or void *) parameter, so what C writes into an out-buffer made with b"\\0" * n or bytes(n) is lost there, while CPython happens to expose the object\'s own memory. Allocate a mutable buffer: ctypes.create_string_buffer(n), and read its .raw or .value.',
  },
  {
    code: 'PB301', defaultSeverity: 'error', title: 'C syntax error in a cdef', guideSection: 'cffi',
    explanation: 'cffi parses the cdef with pycparser when the code runs, so a syntax error raises CDefError at import time on PyPy and CPython alike. Fix the declaration at the marked position.',
  },
  {
    code: 'PB302', defaultSeverity: 'error', title: 'preprocessor directive or attribute in a cdef', guideSection: 'cffi',
    explanation: 'cffi\'s cdef does not run the C preprocessor: #include, #if/#ifdef, #pragma and __attribute__ are rejected (CDefError). Copy the declarations you need into the cdef; put #include lines in set_source instead, and use packed=True/pack=n for #pragma pack.',
  },
  {
    code: 'PB303', defaultSeverity: 'warning', title: '`...` in a cdef used in ABI mode', guideSection: 'cffi',
    explanation: 'Partial declarations with `...` (struct members, `#define X ...`, `typedef int... t`) are completed by the C compiler, which only happens in API mode (set_source). With ffi.dlopen they raise VerificationMissing or AttributeError when used. Spell the declaration out exactly, or switch to API mode.',
  },
  {
    code: 'PB304', defaultSeverity: 'error', title: 'ffi.new with a type that is not a pointer or array', guideSection: 'cffi',
    explanation: 'ffi.new allocates the thing a pointer or array type points to, so ffi.new("int") raises TypeError, and ffi.new("char *", b"…") raises too (it allocates one char). Use ffi.new("int *") and read p[0], and ffi.new("char[]", b"…") for a C string.',
  },
  {
    code: 'PB305', defaultSeverity: 'error', title: 'lib.NAME not declared in the cdef', guideSection: 'cffi',
    explanation: 'A cffi lib exposes only the functions, globals and constants declared in the cdefs of its ffi; any other name raises AttributeError (in ABI mode, even when the library exports the symbol). Declare it in the cdef, or correct the name.',
  },
  {
    code: 'PB306', defaultSeverity: 'error', title: 'wrong number of arguments for a cdef function', guideSection: 'cffi',
    explanation: 'cffi checks each call against the cdef prototype and raises TypeError when the argument count does not match (a variadic function needs at least its fixed parameters). Pass the arguments the prototype declares, or fix the prototype.',
  },
  {
    code: 'PB307', defaultSeverity: 'error', title: 'plain Python value in the variadic part of a call', guideSection: 'cffi',
    explanation: 'cffi cannot know the C type of arguments in the `...` part of a variadic call, so it accepts only cdata there and raises TypeError for a plain int, float, bytes or str. Wrap each value: ffi.cast("int", 42), ffi.cast("double", x), ffi.new("char[]", b"…").',
  },
  {
    code: 'PB308', defaultSeverity: 'warning', title: 'temporary ffi.new() freed at once', guideSection: 'cffi',
    explanation: 'Memory from ffi.new lives only as long as the cdata object it returned. Casting it, storing it in a C field or global, or nesting it in another ffi.new keeps only a plain pointer, so the memory is freed at once; on PyPy, whose GC runs at other times, this use-after-free shows up where CPython seemed to work. Bind the ffi.new result to a variable that lives as long as the pointer is used.',
  },
  {
    code: 'PB309', defaultSeverity: 'error', title: 'None passed for a pointer parameter', guideSection: 'cffi',
    explanation: 'cffi does not accept None for a pointer parameter (ctypes does): the call raises TypeError. Pass ffi.NULL.',
  },
  {
    code: 'PB310', defaultSeverity: 'error', title: 'type not known to cffi', guideSection: 'cffi',
    explanation: 'cffi predefines only the standard integer and float types, size_t/ssize_t, intN_t, wchar_t, FILE and the Windows types; any other type name (time_t, pid_t, off_t …) must be declared in a cdef of the same ffi, or the cdef raises CDefError. Add a typedef (e.g. `typedef long time_t;` in ABI mode, `typedef int... time_t;` in API mode).',
  },
  {
    code: 'PB312', defaultSeverity: 'error', title: 'cdata and ctypes objects mixed in a call', guideSection: 'cffi',
    explanation: 'ctypes and cffi do not accept each other\'s objects: cffi cdata passed to a ctypes function raises ctypes.ArgumentError, and a ctypes object (c_int(…), byref(…), create_string_buffer(…), a Structure) passed to a cffi function raises TypeError. A half-converted binding fails this way at run time; convert the caller and the callee together, or pass plain Python values.',
  },
  {
    code: 'PB311', defaultSeverity: 'warning', title: 'Python.h included in cffi set_source', guideSection: 'cffi',
    explanation: 'cffi\'s documentation advises against mixing CFFI with Python.h: on PyPy the C-API goes through the slow cpyext emulation, and objects handed across do not behave as on CPython. Keep the C side free of the C-API and pass Python objects with ffi.new_handle.',
  },
];

export const RULES: readonly RuleInfo[] = rules;

const byCode = new Map(rules.map((r) => [r.code, r]));

export function ruleInfo(code: string): RuleInfo | undefined {
  return byCode.get(code);
}
