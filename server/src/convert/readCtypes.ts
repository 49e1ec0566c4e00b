/**
 * Reads the ctypes declarations of a Python file from its syntax tree: imports and what names they bind,
 * libraries, foreign functions with their argtypes/restype/errcheck, structures and unions, CFUNCTYPE
 * prototypes and type aliases. Read off the flat copy of the one parse the converter's input side shares
 * (inputTree.ts); the rewrite needs statement and value nodes, which are made only for what is declared.
 * The node-API reader it replaced is the oracle of test/unit/readCtypes.test.ts (test/oracle/nodeApiCtypes.ts).
 */
import type { Node } from 'web-tree-sitter';
import { type CType, prim } from './typeNames';
import { dotted, functionLocals, unparen } from './syntax';
import { InputTree } from './inputTree';
import { readHeldLibraries } from './heldLibraries';

/** Module-level names ctypes exports (what `from ctypes import *` binds). */
export const CTYPES_EXPORTS = new Set([
  'byref', 'pointer', 'POINTER', 'cast', 'sizeof', 'alignment', 'addressof', 'create_string_buffer',
  'create_unicode_buffer', 'c_buffer', 'string_at', 'wstring_at', 'memmove', 'memset', 'CFUNCTYPE', 'WINFUNCTYPE',
  'PYFUNCTYPE', 'CDLL', 'cdll', 'WinDLL', 'windll', 'OleDLL', 'oledll', 'PyDLL', 'pydll', 'pythonapi', 'Structure',
  'Union', 'BigEndianStructure', 'LittleEndianStructure', 'BigEndianUnion', 'LittleEndianUnion', 'Array', 'ARRAY',
  'get_errno', 'set_errno', 'get_last_error', 'set_last_error', 'resize', 'py_object', 'RTLD_GLOBAL', 'RTLD_LOCAL',
  'ArgumentError', 'LibraryLoader', 'SetPointerType', 'c_time_t', 'FormatError', 'WinError', 'DEFAULT_MODE',
  'HRESULT', 'c_bool', 'c_char', 'c_wchar', 'c_byte', 'c_ubyte', 'c_short', 'c_ushort', 'c_int', 'c_uint', 'c_long',
  'c_ulong', 'c_longlong', 'c_ulonglong', 'c_int8', 'c_int16', 'c_int32', 'c_int64', 'c_uint8', 'c_uint16',
  'c_uint32', 'c_uint64', 'c_size_t', 'c_ssize_t', 'c_float', 'c_double', 'c_longdouble', 'c_char_p', 'c_wchar_p',
  'c_void_p',
]);

export interface ImportStatement {
  node: Node;
  /** `import ctypes, os`: the imported modules; `from m import a as b`: module m with names. */
  kind: 'import' | 'from';
  module?: string;
  /** For `import`: the dotted modules (with alias); for `from`: the imported names. */
  items: { name: string; alias?: string }[];
  star: boolean;
  topLevel: boolean;
}

export interface Library {
  /** The dotted name the library is bound to (`libc`, `self._lib`). */
  name: string;
  statement: Node;
  /** The loading expression. */
  load: Node;
  loader: string;
  path?: Node;
  attributeName?: string;
  keywords: Map<string, Node>;
  human?: string;
  /** `<lib>_ctypes`, the handle an earlier conversion kept for functions that stay in ctypes. */
  handle?: boolean;
}

export interface FunctionDecl {
  lib: Library;
  name: string;
  argtypes?: { statement: Node; value: Node; types?: CType[]; count: number };
  restype?: { statement: Node; value: Node; type?: CType; count: number };
  errcheck?: { statement: Node; value: Node; count: number };
  /** Offset of the first call or reference after which signatures must not change. */
  firstCall?: number;
}

export interface StructField {
  name: string;
  type?: CType;
  bits?: number;
  text: string;
}

export interface StructDecl {
  name: string;
  node: Node;
  union: boolean;
  base: string;
  fields?: StructField[];
  /** `S._fields_ = …` outside the class body. */
  fieldsStatement?: Node;
  pack?: number;
  anonymous: string[];
  human?: string;
  /** The one CType of this struct, shared by every use, so a C spelling set on it (API mode) reaches them all. */
  type?: CType & { k: 'struct' };
}

/** The CType of a struct class (one object per struct). */
export function structType(s: StructDecl): CType & { k: 'struct' } {
  return (s.type ??= { k: 'struct', name: s.name, union: s.union });
}

export interface Prototype {
  name: string;
  statement: Node;
  factory: string;
  ret?: CType;
  args?: CType[];
  human?: string;
}

export interface TypeAlias {
  name: string;
  statement: Node;
  type: CType;
}

export interface CtypesProgram {
  text: string;
  root: Node;
  /** The parse it was read from, with its flat copy: the rewrite's whole-tree scans read it (nodesOf). */
  input: InputTree;
  imports: ImportStatement[];
  libraries: Map<string, Library>;
  functions: Map<string, FunctionDecl>;
  structs: Map<string, StructDecl>;
  prototypes: Map<string, Prototype>;
  aliases: Map<string, TypeAlias>;
  /** Module-level integer constants (`N = 16`), for array lengths. */
  intConstants: Map<string, number>;
  /** `strlen = libc.strlen`: alias name → function key. */
  functionAliases: Map<string, string>;
  /** Where each alias's `lib.f` stands (the last assignment's). */
  functionAliasAt: Map<string, number>;
  qualify(dottedName: string): string;
  /** Names a ctypes import binds that module-level code binds again, with the offset of the first such binding. */
  rebound: ReadonlyMap<string, number>;
  /** The ctypes name an expression refers to (`C.c_int` → `c_int`, `ctypes.util.find_library` → `util.find_library`). */
  ctypesName(n: Node | null | undefined): string | undefined;
  typeOf(n: Node | null | undefined): CType | undefined;
  /** typeOf of the node at this flat index of `input` (-1: none). */
  typeAt(i: number): CType | undefined;
}

export const functionKey = (lib: string, name: string): string => `${lib}\u0000${name}`;

export const LOADERS: Record<string, string> = {
  CDLL: 'CDLL',
  'cdll.LoadLibrary': 'LoadLibrary',
  WinDLL: 'WinDLL',
  'windll.LoadLibrary': 'WinDLL',
  OleDLL: 'OleDLL',
  'oledll.LoadLibrary': 'OleDLL',
  PyDLL: 'PyDLL',
  'pydll.LoadLibrary': 'PyDLL',
};

/** How a text's names reach ctypes: its imports, what each name qualifies to, and which ctypes names it binds again. */
export interface CtypesNames {
  imports: ImportStatement[];
  qualify(dottedName: string): string;
  rebound: ReadonlyMap<string, number>;
  /** reboundUse on a flat node of the tree the names were read from. */
  useOf(d: string, n: number): 'import' | 'rebound' | 'either';
}

/** readCtypesNames by tree: a function of the tree alone, read once for every round of one input. */
const namesByTree = new WeakMap<InputTree, CtypesNames>();

/** The part of readCtypes every ctypes use depends on (what a draft's leftovers need, without reading its declarations). */
export function readCtypesNames(t: InputTree): CtypesNames {
  let names = namesByTree.get(t);
  if (!names) namesByTree.set(t, (names = readNamesOnce(t)));
  return names;
}

function readNamesOnce(t: InputTree): CtypesNames {
  const imports = readImports(t);
  const bindings = new Map<string, string>();
  let star = false;
  for (const imp of imports) {
    if (imp.kind === 'import') {
      for (const it of imp.items) {
        if (it.alias) bindings.set(it.alias, it.name);
        else bindings.set(it.name.split('.')[0]!, it.name.split('.')[0]!);
      }
    } else if (imp.module) {
      if (imp.star && imp.module === 'ctypes') star = true;
      for (const it of imp.items) bindings.set(it.alias ?? it.name, `${imp.module}.${it.name}`);
    }
  }
  // asked again and again of the same names (every ctypes use a rule meets): once per name
  const qualified = new Map<string, string>();
  const qualify = (d: string): string => {
    let q = qualified.get(d);
    if (q === undefined) qualified.set(d, (q = qualifyOnce(d)));
    return q;
  };
  const qualifyOnce = (d: string): string => {
    const [head, ...rest] = d.split('.');
    const bound = bindings.get(head!);
    if (bound !== undefined) return [bound, ...rest].join('.');
    if (star && CTYPES_EXPORTS.has(head!)) return ['ctypes', head, ...rest].join('.');
    return d;
  };
  const rebound = reboundCtypesNames(t, qualify);
  const locals = new Map<number, Set<string>>();
  const useOf = (d: string, n: number): 'import' | 'rebound' | 'either' => {
    const head = d.split('.')[0]!;
    for (let p = t.parent(n); p >= 0; p = t.parent(p)) {
      if (t.type(p) !== 'function_definition') continue;
      let bound = locals.get(p);
      if (!bound) locals.set(p, (bound = t.functionLocals(p, (id) => !boundToName(t, id))));
      if (bound.has(head)) return 'rebound';
    }
    const at = rebound.get(head);
    if (at === undefined) return 'import';
    for (let p = t.parent(n); p >= 0; p = t.parent(p)) if (t.type(p) === 'function_definition' || t.type(p) === 'lambda') return 'either';
    return t.start(n) < at ? 'import' : 'rebound';
  };
  return { imports, qualify, rebound, useOf };
}

/** Reads the file's ctypes declarations off the flat copy of its tree (one parse, shared: inputTree.ts). */
export function readCtypes(text: string, input: InputTree | Node): CtypesProgram {
  const t = input instanceof InputTree ? input : new InputTree(text, input.tree);
  const f = t.f;
  const { imports, qualify, rebound, useOf } = readCtypesNames(t);
  const ctypesNameAt = (n: number): string | undefined => {
    const d = t.dotted(n);
    if (!d) return undefined;
    const q = qualify(d);
    if (!q.startsWith('ctypes.')) return undefined;
    // `memset = PROTO(("memset", libc))` at module level: from there on (and in functions) the name is the program's own
    if (useOf(d, n) !== 'import') return undefined;
    return q.slice('ctypes.'.length);
  };
  /** A node the rewrite meets, at its flat index (or -1). */
  const at = (n: Node | null | undefined): number => (n ? t.indexOf(n) : -1);

  const program: CtypesProgram = {
    text,
    root: t.root,
    input: t,
    imports,
    libraries: new Map(),
    functions: new Map(),
    structs: new Map(),
    prototypes: new Map(),
    aliases: new Map(),
    intConstants: new Map(),
    functionAliases: new Map(),
    functionAliasAt: new Map(),
    qualify,
    rebound,
    ctypesName: (n) => ctypesNameAt(at(n)),
    typeOf: (n) => typeAt(at(n)),
    typeAt: (i) => typeAt(i),
  };

  // Module-level integer constants, for array lengths in _fields_ and argtypes.
  for (const st of t.named(0)) {
    const a = t.assignmentOf(st);
    if (a && t.type(a.left) === 'identifier') {
      const v = t.intLiteral(a.right);
      if (v !== undefined) program.intConstants.set(t.textOf(a.left), v);
    }
  }

  // one pass over the flat copy: the statements and classes the reader looks at, in text order
  const statements: number[] = [];
  const classes: number[] = [];
  const classOf = new Map<StructDecl, number>();
  const attributes: number[] = [];
  for (let i = 0; i < t.count; i++) {
    const type = t.type(i);
    if (type === 'expression_statement') statements.push(i);
    else if (type === 'class_definition') classes.push(i);
    else if (type === 'attribute') attributes.push(i);
  }

  // Structure/Union classes first: types may refer to them before their _fields_ are read.
  for (const n of classes) {
    const nameNode = t.field(n, f.name);
    const name = nameNode >= 0 ? t.textOf(nameNode) : undefined;
    const supersNode = t.field(n, f.superclasses);
    const supers = supersNode >= 0 ? t.named(supersNode) : [];
    if (!name || supers.length !== 1) continue;
    const base = ctypesNameAt(supers[0]!);
    const structBase = base === undefined ? t.dotted(supers[0]!) : undefined;
    if (base && ['Structure', 'Union', 'BigEndianStructure', 'LittleEndianStructure', 'BigEndianUnion', 'LittleEndianUnion'].includes(base)) {
      program.structs.set(name, { name, node: t.node(n), union: base.endsWith('Union'), base, anonymous: [] });
    } else if (structBase && program.structs.has(structBase)) {
      program.structs.set(name, { name, node: t.node(n), union: program.structs.get(structBase)!.union, base: structBase, anonymous: [], human: `it derives from the structure ${structBase} (cffi structs cannot inherit)` });
    } else continue;
    classOf.set(program.structs.get(name)!, n);
  }

  const typeAt = (n: number): CType | undefined => {
    if (n < 0) return undefined;
    n = t.unparen(n);
    if (t.type(n) === 'none') return { k: 'void' };
    const cn = ctypesNameAt(n);
    if (cn !== undefined) return prim(cn);
    const d = t.dotted(n);
    if (d !== undefined) {
      const s = program.structs.get(d);
      if (s) return structType(s);
      const p = program.prototypes.get(d);
      if (p) return p.ret && p.args ? { k: 'func', proto: p.name, ret: p.ret, args: p.args } : undefined;
      const alias = program.aliases.get(d);
      if (alias) return alias.type;
      return undefined;
    }
    const call = t.callParts(n);
    if (call) {
      const callee = ctypesNameAt(call.callee);
      if (callee === 'POINTER' && call.args.length === 1) {
        const to = typeAt(call.args[0]!);
        return to && to.k !== 'void' ? { k: 'ptr', to } : undefined;
      }
      if (callee === 'ARRAY' && call.args.length === 2) {
        const of = typeAt(call.args[0]!);
        const len = lengthOf(call.args[1]!);
        return of && len !== undefined && of.k !== 'void' ? { k: 'array', of, n: len } : undefined;
      }
      if ((callee === 'CFUNCTYPE' || callee === 'WINFUNCTYPE') && !call.keywords.size && call.args.length >= 1) {
        const types = call.args.map(typeAt);
        if (types.some((x) => !x)) return undefined;
        return { k: 'func', proto: '', ret: types[0]!, args: types.slice(1) as CType[] };
      }
      return undefined;
    }
    if (t.type(n) === 'binary_operator' && t.textOf(t.field(n, f.operator)) === '*') {
      const left = t.field(n, f.left);
      const right = t.field(n, f.right);
      for (const [x, c] of [[left, right], [right, left]] as const) {
        const of = typeAt(x);
        const len = lengthOf(c);
        if (of && of.k !== 'void' && len !== undefined) return { k: 'array', of, n: len };
      }
    }
    return undefined;
  };
  const lengthOf = (n: number): number | undefined => {
    if (n < 0) return undefined;
    const v = t.intLiteral(n);
    if (v !== undefined) return v;
    const d = t.dotted(n);
    return d !== undefined ? program.intConstants.get(d) : undefined;
  };

  // Prototypes and type aliases (module-level `CB = CFUNCTYPE(...)`, `IntArr = c_int * 4`), in text order.
  for (const st of statements) {
    const a = t.assignmentOf(st);
    if (!a || t.type(a.left) !== 'identifier') continue;
    const name = t.textOf(a.left);
    const call = t.callParts(a.right);
    const factory = call ? ctypesNameAt(call.callee) : undefined;
    if (call && factory && ['CFUNCTYPE', 'WINFUNCTYPE', 'PYFUNCTYPE'].includes(factory)) {
      const p: Prototype = { name, statement: t.node(st), factory };
      if (factory === 'PYFUNCTYPE') p.human = 'PYFUNCTYPE calls into the CPython C API, which cffi cannot do (and PyPy lacks)';
      else if (call.keywords.size || call.splat) p.human = `${factory} with use_errno/use_last_error or *args is not converted`;
      else {
        const types = call.args.map(typeAt);
        if (types.length && types.every((x) => x)) {
          p.ret = types[0];
          p.args = types.slice(1) as CType[];
        } else p.human = 'a type in this prototype could not be read';
      }
      program.prototypes.set(p.name, p);
      continue;
    }
    if (t.type(t.parent(st)) !== 'module') continue;
    const type = typeAt(a.right);
    if (type && (type.k === 'array' || type.k === 'ptr') && !ctypesNameAt(a.right)) program.aliases.set(name, { name, statement: t.node(st), type });
  }

  // Struct bodies.
  for (const s of program.structs.values()) readStructBody(t, typeAt, s, classOf.get(s)!);
  for (const st of statements) {
    const a = t.assignmentOf(st);
    if (!a || t.type(a.left) !== 'attribute') continue;
    const obj = t.dotted(t.field(a.left, f.object));
    const attrNode = t.field(a.left, f.attribute);
    const attr = attrNode >= 0 ? t.textOf(attrNode) : undefined;
    const s = obj !== undefined ? program.structs.get(obj) : undefined;
    if (!s || !attr) continue;
    if (attr === '_fields_') {
      s.fieldsStatement = t.node(st);
      s.fields = readFields(t, typeAt, a.right);
    } else if (attr === '_pack_') s.pack = t.intLiteral(a.right);
    else if (attr === '_anonymous_') s.anonymous = readNames(t, a.right) ?? [];
  }
  for (const s of program.structs.values()) {
    if (!s.human && (s.base.startsWith('Big') || s.base.startsWith('Little'))) s.human = `${s.base} (non-native byte order) has no cffi equivalent`;
    if (!s.human && !s.fields) s.human = `the _fields_ of ${s.name} could not be read`;
    if (!s.human && s.fields?.some((x) => !x.type)) s.human = `a field type of ${s.name} could not be read: ${s.fields.find((x) => !x.type)!.text}`;
  }

  // Libraries: `X = ctypes.CDLL(...)` and friends, anywhere (`self._lib = …` in a method counts).
  for (const st of statements) {
    const a = t.assignmentOf(st);
    if (!a) continue;
    const name = t.dotted(a.left);
    if (!name) continue;
    const right = t.unparen(a.right);
    const call = t.callParts(right);
    const calleeName = call ? ctypesNameAt(call.callee) : ctypesNameAt(right);
    if (calleeName === undefined) continue;
    let lib: Library | undefined;
    if (call && LOADERS[calleeName]) {
      const keywords = new Map([...call.keywords].map(([k, v]) => [k, t.node(v)] as const));
      lib = { name, statement: t.node(st), load: t.node(right), loader: LOADERS[calleeName]!, path: call.args[0] !== undefined ? t.node(call.args[0]) : undefined, keywords };
      if (call.splat || call.args.length > 2) lib.human = 'the library is loaded with arguments the converter does not read';
    } else if (!call && /^(cdll|windll|oledll|pydll)\.[A-Za-z_]\w*$/.test(calleeName)) {
      const [loader, attributeName] = calleeName.split('.') as [string, string];
      lib = { name, statement: t.node(st), load: t.node(right), loader: loader === 'cdll' ? 'CDLL' : loader, attributeName, keywords: new Map() };
    } else if (!call && calleeName === 'pythonapi') {
      lib = { name, statement: t.node(st), load: t.node(right), loader: 'pythonapi', keywords: new Map(), human: 'ctypes.pythonapi is the CPython C API: missing on PyPy and not callable through cffi' };
    }
    if (!lib) continue;
    if (lib.loader === 'PyDLL' || lib.loader === 'pydll') lib.human = 'PyDLL holds the GIL for CPython C-API calls: missing on PyPy, and cffi must not call the C API';
    if (lib.loader === 'OleDLL' || lib.loader === 'oledll') lib.human = 'OleDLL turns failed HRESULTs into OSError; cffi needs a hand-written check';
    if (program.libraries.has(name)) lib.human ??= `${name} is loaded more than once`;
    if (name.endsWith('_ctypes')) {
      lib.handle = true;
      lib.human = 'the ctypes handle kept by an earlier conversion';
    }
    program.libraries.set(name, lib);
  }

  // Libraries held by a class or its instances, with each way the code reaches them (heldLibraries.ts).
  readHeldLibraries(t, program, statements, attributes);

  // Library aliases: `lib = self._lib` names the same library.
  for (const st of statements) {
    const a = t.assignmentOf(st);
    const from = a && t.dotted(a.right);
    const to = a && t.dotted(a.left);
    const lib = from !== undefined ? program.libraries.get(from) : undefined;
    if (lib && to && !program.libraries.has(to)) program.libraries.set(to, lib);
  }

  // Function signatures: `lib.f.argtypes = …`, `.restype`, `.errcheck`; aliases `f = lib.f`.
  for (const st of statements) {
    const a = t.assignmentOf(st);
    if (!a) continue;
    const leftName = t.dotted(a.left);
    const rightName = t.dotted(a.right);
    if (t.type(a.left) === 'identifier' && rightName) {
      const fn = splitFunctionRef(program, rightName);
      if (fn) {
        program.functionAliases.set(t.textOf(a.left), functionKey(fn.lib.name, fn.name));
        program.functionAliasAt.set(t.textOf(a.left), t.start(a.right));
      }
    }
    if (!leftName) continue;
    const m = /^(.*)\.(argtypes|restype|errcheck)$/.exec(leftName);
    if (!m) continue;
    let fnRef = splitFunctionRef(program, m[1]!);
    if (!fnRef) {
      const aliased = program.functionAliases.get(m[1]!);
      if (aliased) {
        const [libName, fname] = aliased.split('\u0000') as [string, string];
        fnRef = { lib: program.libraries.get(libName)!, name: fname };
      }
    }
    if (!fnRef) continue;
    const fd = functionOf(program, fnRef.lib, fnRef.name);
    const which = m[2]!;
    const right = a.right;
    if (which === 'argtypes') {
      const items = t.type(right) === 'list' || t.type(right) === 'tuple' ? t.items(right) : undefined;
      const types = items?.map(typeAt);
      fd.argtypes = { statement: t.node(st), value: t.node(right), types: types && types.every((x) => x && x.k !== 'void') ? (types as CType[]) : undefined, count: (fd.argtypes?.count ?? 0) + 1 };
    } else if (which === 'restype') {
      fd.restype = { statement: t.node(st), value: t.node(right), type: typeAt(right), count: (fd.restype?.count ?? 0) + 1 };
    } else {
      fd.errcheck = { statement: t.node(st), value: t.node(right), count: (fd.errcheck?.count ?? 0) + 1 };
    }
  }
  return program;
}

/** Names bound by a ctypes import that a module-level statement binds again (`memset = …`, `def sizeof(…)`), at their first such binding. */
function reboundCtypesNames(t: InputTree, qualify: (d: string) => string): Map<string, number> {
  const out = new Map<string, number>();
  const f = t.f;
  const visit = (n: number): void => {
    for (const c of t.named(n)) {
      const type = t.type(c);
      if (type === 'function_definition' || type === 'class_definition') {
        const name = t.field(c, f.name);
        if (name >= 0) note(name);
        if (type === 'class_definition') {
          const body = t.field(c, f.body);
          visit(body >= 0 ? body : c);
        }
        continue;
      }
      if (type === 'lambda') continue;
      if (type === 'identifier' && t.isStoreTarget(c) && !ctypesValued(c)) note(c);
      visit(c);
    }
  };
  // `c_ssize_t = c_long` (a fallback when the import fails) still names a ctypes thing: no shadowing
  const ctypesValued = (id: number): boolean => {
    const p = t.parent(id);
    const right = p >= 0 && t.type(p) === 'assignment' ? t.field(p, f.right) : -1;
    const d = right >= 0 ? t.dotted(t.unparen(right)) : undefined;
    return !!d && qualify(d).startsWith('ctypes.');
  };
  const note = (id: number): void => {
    const name = t.textOf(id);
    if (!out.has(name) && qualify(name).startsWith('ctypes.')) out.set(name, t.start(id));
  };
  visit(0);
  return out;
}

/** `x = ctypes.memset`, `c_ssize_t = c_long`: a plain name on the right may still be a ctypes thing, so no shadowing is assumed. */
function boundToName(t: InputTree, id: number): boolean {
  const p = t.parent(id);
  const right = p >= 0 && t.type(p) === 'assignment' ? t.field(p, t.f.right) : -1;
  return right >= 0 && !!t.dotted(t.unparen(right));
}

function readNames(t: InputTree, n: number): string[] | undefined {
  n = t.unparen(n);
  if (t.type(n) !== 'list' && t.type(n) !== 'tuple') return undefined;
  const out: string[] = [];
  for (const c of t.named(n)) {
    const s = t.stringLiteral(c);
    if (!s) return undefined;
    out.push(s.value);
  }
  return out;
}

function readFields(t: InputTree, typeAt: (n: number) => CType | undefined, value: number): StructField[] | undefined {
  value = t.unparen(value);
  if (t.type(value) !== 'list' && t.type(value) !== 'tuple') return undefined;
  const fields: StructField[] = [];
  for (const item of t.named(value)) {
    const type = t.type(item);
    if (type === 'comment') continue;
    const parts = type === 'tuple' || type === 'list' ? t.items(item) : [];
    const name = parts[0] !== undefined ? t.stringLiteral(parts[0]) : undefined;
    if (!name || parts.length < 2 || parts.length > 3) return undefined;
    const field: StructField = { name: name.value, type: typeAt(parts[1]!), text: t.textOf(item) };
    if (parts.length === 3) {
      field.bits = t.intLiteral(parts[2]!);
      if (field.bits === undefined) return undefined;
    }
    fields.push(field);
  }
  return fields;
}

function readStructBody(t: InputTree, typeAt: (n: number) => CType | undefined, s: StructDecl, cls: number): void {
  const body = t.field(cls, t.f.body);
  if (body < 0) return;
  const first = t.items(body)[0];
  for (const st of t.named(body)) {
    const type = t.type(st);
    if (type === 'comment') continue;
    if (type === 'expression_statement' && t.named(st)[0] !== undefined && t.type(t.named(st)[0]!) === 'string' && st === first) continue; // docstring
    if (type === 'pass_statement') continue;
    const a = t.assignmentOf(st);
    const name = a && t.type(a.left) === 'identifier' ? t.textOf(a.left) : undefined;
    if (a && name === '_fields_') s.fields = readFields(t, typeAt, a.right);
    else if (a && name === '_pack_') {
      s.pack = t.intLiteral(a.right);
      if (s.pack === undefined) s.human = '_pack_ is not a literal number';
    } else if (a && name === '_anonymous_') {
      const names = readNames(t, a.right);
      if (!names) s.human = '_anonymous_ is not a literal list of names';
      s.anonymous = names ?? [];
    } else {
      s.human = `${s.name} has methods or other class-body code; cdata types cannot be subclassed, so it needs a wrapper class written by hand`;
    }
  }
}

function readImports(t: InputTree): ImportStatement[] {
  const out: ImportStatement[] = [];
  const f = t.f;
  const item = (c: number): { name: string; alias?: string } => {
    const alias = t.field(c, f.alias);
    return { name: t.textOf(t.field(c, f.name)), alias: alias >= 0 ? t.textOf(alias) : undefined };
  };
  for (let n = 0; n < t.count; n++) {
    const type = t.type(n);
    if (type === 'import_statement') {
      const items: ImportStatement['items'] = [];
      for (const c of t.named(n)) {
        if (t.type(c) === 'dotted_name') items.push({ name: t.textOf(c) });
        else if (t.type(c) === 'aliased_import') items.push(item(c));
      }
      out.push({ node: t.node(n), kind: 'import', items, star: false, topLevel: t.type(t.parent(n)) === 'module' });
    } else if (type === 'import_from_statement') {
      const mod = t.field(n, f.moduleName);
      const items: ImportStatement['items'] = [];
      let star = false;
      for (const c of t.named(n)) {
        if (mod >= 0 && t.start(c) === t.start(mod)) continue;
        if (t.type(c) === 'wildcard_import') star = true;
        else if (t.type(c) === 'dotted_name') items.push({ name: t.textOf(c) });
        else if (t.type(c) === 'aliased_import') items.push(item(c));
      }
      out.push({ node: t.node(n), kind: 'from', module: mod >= 0 ? t.textOf(mod) : undefined, items, star, topLevel: t.type(t.parent(n)) === 'module' });
    }
  }
  return out;
}

/** A use of a rebound ctypes name: `import` before the rebinding at module level, `rebound` after it, `either` inside a function (it may run before or after). */
export function reboundUse(rebound: ReadonlyMap<string, number>, d: string, n: Node): 'import' | 'rebound' | 'either' {
  const head = d.split('.')[0]!;
  // Python makes a name a function binds local to its whole body (and to the functions nested in it)
  for (let p = n.parent; p; p = p.parent) if (p.type === 'function_definition' && localNames(p).has(head)) return 'rebound';
  const at = rebound.get(head);
  if (at === undefined) return 'import';
  for (let p = n.parent; p; p = p.parent) if (p.type === 'function_definition' || p.type === 'lambda') return 'either';
  return n.startIndex < at ? 'import' : 'rebound';
}

const localNamesCache = new WeakMap<object, Map<number, Set<string>>>();

/** The names a function binds for itself (`functionLocals`), leaving out a plain name bound to another (`memset = ctypes.memset`). */
function localNames(fn: Node): Set<string> {
  let perTree = localNamesCache.get(fn.tree);
  if (!perTree) localNamesCache.set(fn.tree, (perTree = new Map()));
  let bound = perTree.get(fn.startIndex);
  if (!bound) perTree.set(fn.startIndex, (bound = functionLocals(fn, (id) => !boundToCtypesName(id))));
  return bound;
}

/** `x = ctypes.memset`, `c_ssize_t = c_long`: a plain name on the right may still be a ctypes thing, so no shadowing is assumed. */
function boundToCtypesName(id: Node): boolean {
  const a = id.parent?.type === 'assignment' ? id.parent : undefined;
  const right = a?.childForFieldName('right');
  return !!right && !!dotted(unparen(right));
}

/** `libc.strlen` → the library and function name when `libc` is a known library. */
export function splitFunctionRef(program: CtypesProgram, d: string): { lib: Library; name: string } | undefined {
  const dot = d.lastIndexOf('.');
  if (dot < 0) return undefined;
  const lib = program.libraries.get(d.slice(0, dot));
  const name = d.slice(dot + 1);
  if (!lib || ['argtypes', 'restype', 'errcheck', '_name', '_handle', '__getitem__'].includes(name)) return undefined;
  return { lib, name };
}

export function functionOf(program: CtypesProgram, lib: Library, name: string): FunctionDecl {
  const key = functionKey(lib.name, name);
  let f = program.functions.get(key);
  if (!f) {
    f = { lib, name };
    program.functions.set(key, f);
  }
  return f;
}

/** `x = value` as a statement (an expression_statement holding one plain assignment). */
export function assignmentOf(st: Node): { left: Node; right: Node; node: Node } | undefined {
  if (st.type !== 'expression_statement' || st.namedChildren.length !== 1) return undefined;
  const a = st.namedChildren[0]!;
  if (a.type !== 'assignment') return undefined;
  const left = a.childForFieldName('left');
  const right = a.childForFieldName('right');
  if (!left || !right || a.childForFieldName('type')) return undefined;
  return { left, right, node: a };
}

