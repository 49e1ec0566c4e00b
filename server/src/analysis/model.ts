/**
 * The binding model: what one analysis of a Python file finds about the C bindings it uses.
 * Diagnostics, hovers, code actions and the converter all read this model; none re-scans the text.
 * Every Span is a pair of UTF-16 offsets into the document text (end exclusive).
 */

export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A small, syntax-level summary of a Python expression: enough to read ctypes types and call arguments. */
export type Expr =
  | { k: 'name'; span: Span; text: string }
  /** A dotted attribute chain of plain names, e.g. `ctypes.c_int` or `self.lib.f`. */
  | { k: 'dotted'; span: Span; text: string; object: Expr; attr: string; attrSpan: Span }
  | { k: 'attr'; span: Span; text: string; object: Expr; attr: string; attrSpan: Span }
  | { k: 'call'; span: Span; text: string; callee: Expr; args: Expr[]; keywords: Keyword[] }
  | { k: 'binop'; span: Span; text: string; op: string; left: Expr; right: Expr }
  | { k: 'list' | 'tuple'; span: Span; text: string; items: Expr[] }
  | { k: 'str'; span: Span; text: string; value: string; bytes: boolean; parts: Span[] }
  | { k: 'num'; span: Span; text: string; value: number }
  | { k: 'none' | 'true' | 'false'; span: Span; text: string }
  | { k: 'subscript'; span: Span; text: string; value: Expr; index: Expr }
  | { k: 'other'; span: Span; text: string; type: string };

export interface Keyword {
  name: string;
  nameSpan: Span;
  value: Expr;
}

/** The dotted text of a `name`/`dotted` expression, else undefined. */
export function dottedText(e: Expr | undefined): string | undefined {
  return e && (e.k === 'name' || e.k === 'dotted') ? e.text : undefined;
}

export type BindingModule = 'ctypes' | 'cffi' | 'cppyy' | '_rawffi' | '_rawffi.alt' | '_ffi' | 'mixedmodule' | '_cffi_backend';

export interface ImportInfo {
  /** Full module name as written, e.g. `ctypes.util`. */
  module: string;
  /** The binding module it belongs to, if any. */
  binding?: BindingModule;
  /** The whole import statement. */
  span: Span;
  /** The module name in the statement. */
  moduleSpan: Span;
  /** `import ctypes as C` → 'C'; `import ctypes.util` → 'ctypes'. Undefined for `from … import`. */
  boundName?: string;
  /** `from ctypes import c_int as CI, byref` → [{name:'c_int', asName:'CI'}, {name:'byref', asName:'byref'}]. */
  names: { name: string; asName: string; span: Span }[];
  star: boolean;
}

/** A ctypes type as written, resolved to its meaning. */
export type CtypesType =
  | { kind: 'prim'; name: string; span: Span } // c_int, c_char_p, … (ctypes attribute name)
  | { kind: 'pointer'; to: CtypesType; span: Span } // POINTER(T)
  | { kind: 'array'; of: CtypesType; length: string; span: Span } // T * n
  | { kind: 'struct'; name: string; span: Span } // a Structure/Union subclass of this file
  | { kind: 'funcptr'; name: string; span: Span } // a CFUNCTYPE prototype of this file
  | { kind: 'void'; span: Span } // None as a restype
  | { kind: 'unknown'; text: string; span: Span };

export interface CtypesLibrary {
  /** The (dotted) name the library is bound to, e.g. `libc` or `self._lib`. */
  name: string;
  nameSpan: Span;
  /** The whole assignment statement. */
  statementSpan: Span;
  /** The loading expression (`ctypes.CDLL(...)`). */
  loadSpan: Span;
  /** How it was loaded: 'CDLL', 'WinDLL', 'OleDLL', 'PyDLL', 'LoadLibrary', 'attribute' (cdll.NAME). */
  loader: string;
  /** The path argument, as an expression (absent for `cdll.NAME`, where `attributeName` is set). */
  path?: Expr;
  attributeName?: string;
  keywords: Keyword[];
  functions: ForeignFunction[];
  /**
   * Set when the workspace evaluation found this library (workspace/linkModel.ts): loaded in another module,
   * by a project loader (`loader.load_lib()`), or inside a function of this file. Spans above are then where
   * this file first refers to it.
   */
  origin?: LibraryOrigin;
}

export interface LibraryOrigin {
  /** 'local': the loading call is in this file; 'loader': a project function of another module loads it; 'import': imported. */
  via: 'local' | 'loader' | 'import';
  /** Module and document of the loading call (`ctypes.CDLL(...)`), and its span there. */
  module: string;
  uri: string;
  span: Span;
  /** The library name as find_library takes it (`magic`), when the code says. */
  stem?: string;
  loader: string;
}

/** A C prototype from an installed header or the built-in table, with where it came from. */
export interface CPrototypeInfo {
  name: string;
  returns: string;
  params: string[];
  variadic: boolean;
  source: { kind: 'header'; path: string; line: number } | { kind: 'table'; header: string };
}

export interface AttributeAssignment {
  /** The whole assignment statement. */
  statementSpan: Span;
  /** The `f.argtypes` target. */
  targetSpan: Span;
  value: Expr;
}

export interface CallSite {
  span: Span;
  calleeSpan: Span;
  args: Expr[];
  keywords: Keyword[];
  /** False when the call is an expression statement of its own (its result is discarded). */
  resultUsed: boolean;
}

export interface ForeignFunction {
  library: CtypesLibrary;
  /** The C name. */
  name: string;
  /** Every `lib.name` expression (attribute span covering `lib.name`). */
  refs: Span[];
  /** Local aliases: `strlen = libc.strlen`. */
  aliases: string[];
  argtypes?: AttributeAssignment & { types?: CtypesType[] };
  restype?: AttributeAssignment & { type: CtypesType };
  errcheck?: AttributeAssignment;
  calls: CallSite[];
  /** A signature set in another module of the workspace (types only: its spans are in that module). */
  declaredElsewhere?: { module: string; uri: string; argtypes?: CtypesType[]; restype?: CtypesType; errcheck: boolean };
  /** Declared by code of this file that is not a plain `lib.f.argtypes = …`: the statement (e.g. the helper call `ffi('read_new', …)`). */
  declaredBy?: Span;
  /** The function's C prototype from the library's header, else the built-in table (analysis/prototypes.ts). */
  cPrototype?: CPrototypeInfo;
  /**
   * Owned by the per-function rules (rules/ctypesRules.ts): what each found, with what it read of the function
   * (checked by identity before use). A property, not a WeakMap: it is read for every function at every lint.
   */
  lintMemo?: Record<string, unknown>;
}

export interface StructField {
  name: string;
  type: CtypesType;
  bits?: number;
  span: Span;
}

export interface CtypesStruct {
  name: string;
  nameSpan: Span;
  /** The whole class definition. */
  span: Span;
  /** 'Structure', 'Union', 'BigEndianStructure', 'LittleEndianStructure', … or the name of a struct base. */
  base: string;
  isUnion: boolean;
  fields?: StructField[];
  /** The `_fields_` assignment (in the class body, or a later `S._fields_ = …`). */
  fieldsSpan?: Span;
  pack?: number;
  anonymous?: string[];
  /** Methods, properties or other class-body statements besides `_fields_`/`_pack_`/`_anonymous_`. */
  hasBehaviour: boolean;
  hasBitFields: boolean;
}

export interface CtypesPrototype {
  name: string;
  nameSpan: Span;
  statementSpan: Span;
  factory: 'CFUNCTYPE' | 'WINFUNCTYPE' | 'PYFUNCTYPE';
  restype: CtypesType;
  argtypes: CtypesType[];
}

/** A use of a ctypes module-level name: `ctypes.pythonapi`, `byref(x)`, `create_string_buffer(8)` … */
export interface CtypesUse {
  /** The ctypes attribute used, e.g. 'pythonapi', 'byref', 'c_int'. */
  name: string;
  span: Span;
  /** Present when the use is called. */
  call?: CallSite;
}

/** A declaration found in a cdef string, with its span in the document. */
export interface CDeclaration {
  kind: 'function' | 'variable' | 'struct' | 'union' | 'enum' | 'typedef' | 'macro' | 'enumerator';
  name: string;
  /** Span of the name inside the Python string literal. */
  nameSpan: Span;
  /** Span of the whole declaration inside the literal. */
  span: Span;
  /** The declaration as C text. */
  text: string;
  returns?: string;
  params?: { type: string; name?: string }[];
  variadic?: boolean;
  /** `extern "Python"` functions (API mode callbacks). */
  externPython?: boolean;
  /** Struct and union members, in order (not for `...;` placeholders). */
  fields?: CField[];
}

/** A member of a struct or union declared in a cdef. */
export interface CField {
  name: string;
  nameSpan: Span;
  /** The whole member declaration. */
  span: Span;
  /** Its C type, e.g. `int *`. */
  type: string;
}

export interface CdefProblem {
  kind: 'syntax' | 'directive' | 'ellipsis' | 'unknownType';
  span: Span;
  message: string;
  /** For unknownType: the type name. For directive: the directive text. */
  detail?: string;
}

export interface CdefSource {
  /** The `ffi.cdef(...)` call. */
  callSpan: Span;
  /** The string literal argument (all parts). */
  stringSpan: Span;
  /** The C text as decoded from Python. */
  source: string;
  /** False when the literal could not be mapped character by character (f-string, odd escapes). */
  exact: boolean;
  declarations: CDeclaration[];
  problems: CdefProblem[];
  keywords: Keyword[];
}

export interface FfiLib {
  name: string;
  nameSpan: Span;
  statementSpan: Span;
  via: 'dlopen' | 'import' | 'verify';
  /** The dlopen argument. */
  path?: Expr;
}

export interface FfiObject {
  /** The (dotted) name bound to the FFI instance, e.g. `ffi` or `ffibuilder`. */
  name: string;
  nameSpan: Span;
  statementSpan: Span;
  /** 'abi' when dlopen is used on it, 'api' with set_source (or an out-of-line import), else 'unknown'. */
  mode: 'abi' | 'api' | 'unknown';
  /** True for `from _mod import ffi`: the cdef lives in another file. */
  outOfLine: boolean;
  cdefs: CdefSource[];
  libs: FfiLib[];
  setSource?: CallSite;
  /** For `from _foo import ffi`: the build script of `_foo` found in the workspace, and its cdef sources. */
  external?: { module: string; uri: string; cdefs: string[] };
}

/** A call to an ffi method, e.g. `ffi.new("int *")`. */
export interface FfiCall {
  ffi: FfiObject;
  method: string;
  methodSpan: Span;
  call: CallSite;
}

/** `lib.NAME` on a cffi lib. */
export interface FfiLibAccess {
  ffi: FfiObject;
  lib: FfiLib;
  name: string;
  span: Span;
  nameSpan: Span;
  call?: CallSite;
}

/** `x = S(...)` (or `S.from_buffer(...)`, `S.from_address(...)`…) where S is a Structure/Union of this file. */
export interface CtypesInstance {
  /** The dotted name bound to the instance. */
  name: string;
  struct: CtypesStruct;
  statementSpan: Span;
}

/** An assignment whose value is a call on an ffi (`ffi.new(...)`) or on one of its libs (`lib.f(...)`). */
export interface FfiAssignment {
  ffi: FfiObject;
  target: Expr;
  /** The call expression assigned. */
  value: Extract<Expr, { k: 'call' }>;
  /** 'ffi' for `ffi.METHOD(...)`, 'lib' for `lib.NAME(...)`. */
  on: 'ffi' | 'lib';
  /** The ffi method or lib attribute called. */
  member: string;
  statementSpan: Span;
}

export interface MixedModuleClass {
  name: string;
  nameSpan: Span;
  span: Span;
  interpleveldefs?: Span;
  appleveldefs?: Span;
}

export interface BindingModel {
  uri: string;
  version: number;
  /** The text this model was computed from. */
  text: string;
  imports: ImportInfo[];
  /** Which binding modules the file uses (through imports). */
  uses: Set<BindingModule>;
  ctypes: {
    libraries: CtypesLibrary[];
    functions: ForeignFunction[];
    structs: CtypesStruct[];
    prototypes: CtypesPrototype[];
    /** Uses of ctypes module-level names, in text order. */
    uses: CtypesUse[];
    /** Names bound to instances of this file's structs (by name, scopes are not distinguished). */
    instances: CtypesInstance[];
  };
  cffi: {
    ffis: FfiObject[];
    calls: FfiCall[];
    libAccesses: FfiLibAccess[];
    /** Assignments of ffi/lib call results (what holds cdata), in text order. */
    assigns: FfiAssignment[];
  };
  cppyy: { uses: CtypesUse[] };
  mixedModules: MixedModuleClass[];
  /** Other calls worth a rule: `sys.getrefcount(...)`, `id(...)` … keyed by qualified callee. */
  specialCalls: { callee: string; call: CallSite }[];
  /** Every call in the file (for rules that look at arguments). */
  calls: { callee: string; call: CallSite }[];
  /**
   * The same calls region by region (`calls` is their concatenation). An array is the same object while its
   * region's text and the file's imports are unchanged (spans anchored to the region), so a rule that reads one
   * call at a time with `qualify` may keep what it found per array (rules/regionCache.ts).
   */
  regionCalls: readonly (readonly { callee: string; call: CallSite }[])[];
  /** Resolves a dotted name as written at top level to its qualified meaning (`C.c_int` → `ctypes.c_int`). */
  qualify(dotted: string): string;
  /** Whether a plain name is passed as a call argument anywhere (`helper(ffi, ...)`): answered from an index. */
  isPassedAsArgument(name: string): boolean;
  /** Set once the workspace evaluation has been linked in (workspace/linkModel.ts): this file's module name. */
  module?: string;
}
