/**
 * Stage 1 of a project conversion: the plan. It decides, over all modules of the binding together, what
 * becomes cffi — libraries, foreign functions (declared directly or through a declaring helper and its
 * table), callback types, opaque structs, type aliases, and the ctypes values handed to foreign calls
 * (out-parameter cells, string buffers, casts) — and records every rewrite as a function of that
 * decision. Whatever the plan does not cover is a refusal with its cause; the caller shrinks on refusals.
 */
import type { Node } from 'web-tree-sitter';
import { callParts, dotted, keyOf, stringLiteral, unparen, walk } from '../../syntax';
import { type CType, PRIMITIVES as PRIMS, declare, isFloating, isIntegral, prim, typeString } from '../../typeNames';
import type { PrototypeLookup } from '../../../analysis/prototypes';
import { stemOf } from '../../../analysis/workspace/evaluate';
import { untypedDeclarations } from '../headerTypes';
import type { SourceModule } from '../modules';
import type { RuntimeHelper } from '../pythonRuntime';
import { type ModuleNodes, type NamedIdentifiers, headName, indexNodes, within } from './moduleIndex';
import { type Bindings, bindingsOf, ctypesName, member } from './bindings';
import { assignedName, isTarget, otherBranch, pyString, scopeOf, stmtOfAssignment } from './syntax';
import { CTYPES_EXPORTS } from '../../../analysis/ctypesNames';

/** A replacement for one node; `inner` renders a descendant with the replacements inside it. */
export type Rewrite = (inner: (n: Node) => string) => string;

export interface Refusal {
  module: SourceModule;
  node: Node;
  reason: string;
}

export interface ForeignDecl {
  cname: string;
  ret: CType;
  params: CType[];
  /** Called without argtypes: the signature is the C header's (`where`), the calls keep ctypes' default conversions. */
  untyped?: { where: string };
}

export interface ModulePlan {
  mod: SourceModule;
  /** The module's import statements (any depth), in document order. */
  imports: Node[];
  ffi: string;
  /** cdef lines in the order found: opaque structs first, then functions. */
  structs: string[];
  functions: Map<string, ForeignDecl>;
  helpers: Set<RuntimeHelper>;
  rewrites: Map<string, { node: Node; render: Rewrite }>;
  deletions: Node[];
  /** The module creates cffi objects (ffi.new, ffi.cast, …) even without declarations. */
  usesFfi: boolean;
  /** Python names bound to converted foreign functions in this module. */
  exported: Map<string, ForeignDecl>;
  /** ctypes uses the plan consumed; anything else ctypes left in the output is a refusal. */
  notes: string[];
  /** Counts for the report. */
  converted: { functions: number; callbacks: number; cells: number; buffers: number; casts: number };
}

export interface ProjectPlan {
  modules: ModulePlan[];
  refusals: Refusal[];
}

const SCALARS = new Set(['c_bool', 'c_byte', 'c_ubyte', 'c_short', 'c_ushort', 'c_int', 'c_uint', 'c_long', 'c_ulong', 'c_longlong', 'c_ulonglong', 'c_int8', 'c_int16', 'c_int32', 'c_int64', 'c_uint8', 'c_uint16', 'c_uint32', 'c_uint64', 'c_size_t', 'c_ssize_t', 'c_float', 'c_double', 'c_void_p']);
const FILE_METHODS_TAKING_BUFFERS = new Set(['readinto', 'readinto1', 'recv_into', 'write', 'send', 'sendall']);

// ---------------------------------------------------------------------------------------------

interface Library {
  /** `libarchive`, `_libraries['magic']` (normalised text) */
  key: string;
  statement: Node;
  /** The name find_library takes (`sodium`), for the header lookup. */
  stem?: string;
  /** Loaded here by CDLL/LoadLibrary (not by a factory in another module). */
  loadedHere: boolean;
  /** Some function is used without argtypes (or `_name` is read): the library becomes a `_Library`. */
  wrapped: boolean;
}

interface Prototype {
  name: string;
  type: CType;
  statement: Node;
}

interface DeclaringHelper {
  name: string;
  def: Node;
  lib: Library;
  params: string[];
  nameParam: number;
  prefix: string;
  argtypesParam: number;
  restypeParam: number;
  errcheckParam?: number;
  registers: boolean;
  local: string;
  getattrStatement: Node;
  attributeStatements: Node[];
}

const libKey = (n: Node): string | undefined => {
  n = unparen(n);
  if (n.type === 'identifier') return n.text;
  if (n.type === 'subscript') {
    const v = n.childForFieldName('value');
    const s = n.childForFieldName('subscript');
    const lit = s ? stringLiteral(s) : undefined;
    if (v?.type === 'identifier' && lit && !lit.bytes) return `${v.text}[${JSON.stringify(lit.value)}]`;
  }
  return undefined;
};

class ModulePlanner {
  readonly plan: ModulePlan;
  readonly libraries = new Map<string, Library>();
  readonly prototypes = new Map<string, Prototype>();
  readonly opaque = new Map<string, Node[]>();
  readonly aliases = new Map<string, { node: Node; type: CType; statement: Node }>();
  readonly helpersDefs = new Map<string, DeclaringHelper>();
  /** ranges of type expressions the plan consumed (their ctypes names do not count as uses) */
  readonly consumed: Node[] = [];
  readonly libraryUsesAllowed = new Set<string>();
  /** `libKey\0name` → the declaration of a function used without argtypes */
  readonly untyped = new Map<string, ForeignDecl>();
  /** variables made by `c_T(…)` and how: a cffi cell (`ffi.new`) or an immutable value (`ffi.cast`) */
  readonly valueTargets = new Map<string, 'cell' | 'value'>();
  /** functions without argtypes whose restype the code sets (`lib.f.restype = T`) */
  readonly restyped = new Set<string>();

  constructor(
    readonly mod: SourceModule,
    readonly nodes: ModuleNodes,
    readonly b: Bindings,
    readonly project: ProjectPlanner,
  ) {
    const taken = nodes.identifiers.has('_ffi');
    this.plan = {
      mod, imports: nodes.imports, ffi: taken ? '_cffi' : '_ffi', structs: [], functions: new Map(), helpers: new Set(), rewrites: new Map(), deletions: [],
      usesFfi: false, exported: new Map(), notes: [], converted: { functions: 0, callbacks: 0, cells: 0, buffers: 0, casts: 0 },
    };
  }

  refuse(node: Node, reason: string): void {
    this.project.refusals.push({ module: this.mod, node, reason });
  }

  rewrite(node: Node, render: Rewrite): void {
    this.plan.rewrites.set(keyOf(node), { node, render });
  }

  ctypes(n: Node | null | undefined): string | undefined {
    return member(ctypesName(this.b, n));
  }

  /** Does a dotted name starting with `head` name something in ctypes here (ctypesName's first test)? */
  namesCtypes(head: string): boolean {
    return this.b.ctypes.has(head) || (this.b.star && CTYPES_EXPORTS.has(head) && !this.b.assigned.has(head));
  }

  // --- types ------------------------------------------------------------------------------

  /** The C type a ctypes type expression denotes, or undefined. Aliases and prototypes resolve. */
  typeOf(n: Node, forRestype = false): CType | undefined {
    n = unparen(n);
    if (n.type === 'none') return forRestype ? { k: 'void' } : undefined;
    const m = this.ctypes(n);
    if (m && prim(m)) return prim(m);
    if (n.type === 'identifier') {
      const alias = this.aliases.get(n.text);
      if (alias) return alias.type;
      const proto = this.prototypes.get(n.text);
      if (proto) return proto.type;
      if (this.opaque.has(n.text)) return undefined;
      const imported = this.b.fromImports.get(n.text);
      if (imported) return this.project.planner(imported[0])?.exportedType(imported[1]);
      return undefined;
    }
    if (n.type === 'call') {
      const parts = callParts(n);
      if (!parts || this.ctypes(parts.callee) !== 'POINTER' || parts.args.length !== 1) return undefined;
      const inner = unparen(parts.args[0]!);
      if (inner.type === 'identifier' && this.opaque.has(inner.text)) return { k: 'ptr', to: { k: 'struct', name: inner.text, union: false } };
      const to = this.typeOf(inner);
      return to ? { k: 'ptr', to } : undefined;
    }
    return undefined;
  }

  exportedType(name: string): CType | undefined {
    return this.aliases.get(name)?.type ?? this.prototypes.get(name)?.type;
  }

  /** Rewrites a type expression to its C string and marks it consumed. */
  consumeType(n: Node, t: CType): void {
    this.consumed.push(n);
    this.rewrite(n, () => pyString(t.k === 'func' ? declare(t, '') : typeString(t)));
  }

  // --- stage A: declarations ---------------------------------------------------------------

  collectDeclarations(): void {
    const top = this.mod.root.namedChildren;
    // opaque structs: `class S(Structure): pass` (+ `S._fields_ = []`), used only through POINTER(S)
    for (const st of top) {
      if (st.type !== 'class_definition') continue;
      const sup = st.childForFieldName('superclasses')?.namedChildren ?? [];
      const body = st.childForFieldName('body')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
      if (sup.length === 1 && this.ctypes(sup[0]) === 'Structure' && body.every((c) => c.type === 'pass_statement' || (c.type === 'expression_statement' && c.namedChildren[0]?.type === 'string'))) {
        this.opaque.set(st.childForFieldName('name')!.text, [st]);
      }
    }
    for (const st of top) {
      const a = st.type === 'expression_statement' ? st.namedChildren[0] : undefined;
      if (a?.type !== 'assignment') continue;
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (!left || !right) continue;
      // S._fields_ = [] for an opaque struct
      if (left.type === 'attribute' && left.childForFieldName('attribute')?.text === '_fields_') {
        const owner = left.childForFieldName('object')?.text ?? '';
        if (this.opaque.has(owner) && unparen(right).type === 'list' && unparen(right).namedChildren.length === 0) this.opaque.get(owner)!.push(st);
        else this.opaque.delete(owner);
        continue;
      }
      if (left.type !== 'identifier') continue;
      // CB = CFUNCTYPE(restype, *argtypes)
      const parts = callParts(right);
      if (parts && this.ctypes(parts.callee) === 'CFUNCTYPE' && !parts.keywords.size && !parts.splat) {
        const [r, ...args] = parts.args;
        const ret = r ? this.typeOf(r, true) : undefined;
        const argTypes = args.map((x) => this.typeOf(x));
        if (!ret || argTypes.some((t) => !t)) {
          this.refuse(right, 'a callback type whose argument or result types have no cffi equivalent here');
          continue;
        }
        const type: CType = { k: 'func', proto: left.text, ret, args: argTypes as CType[] };
        this.prototypes.set(left.text, { name: left.text, type, statement: st });
        this.plan.helpers.add('callback');
        this.rewrite(right, () => `_callback_type(${pyString(declare(type, ''))})`);
        this.plan.converted.callbacks++;
        continue;
      }
      // type aliases: `c_archive_p = c_void_p`, `magic_t = POINTER(magic_set)`
      const t = this.typeOf(right);
      if (t && (t.k === 'prim' || t.k === 'ptr')) this.aliases.set(left.text, { node: left, type: t, statement: st });
    }
    this.collectMemoryStructs();
    this.collectLibraries();
    this.collectHelpers();
    this.collectDirectDeclarations();
    this.collectHelperCalls();
    this.collectUntyped();
  }

  /**
   * A Structure with fields whose instances the module only makes (`S()`), tests (`isinstance(x, S)`) and
   * hands to C (`byref(s)`), and whose fields no code reads: its instances become zeroed bytearrays of the
   * struct's size (what C sees through the pointer is the same memory, laid out by C).
   */
  collectMemoryStructs(): void {
    for (const st of this.mod.root.namedChildren) {
      if (st.type !== 'class_definition') continue;
      const sup = st.childForFieldName('superclasses')?.namedChildren ?? [];
      if (sup.length !== 1 || this.ctypes(sup[0]) !== 'Structure') continue;
      const name = st.childForFieldName('name')!.text;
      if (this.opaque.has(name)) continue;
      const body = st.childForFieldName('body')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
      let pack: number | undefined;
      let fields: { name: string; type: CType }[] | undefined;
      let ok = true;
      for (const c of body) {
        const a = c.type === 'expression_statement' ? c.namedChildren[0] : undefined;
        if (a?.type === 'string') continue;
        const l = a?.type === 'assignment' ? a.childForFieldName('left')?.text : undefined;
        const r = a?.childForFieldName('right');
        if (l === '_pack_' && r?.type === 'integer') pack = Number(r.text);
        else if (l === '_fields_' && r && (unparen(r).type === 'list' || unparen(r).type === 'tuple')) fields = this.fieldsOf(unparen(r));
        else ok = false;
      }
      if (!ok || !fields?.length) continue;
      const uses = (this.nodes.identifiers.get(name) ?? []).filter((n) => n.startIndex !== st.childForFieldName('name')!.startIndex);
      const allowed = uses.every((u) => {
        const p = u.parent!;
        if (p.type === 'call' && p.childForFieldName('function')?.startIndex === u.startIndex) return callParts(p)!.args.length === 0 && !callParts(p)!.keywords.size;
        const c = p.type === 'argument_list' ? callParts(p.parent!) : undefined;
        return c?.callee.text === 'isinstance' && c.args[1]?.startIndex === u.startIndex;
      });
      const fieldRead = fields.find((f) => new RegExp(`\\.${f.name}\\b`).test(this.mod.text));
      if (!allowed || fieldRead) continue;
      const size = structSize(fields.map((f) => f.type), pack);
      if (size === undefined) continue;
      this.consumed.push(st);
      this.plan.notes.push(`${this.mod.name}.${name} (a ctypes Structure only made, tested with isinstance and passed to C) is now a zeroed bytearray of its ${size} bytes: its field attributes are gone`);
      this.rewrite(st, () => `class ${name}(bytearray):  # was a ctypes Structure (${fields!.map((f) => f.name).join(', ')}${pack ? `, packed to ${pack}` : ''}): C reads its ${size} bytes\n    def __init__(self):\n        bytearray.__init__(self, ${size})`);
    }
  }

  fieldsOf(list: Node): { name: string; type: CType }[] | undefined {
    const out: { name: string; type: CType }[] = [];
    for (const item of list.namedChildren) {
      const t = unparen(item);
      if (t.type !== 'tuple' || t.namedChildren.length !== 2) return undefined;
      const name = stringLiteral(t.namedChildren[0]!);
      const te = unparen(t.namedChildren[1]!);
      let type: CType | undefined;
      if (te.type === 'binary_operator' && te.child(1)?.type === '*' && te.childForFieldName('right')?.type === 'integer') {
        const of = this.typeOf(te.childForFieldName('left')!);
        if (of) type = { k: 'array', of, n: Number(te.childForFieldName('right')!.text) };
      } else type = this.typeOf(te);
      if (!name || name.bytes || !type) return undefined;
      out.push({ name: name.value, type });
    }
    return out;
  }

  /** The nodes that name a library in this module (identifiers, or `_libraries['x']` subscripts). */
  libraryNodes(lib: Library): Node[] {
    return !lib.key.includes('[') ? this.nodes.identifiers.get(lib.key) ?? [] : this.nodes.subscripts.filter((n) => libKey(n) === lib.key);
  }

  /**
   * Functions used without argtypes — `lib.f(…)`, `lib.f.restype = T`, `g = lib.f` — and `lib._name`: the
   * library becomes a `_Library` whose functions are declared from the C header and called as ctypes called
   * them (`_CFunction`: a Python int as a C int, bytes by address, None as NULL; a C int back unless restype).
   */
  collectUntyped(): void {
    const sites: { lib: Library; libNode: Node; attr: Node; name: string }[] = [];
    for (const lib of this.libraries.values()) {
      for (const n of this.libraryNodes(lib)) {
        const p = n.parent;
        if (p?.type !== 'attribute' || p.childForFieldName('object')?.startIndex !== n.startIndex || this.libraryUsesAllowed.has(keyOf(n))) continue;
        const name = p.childForFieldName('attribute')!.text;
        if (name === '_name' && !isTarget(p)) sites.push({ lib, libNode: n, attr: p, name });
        else if (!name.startsWith('_')) sites.push({ lib, libNode: n, attr: p, name });
      }
    }
    if (!sites.length) return;
    for (const s of sites) {
      const up = s.attr.parent;
      if (up?.type === 'attribute' && up.childForFieldName('attribute')?.text === 'restype' && isTarget(up)) this.restyped.add(s.name);
    }
    const byLib = new Map<Library, Set<string>>();
    for (const s of sites) if (s.name !== '_name') byLib.set(s.lib, (byLib.get(s.lib) ?? new Set()).add(s.name));
    const decls = new Map<Library, Map<string, ForeignDecl | string>>();
    for (const [lib, names] of byLib) decls.set(lib, untypedDeclarations(lib.stem, [...names], this.project.lookup));
    const wrap = (lib: Library, at: Node): boolean => {
      if (!lib.loadedHere) {
        this.refuse(at, `${lib.key} is loaded by a function of another module and used without argtypes here: the plan follows that only for functions declared with argtypes`);
        return false;
      }
      lib.wrapped = true;
      this.plan.helpers.add('library');
      return true;
    };
    for (const s of sites) {
      if (s.name === '_name') {
        // ctypes' CDLL._name: the name it was loaded by; a _Library keeps it
        if (wrap(s.lib, s.attr)) this.libraryUsesAllowed.add(keyOf(s.libNode));
        continue;
      }
      const up = s.attr.parent;
      const isCall = up?.type === 'call' && up.childForFieldName('function')?.startIndex === s.attr.startIndex;
      const attrOf = up?.type === 'attribute' && up.childForFieldName('object')?.startIndex === s.attr.startIndex ? up.childForFieldName('attribute')!.text : undefined;
      // `g = lib.f` at module level: g's calls are planned as lib.f's (elsewhere g is only a run-time alias)
      const assigned = up?.type === 'assignment' && up.childForFieldName('right')?.startIndex === s.attr.startIndex && up.childForFieldName('left')?.type === 'identifier' && up.parent?.parent?.type === 'module' ? up.childForFieldName('left')! : undefined;
      const aliasElsewhere = up?.type === 'assignment' && up.childForFieldName('right')?.startIndex === s.attr.startIndex && up.childForFieldName('left')?.type === 'identifier' && !assigned;
      if (!isCall && !assigned && !aliasElsewhere && !(attrOf && (attrOf === 'restype' || attrOf === 'errcheck') && isTarget(up!))) continue; // settleNames says why
      const d = decls.get(s.lib)!.get(s.name)!;
      if (typeof d === 'string') {
        this.refuse(s.attr, d);
        this.libraryUsesAllowed.add(keyOf(s.libNode)); // the reason is said once, here
        continue;
      }
      const prior = this.plan.functions.get(s.name);
      if (prior && !prior.untyped) {
        this.refuse(s.attr, `${s.lib.key}.${s.name} is used without argtypes here and declared with argtypes through a name elsewhere: ctypes shares one function object between them; bind this use to that name`);
        continue;
      }
      if (isCall && !this.untypedCallOk(up!, d, `${s.lib.key}.${s.name}`)) continue;
      if (attrOf === 'restype') {
        const asg = up!.parent;
        const value = asg?.type === 'assignment' ? asg.childForFieldName('right') : null;
        if (!value) {
          // `lib.f.argtypes, lib.f.restype = …`: not followed
          this.refuse(up!, `${up!.text} is set in a tuple assignment: the plan follows one attribute per statement`);
          continue;
        }
        if (!this.planRestype(value, d)) continue;
      }
      if (!wrap(s.lib, s.attr)) continue;
      if (!prior) {
        this.plan.functions.set(s.name, d);
        this.plan.converted.functions++;
      }
      this.untyped.set(`${s.lib.key}\0${s.name}`, d);
      if (assigned) {
        this.plan.exported.set(assigned.text, d);
        for (const id of this.nodes.identifiers.get(assigned.text) ?? []) {
          const c = id.parent;
          if (c?.type === 'call' && c.childForFieldName('function')?.startIndex === id.startIndex) this.untypedCallOk(c, d, assigned.text);
        }
      }
      this.libraryUsesAllowed.add(keyOf(s.libNode));
    }
    // `g = lib.f` then `g.restype = T`: the type becomes its C name (a _CFunction reads it at each call)
    for (const a of this.nodes.assignments) {
      const l = a.childForFieldName('left');
      if (l?.type !== 'attribute' || l.childForFieldName('attribute')?.text !== 'restype') continue;
      const d = l.childForFieldName('object')?.type === 'identifier' ? this.plan.exported.get(l.childForFieldName('object')!.text) : undefined;
      if (d?.untyped) this.planRestype(a.childForFieldName('right')!, d);
    }
  }

  /** A call of a function without argtypes: the arguments ctypes passed, against the C prototype. */
  untypedCallOk(call: Node, d: ForeignDecl, what: string): boolean {
    const parts = callParts(call)!;
    if (parts.keywords.size || parts.splat) {
      this.refuse(call, `${what}(…) with keyword or * arguments: the plan needs each argument at its place`);
      return false;
    }
    if (parts.args.length !== d.params.length) {
      this.refuse(call, `${what} takes ${d.params.length} arguments in its C prototype (${d.untyped!.where}) and gets ${parts.args.length} here: ctypes passed them anyway, cffi would raise TypeError`);
      return false;
    }
    if (d.ret.k === 'void' && call.parent?.type !== 'expression_statement') {
      this.refuse(call, `${what} returns void (${d.untyped!.where}) and this call uses its result: ctypes gave an undefined int; the converted call would give None`);
      return false;
    }
    if (d.ret.k === 'prim' && isFloating(d.ret) && call.parent?.type !== 'expression_statement' && !this.restyped.has(d.cname)) {
      this.refuse(call, `${what} returns ${d.ret.c} (${d.untyped!.where}) and ctypes, without restype, read it as an int: declare ${what}.restype`);
      return false;
    }
    return true;
  }

  /** `f.restype = T` for a function without argtypes: T becomes its C name; the result is converted as ctypes did. */
  planRestype(value: Node, d: ForeignDecl): boolean {
    const t = this.typeOf(value, true);
    const header = d.ret;
    const isPtr = header.k === 'ptr';
    const isInt = header.k === 'prim' && isIntegral(header);
    let c: string | undefined;
    if (t?.k === 'void') c = 'None';
    else if (t?.k === 'prim' && t.ctypes === 'c_char_p' && isPtr) c = pyString('char *');
    else if (t?.k === 'prim' && t.ctypes === 'c_void_p' && isPtr) c = pyString('void *');
    else if (t?.k === 'prim' && isIntegral(t) && isInt) c = pyString(t.c);
    else if (t?.k === 'prim' && isFloating(t) && t.ctypes !== 'c_longdouble' && header.k === 'prim' && isFloating(header)) c = pyString(t.c);
    if (!c) {
      this.refuse(value, `restype ${value.text} of ${d.cname}, whose C prototype returns ${declare(header, '')} (${d.untyped!.where}): not converted`);
      return false;
    }
    this.consumed.push(value);
    this.rewrite(value, () => c!);
    return true;
  }

  collectLibraries(): void {
    for (const n of this.nodes.assignments) {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (!left || !right) continue;
      const parts = callParts(right);
      if (!parts) continue;
      const load = this.ctypes(parts.callee);
      const key = libKey(left);
      const st = stmtOfAssignment(n);
      if ((load === 'CDLL' || load === 'cdll.LoadLibrary') && key && st) {
        if (st.parent?.parent?.type === 'class_definition') {
          this.refuse(right, `${key} is loaded in a class body: the plan follows libraries bound to module or function names`);
          continue;
        }
        if (parts.keywords.size || parts.args.length !== 1 || parts.splat) {
          this.refuse(right, `${load}(…) with ${parts.keywords.size ? [...parts.keywords.keys()].join(', ') : 'these arguments'}: the plan only loads a library by name or path`);
          continue;
        }
        const lib: Library = { key, statement: st, stem: stemOfLoad(parts.args[0]!), loadedHere: true, wrapped: false };
        this.libraries.set(key, lib);
        this.plan.usesFfi = true;
        this.rewrite(right, (inner) => (lib.wrapped ? `_Library(${inner(parts.args[0]!)})` : `${this.plan.ffi}.dlopen(${inner(parts.args[0]!)})`));
        continue;
      }
      const factory = this.project.factoryFor(this, parts.callee);
      if (factory && key && st) {
        this.libraries.set(key, { key, statement: st, loadedHere: false, wrapped: false });
        this.plan.usesFfi = true;
        const argList = parts.argList;
        this.rewrite(argList, () => (parts.args.length || parts.keywords.size ? `${argList.text.slice(0, -1)}, ffi=${this.plan.ffi})` : `(${this.plan.ffi})`));
      }
    }
  }

  /** `def ffi(name, argtypes, restype, errcheck=None): f = getattr(lib, 'prefix_' + name); f.argtypes = …` */
  collectHelpers(): void {
    for (const def of this.mod.root.namedChildren) {
      if (def.type !== 'function_definition') continue;
      const params = (def.childForFieldName('parameters')?.namedChildren ?? []).map((p) => (p.type === 'identifier' ? p.text : p.type === 'default_parameter' ? p.childForFieldName('name')?.text ?? '' : ''));
      const body = def.childForFieldName('body')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
      const first = body[0]?.type === 'expression_statement' ? body[0].namedChildren[0] : undefined;
      if (first?.type !== 'assignment') continue;
      const local = first.childForFieldName('left');
      const gp = callParts(first.childForFieldName('right')!);
      if (local?.type !== 'identifier' || !gp || gp.callee.text !== 'getattr' || gp.args.length !== 2) continue;
      const lib = this.libraries.get(libKey(gp.args[0]!) ?? '');
      if (!lib) continue;
      const nameExpr = unparen(gp.args[1]!);
      let prefix = '';
      let nameParam = -1;
      if (nameExpr.type === 'identifier') nameParam = params.indexOf(nameExpr.text);
      else if (nameExpr.type === 'binary_operator' && nameExpr.child(1)?.type === '+') {
        const l = stringLiteral(nameExpr.childForFieldName('left')!);
        const r = nameExpr.childForFieldName('right');
        if (l && !l.bytes && r?.type === 'identifier') {
          prefix = l.value;
          nameParam = params.indexOf(r.text);
        }
      }
      if (nameParam < 0) continue;
      const h: DeclaringHelper = { name: def.childForFieldName('name')!.text, def, lib, params, nameParam, prefix, argtypesParam: -1, restypeParam: -1, registers: false, local: local.text, getattrStatement: body[0]!, attributeStatements: [] };
      let ok = true;
      const attr = (st: Node): [string, string] | undefined => {
        const a = st.type === 'expression_statement' ? st.namedChildren[0] : undefined;
        const l = a?.type === 'assignment' ? a.childForFieldName('left') : undefined;
        const r = a?.childForFieldName('right');
        if (l?.type !== 'attribute' || l.childForFieldName('object')?.text !== h.local || r?.type !== 'identifier') return undefined;
        return [l.childForFieldName('attribute')!.text, r.text];
      };
      for (const st of body.slice(1)) {
        const at = attr(st);
        if (at && (at[0] === 'argtypes' || at[0] === 'restype' || at[0] === 'errcheck')) {
          const idx = params.indexOf(at[1]);
          if (idx < 0) ok = false;
          if (at[0] === 'argtypes') h.argtypesParam = idx;
          else if (at[0] === 'restype') h.restypeParam = idx;
          else h.errcheckParam = idx;
          h.attributeStatements.push(st);
          continue;
        }
        if (st.type === 'if_statement') {
          const cond = st.childForFieldName('condition');
          const inner = st.childForFieldName('consequence')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
          const at2 = inner.length === 1 ? attr(inner[0]!) : undefined;
          if (!st.childForFieldName('alternative') && cond?.type === 'identifier' && at2?.[0] === 'errcheck' && at2[1] === cond.text && params.includes(cond.text)) {
            h.errcheckParam = params.indexOf(cond.text);
            h.attributeStatements.push(st);
            continue;
          }
        }
        if (st.type === 'return_statement' && st.namedChildren[0]?.text === h.local) continue;
        const a = st.type === 'expression_statement' ? st.namedChildren[0] : undefined;
        if (a?.type === 'assignment' && a.childForFieldName('right')?.text === h.local && /^globals\(\)\[\w+\]$/.test(a.childForFieldName('left')!.text.replace(/\s/g, '')) && a.childForFieldName('left')!.text.includes(`[${params[nameParam]}]`)) {
          h.registers = true;
          continue;
        }
        ok = false;
      }
      if (!ok || h.argtypesParam < 0 || h.restypeParam < 0) {
        this.refuse(def, `${h.name} declares foreign functions in a way the plan does not follow (only getattr, argtypes, restype, errcheck, globals() and return)`);
        continue;
      }
      this.helpersDefs.set(h.name, h);
      this.libraryUsesAllowed.add(keyOf(gp.args[0]!));
      const ffiErr = h.errcheckParam !== undefined ? `, ${params[h.errcheckParam]}` : '';
      const lhs = h.local;
      this.plan.helpers.add('function');
      this.rewrite(first.childForFieldName('right')!, (inner) => `_cffi_function(${inner(gp.args[0]!)}${lib.wrapped ? '._cffi_lib' : ''}, ${inner(gp.args[1]!)}${ffiErr})`);
      void lhs;
      this.plan.deletions.push(...h.attributeStatements);
    }
  }

  /** `f = lib.name` / `getattr(lib, "name")` / `lib["name"]`, then `f.argtypes`, `f.restype`, `f.errcheck` in the same block. */
  collectDirectDeclarations(): void {
    // libraryMember's right sides start with a library's name or getattr
    const heads = new Set(['getattr', ...[...this.libraries.keys()].map((k) => k.split('[')[0]!)]);
    for (const n of this.nodes.blocks) {
      const stmts = n.namedChildren;
      for (let i = 0; i < stmts.length; i++) {
        const st = stmts[i]!;
        const a = st.type === 'expression_statement' ? st.namedChildren[0] : undefined;
        if (a?.type !== 'assignment') continue;
        const left = a.childForFieldName('left');
        const right = a.childForFieldName('right');
        if (left?.type !== 'identifier' || !right) continue;
        const head = headName(this.mod, right);
        if (head !== undefined && !heads.has(head)) continue;
        const found = this.libraryMember(right);
        if (!found) continue;
        const group: Node[] = [st];
        const attrs = new Map<string, Node>();
        for (let j = i + 1; j < stmts.length; j++) {
          const s2 = stmts[j]!;
          const a2 = s2.type === 'expression_statement' ? s2.namedChildren[0] : undefined;
          const l2 = a2?.type === 'assignment' ? a2.childForFieldName('left') : undefined;
          if (l2?.type !== 'attribute' || l2.childForFieldName('object')?.text !== left.text) break;
          const which = l2.childForFieldName('attribute')!.text;
          if (which !== 'argtypes' && which !== 'restype' && which !== 'errcheck') break;
          attrs.set(which, a2!.childForFieldName('right')!);
          group.push(s2);
        }
        // without argtypes, `f = lib.name` is a use of lib.name as ctypes gives it (collectUntyped)
        if (!attrs.has('argtypes')) continue;
        const decl = this.declFromAttributes(found.cname, attrs.get('argtypes'), attrs.get('restype'), right);
        if (!decl) continue;
        if (!this.declare(decl, right)) continue;
        this.libraryUsesAllowed.add(keyOf(found.lib));
        this.plan.exported.set(left.text, decl);
        this.plan.helpers.add('function');
        this.plan.converted.functions++;
        const last = group[group.length - 1]!;
        const err = attrs.get('errcheck');
        const libNode = found.lib;
        const lib = this.libraries.get(libKey(libNode)!)!;
        const lastAssign = last.namedChildren[0]!;
        // the whole group becomes one statement, where the last attribute was set (everything it names exists there)
        this.rewrite(lastAssign, (inner) => `${left.text} = _cffi_function(${inner(libNode)}${lib.wrapped ? '._cffi_lib' : ''}, ${pyString(found.cname)}${err ? `, ${inner(err)}` : ''})`);
        this.plan.deletions.push(...group.slice(0, -1));
        for (const [which, v] of attrs) if (which !== 'errcheck') this.consumed.push(v);
        i += group.length - 1;
      }
    }
  }

  libraryMember(right: Node): { lib: Node; cname: string } | undefined {
    right = unparen(right);
    if (right.type === 'attribute') {
      const obj = right.childForFieldName('object')!;
      const k = libKey(obj);
      if (k && this.libraries.has(k)) return { lib: obj, cname: right.childForFieldName('attribute')!.text };
    }
    if (right.type === 'subscript') {
      const obj = right.childForFieldName('value')!;
      const s = right.childForFieldName('subscript');
      const lit = s ? stringLiteral(s) : undefined;
      const k = libKey(obj);
      // lib["f"] is a fresh function object in ctypes; bound once to a name, it is the same as lib.f
      if (k && this.libraries.has(k) && lit && !lit.bytes) return { lib: obj, cname: lit.value };
    }
    const parts = callParts(right);
    if (parts?.callee.text === 'getattr' && parts.args.length === 2) {
      const k = libKey(parts.args[0]!);
      const lit = stringLiteral(parts.args[1]!);
      if (k && this.libraries.has(k) && lit && !lit.bytes) return { lib: parts.args[0]!, cname: lit.value };
    }
    return undefined;
  }

  declFromAttributes(cname: string, argtypes: Node | undefined, restype: Node | undefined, at: Node): ForeignDecl | undefined {
    if (!argtypes) {
      // TODO(header prototypes): a function without argtypes takes its signature from the C header
      this.refuse(at, `${cname} has no argtypes: ctypes guesses each argument's C type at every call, so the plan needs its prototype from the C header`);
      return undefined;
    }
    const list = unparen(argtypes);
    if (list.type !== 'list' && list.type !== 'tuple') {
      this.refuse(argtypes, `the argtypes of ${cname} are computed at run time: the plan needs a literal list`);
      return undefined;
    }
    const params: CType[] = [];
    for (const item of list.namedChildren) {
      const t = this.typeOf(item);
      if (!t) {
        this.refuse(item, `argument type ${item.text} of ${cname} has no cffi equivalent in this plan`);
        return undefined;
      }
      params.push(t);
    }
    let ret: CType = { k: 'prim', ctypes: 'c_int', c: 'int' };
    if (restype) {
      const t = this.typeOf(restype, true);
      if (!t) {
        this.refuse(restype, `result type ${restype.text} of ${cname} has no cffi equivalent in this plan`);
        return undefined;
      }
      ret = t;
    }
    if (ret.k === 'func' || params.some((p) => p.k === 'prim' && (p.ctypes === 'c_longdouble'))) {
      this.refuse(at, `${cname}: this type does not cross the cffi boundary the way it crossed ctypes'`);
      return undefined;
    }
    return { cname, ret, params };
  }

  declare(decl: ForeignDecl, at: Node): boolean {
    const line = this.cdefLine(decl);
    const prior = this.plan.functions.get(decl.cname);
    if (prior && this.cdefLine(prior) !== line) {
      this.refuse(at, `${decl.cname} is declared twice with different signatures (${this.cdefLine(prior)} / ${line}); one cdef can hold only one`);
      return false;
    }
    this.plan.functions.set(decl.cname, decl);
    return true;
  }

  cdefLine(d: ForeignDecl): string {
    const params = d.params.length ? d.params.map((p) => declare(p, '')).join(', ') : 'void';
    return `${declare(d.ret, `${d.cname}(${params})`)};`;
  }

  /** Every call of a declaring helper: each name it can take is declared; the table's types become C strings. */
  collectHelperCalls(): void {
    if (!this.helpersDefs.size) return;
    for (const n of this.nodes.calls) {
      const parts = callParts(n);
      const h = parts && parts.callee.type === 'identifier' ? this.helpersDefs.get(parts.callee.text) : undefined;
      if (!h || !parts) continue;
      const arg = (i: number): Node | undefined => {
        const kw = parts.keywords.get(h.params[i]!);
        return kw ?? parts.args[i];
      };
      if (parts.splat) {
        this.refuse(n, `${h.name}(*…): the plan needs the names and types at each call`);
        continue;
      }
      const names = this.namesOf(arg(h.nameParam));
      const argtypes = arg(h.argtypesParam);
      const restype = arg(h.restypeParam);
      if (!names) {
        this.refuse(n, `${h.name}(…): the function name is computed in a way the plan cannot follow, so it cannot be declared in the cdef`);
        continue;
      }
      let ok = true;
      for (const name of names) {
        const decl = this.declFromAttributes(h.prefix + name, argtypes, restype, n);
        if (!decl || !this.declare(decl, n)) {
          ok = false;
          break;
        }
        if (h.registers) this.plan.exported.set(name, decl);
        this.plan.converted.functions++;
      }
      if (!ok) continue;
      const decl = this.plan.functions.get(h.prefix + names[0]!)!;
      // the assignment `errno = ffi('errno', …)` also binds a name
      const a = n.parent?.type === 'assignment' && n.parent.childForFieldName('right')?.startIndex === n.startIndex ? n.parent.childForFieldName('left') : undefined;
      if (a?.type === 'identifier') this.plan.exported.set(a.text, decl);
      const list = unparen(argtypes!);
      list.namedChildren.forEach((item, i) => this.consumeType(item, decl.params[i]!));
      this.consumeType(restype!, decl.ret);
    }
  }

  /** The values a name argument takes: a literal, or `"lit" + v` with v looping over a literal collection. */
  namesOf(n: Node | undefined): string[] | undefined {
    if (!n) return undefined;
    n = unparen(n);
    const lit = stringLiteral(n);
    if (lit && !lit.bytes) return [lit.value];
    if (n.type === 'binary_operator' && n.child(1)?.type === '+') {
      const l = stringLiteral(n.childForFieldName('left')!);
      const r = n.childForFieldName('right')!;
      if (l && !l.bytes && r.type === 'identifier') {
        const vals = this.loopValues(r);
        return vals?.map((v) => l.value + v);
      }
    }
    return undefined;
  }

  loopValues(v: Node): string[] | undefined {
    for (let p = v.parent; p; p = p.parent) {
      if (p.type !== 'for_statement' || p.childForFieldName('left')?.text !== v.text) continue;
      let it = unparen(p.childForFieldName('right')!);
      const c = callParts(it);
      if (c && ['list', 'sorted', 'tuple', 'set'].includes(c.callee.text) && c.args.length === 1) it = unparen(c.args[0]!);
      if (it.type === 'identifier') {
        const def = this.moduleAssignment(it.text);
        if (!def) return undefined;
        it = def;
      }
      return this.literalStrings(it);
    }
    return undefined;
  }

  private assignmentCache = new Map<string, Node | undefined>();

  moduleAssignment(name: string): Node | undefined {
    if (!this.assignmentCache.has(name)) this.assignmentCache.set(name, this.findModuleAssignment(name));
    return this.assignmentCache.get(name);
  }

  findModuleAssignment(name: string): Node | undefined {
    let found: Node | undefined;
    for (const st of this.mod.root.namedChildren) {
      const a = st.type === 'expression_statement' ? st.namedChildren[0] : undefined;
      if (a?.type === 'assignment' && a.childForFieldName('left')?.text === name) {
        if (found) return undefined;
        found = a.childForFieldName('right')!;
      }
    }
    return found;
  }

  literalStrings(n: Node): string[] | undefined {
    n = unparen(n);
    const c = callParts(n);
    if (c && ['set', 'frozenset', 'list', 'tuple'].includes(c.callee.text) && c.args.length === 1) n = unparen(c.args[0]!);
    if (!['set', 'list', 'tuple'].includes(n.type)) return undefined;
    const out: string[] = [];
    for (const item of n.namedChildren) {
      const lit = stringLiteral(item);
      if (!lit || lit.bytes) return undefined;
      out.push(lit.value);
    }
    return out;
  }

  // --- stage B: the values handed to foreign calls ------------------------------------------

  /** The converted foreign function an expression calls, if any (in this module or imported). */
  calleeDecl(callee: Node, seen = 0): ForeignDecl | undefined {
    callee = unparen(callee);
    if (seen > 4) return undefined;
    if (callee.type === 'identifier') {
      const local = this.localAlias(callee);
      if (local) return this.calleeDecl(local, seen + 1);
      const here = this.plan.exported.get(callee.text);
      if (here) return here;
      const imp = this.b.fromImports.get(callee.text);
      if (imp) return this.project.planner(imp[0])?.plan.exported.get(imp[1]);
      return undefined;
    }
    if (callee.type === 'attribute') {
      const obj = callee.childForFieldName('object')!;
      const k = libKey(obj);
      if (k && this.libraries.has(k)) return this.untyped.get(`${k}\0${callee.childForFieldName('attribute')!.text}`);
      const mod = obj.type === 'identifier' ? this.b.modules.get(obj.text) : undefined;
      if (mod) return this.project.planner(mod)?.plan.exported.get(callee.childForFieldName('attribute')!.text);
    }
    return undefined;
  }

  /** `read = ffi.read_data` in the same function: the aliased expression. */
  localAlias(id: Node): Node | undefined {
    const scope = scopeOf(id);
    if (scope.type !== 'function_definition') return undefined;
    let found: Node | undefined;
    for (const n of within(this.nodes.identifiers.get(id.text) ?? [], scope.startIndex, scope.endIndex)) {
      const a = n.parent;
      if (a?.type === 'assignment' && a.childForFieldName('left')?.startIndex === n.startIndex) {
        if (found) return undefined;
        found = a.childForFieldName('right')!;
      }
    }
    return found && (found.type === 'attribute' || found.type === 'identifier') ? found : undefined;
  }

  /** The parameter type when n is a positional argument of a converted foreign call. */
  foreignParam(n: Node): CType | undefined {
    return this.foreignArg(n)?.param;
  }

  /** The converted foreign function n is a positional argument of, and its parameter there. */
  foreignArg(n: Node): { decl: ForeignDecl; param: CType } | undefined {
    const list = n.parent;
    if (list?.type !== 'argument_list') return undefined;
    const call = list.parent!;
    const decl = this.calleeDecl(call.childForFieldName('function')!);
    if (!decl) return undefined;
    const idx = list.namedChildren.filter((c) => c.type !== 'comment').findIndex((c) => c.startIndex === n.startIndex);
    if (list.namedChildren.some((c) => c.type === 'keyword_argument' || c.type === 'list_splat')) return undefined;
    const param = decl.params[idx];
    return param ? { decl, param } : undefined;
  }

  /** Is n passed directly to a function without argtypes (a `_CFunction`, which converts what it gets)? */
  untypedArg(n: Node): boolean {
    return !!this.foreignArg(n)?.decl.untyped;
  }

  /** `c_T(v)` handed to a function without argtypes: a cffi value of that C type, so it crosses as T did. */
  typedValue(m: string, init: string | undefined): string {
    if (m === 'c_char_p' || m === 'c_wchar_p') return init ?? 'None';
    if (m === 'c_void_p') {
      this.plan.helpers.add('pointer');
      return `_as_pointer(${init ?? 'None'})`;
    }
    return `${this.plan.ffi}.cast(${pyString(PRIMS[m]!)}, ${init ?? '0'})`;
  }

  collectValues(): void {
    const f = this.plan.ffi;
    const handled = new Set<string>();
    for (const n of this.nodes.calls) {
      // a callee that does not start with a ctypes name is none of the calls below
      const head = headName(this.mod, n);
      if (head !== undefined && !this.namesCtypes(head)) continue;
      if (handled.has(keyOf(n))) continue;
      const parts = callParts(n);
      if (!parts) continue;
      const m = this.ctypes(parts.callee);
      if (!m) continue;
      if (m === 'cast' && parts.args.length === 2 && !parts.keywords.size) {
        this.planCast(n, parts.args[0]!, parts.args[1]!);
        continue;
      }
      if (m === 'create_string_buffer') {
        this.planBuffer(n, parts.args);
        continue;
      }
      if (m === 'byref' && parts.args.length === 1) {
        const inner = unparen(parts.args[0]!);
        const ip = callParts(inner);
        const im = ip ? this.ctypes(ip.callee) : undefined;
        if (ip && im && SCALARS.has(im) && ip.args.length <= 1 && !ip.keywords.size) {
          // byref(c_size_t()) is a fresh out-parameter: a cffi pointer, if only foreign calls get it
          if (this.pointerFlowsToForeign(n)) {
            handled.add(keyOf(inner));
            this.plan.usesFfi = true;
            this.plan.converted.cells++;
            this.rewrite(n, (inner2) => this.newCell(im, ip.args[0] ? inner2(ip.args[0]) : undefined));
          } else this.refuse(n, 'byref(…) of a new ctypes value that reaches code other than converted foreign calls');
        } else if (inner.type === 'identifier' && this.untypedArg(n) && this.foreignParam(n)!.k === 'ptr') {
          // byref(x) handed to a function without argtypes: x itself (a cffi cell, a buffer, a parameter
          // holding one), which _CFunction passes by address
          this.rewrite(n, () => inner.text);
        }
        continue;
      }
      if (SCALARS.has(m) || m === 'c_char_p' || m === 'c_wchar_p') {
        this.planValue(n, m, parts.args, f);
      }
    }
  }

  newCell(m: string, init: string | undefined): string {
    const c = PRIMS[m]!;
    const f = this.plan.ffi;
    if (init === undefined) return `${f}.new(${pyString(`${c} *`)})`;
    // ctypes truncates an int to the C type without a range check; so does ffi.cast
    return isIntegral(prim(m)!) ? `${f}.new(${pyString(`${c} *`)}, ${f}.cast(${pyString(c)}, ${init}))` : `${f}.new(${pyString(`${c} *`)}, ${init})`;
  }

  /** Is this byref() value (or the variable it is assigned to) only passed to converted foreign calls? */
  pointerFlowsToForeign(n: Node): boolean {
    const p = this.foreignParam(n);
    if (p) return p.k === 'ptr';
    const target = assignedName(n);
    if (target) {
      const uses = this.usesOf(target);
      return uses !== undefined && uses.every((u) => this.foreignParam(u)?.k === 'ptr');
    }
    return false;
  }

  /** The other references to an assigned name in its scope; undefined when it is assigned more than once. */
  usesOf(target: Node): Node[] | undefined {
    const scope = scopeOf(target);
    const out: Node[] = [];
    let assignments = 0;
    let parameter = false;
    const all = within(this.nodes.identifiers.get(target.text) ?? [], scope.startIndex, scope.endIndex);
    for (const n of all) {
      const p = n.parent!;
      if (p.type === 'keyword_argument' && p.childForFieldName('name')?.startIndex === n.startIndex) continue;
      if (isTarget(n)) {
        assignments++;
        continue;
      }
      if (p.type === 'global_statement' || p.type === 'nonlocal_statement') return undefined;
      if (p.type === 'parameters' || p.type === 'default_parameter' || p.type === 'typed_parameter' || p.type === 'typed_default_parameter') {
        parameter = true;
        continue;
      }
      out.push(n);
    }
    if (scope.type === 'module' && [...this.project.planners.values()].some((o) => o !== this && o.b.fromImports.get(target.text)?.[0] === this.mod.name)) return undefined;
    if (assignments === 1 && !parameter) return out;
    // `n = c_size_t(n)` in a function's own block (no loop or branch around it), after the name's other
    // assignments: the uses after it see the new value, the ones before it the old one
    const st = target.parent?.type === 'assignment' ? target.parent.parent : undefined;
    if (scope.type !== 'function_definition' || st?.type !== 'expression_statement' || st.parent?.startIndex !== scope.childForFieldName('body')?.startIndex || st.parent?.type !== 'block') return undefined;
    const nested = (n: Node): boolean => {
      for (let q = n.parent; q && q.startIndex >= scope.startIndex && q !== scope && q.id !== scope.id; q = q.parent) if (q.type === 'function_definition' || q.type === 'lambda' || q.type === 'class_definition') return true;
      return false;
    };
    const later = all.filter((n) => n.startIndex >= st.endIndex);
    if (all.some(nested) || later.some((n) => isTarget(n))) return undefined;
    return later.filter((n) => !(n.parent!.type === 'keyword_argument' && n.parent!.childForFieldName('name')?.startIndex === n.startIndex));
  }

  /** `x = c_int()` / `x = c_size_t(v)` (also in a tuple assignment or `c_T(a) if c else c_T(b)`): a cffi cell or value, if every use is one the plan rewrites. */
  planValue(n: Node, m: string, args: Node[], f: string): void {
    // by value to a function without argtypes: a cffi value of the same C type (ctypes passed it as that type)
    if (this.untypedArg(n) && args.length <= 1) {
      this.rewrite(n, (inner) => this.typedValue(m, args[0] ? inner(args[0]) : undefined));
      return;
    }
    // by value as a foreign argument: c_char_p(v), c_int(v) → v
    const param = this.foreignParam(n);
    if (param && args.length === 1 && param.k === 'prim' && param.ctypes === m) {
      this.rewrite(n, (inner) => inner(args[0]!));
      return;
    }
    const target = assignedName(n);
    if (!target || !SCALARS.has(m) || args.length > 1) {
      this.refuse(n, `a ctypes ${m} value used where the plan cannot follow it (it stays ctypes, so what receives it cannot become cffi)`);
      return;
    }
    const other = otherBranch(n);
    if (other !== undefined) {
      const op = other ? callParts(other) : undefined;
      if (!op || this.ctypes(op.callee) !== m || op.args.length > 1 || op.keywords.size) {
        this.refuse(n.parent!, `${target.text} is a ctypes ${m} on one branch only: the plan cannot follow it`);
        return;
      }
    }
    const planned = this.valueTargets.get(keyOf(target));
    if (planned) {
      // the other branch of `c_T(a) if c else c_T(b)`: made the way the first one was
      this.rewrite(n, (inner) => (planned === 'value' ? this.typedValue(m, args[0] ? inner(args[0]) : undefined) : this.newCell(m, args[0] ? inner(args[0]) : undefined)));
      return;
    }
    const uses = this.usesOf(target);
    if (!uses) {
      this.refuse(n, `${target.text} = ${m}(…) is assigned more than once or shared across modules: the plan cannot follow it`);
      return;
    }
    // only read (`.value`) and passed by value to functions without argtypes: an immutable cffi value
    const valueRead = (u: Node): boolean => u.parent!.type === 'attribute' && u.parent!.childForFieldName('attribute')?.text === 'value' && !isTarget(u.parent!);
    if (isIntegral(prim(m)!) && uses.some((u) => this.untypedArg(u)) && uses.every((u) => valueRead(u) || this.untypedArg(u))) {
      for (const u of uses) if (valueRead(u)) this.rewrite(u.parent!, () => `int(${target.text})`);
      this.valueTargets.set(keyOf(target), 'value');
      this.plan.usesFfi = true;
      this.plan.converted.cells++;
      this.rewrite(n, (inner) => this.typedValue(m, args[0] ? inner(args[0]) : undefined));
      return;
    }
    const rewrites: [Node, Rewrite][] = [];
    for (const u of uses) {
      const p = u.parent!;
      const bp = p.type === 'argument_list' ? callParts(p.parent!) : undefined;
      if (bp && this.ctypes(bp.callee) === 'byref' && bp.args.length === 1) {
        const byrefCall = p.parent!;
        if (!this.pointerFlowsToForeign(byrefCall)) return this.refuse(byrefCall, `byref(${target.text}) reaches code other than converted foreign calls`);
        rewrites.push([byrefCall, () => target.text]);
        continue;
      }
      if (p.type === 'attribute' && p.childForFieldName('attribute')?.text === 'value' && m !== 'c_void_p') {
        rewrites.push([p, () => `${target.text}[0]`]);
        continue;
      }
      if (this.untypedArg(u)) {
        // by value to a function without argtypes: the cell's value, as its C type
        rewrites.push([u, () => (m === 'c_void_p' ? `${target.text}[0]` : `${f}.cast(${pyString(PRIMS[m]!)}, ${target.text}[0])`)]);
        continue;
      }
      const fp = this.foreignParam(u);
      if (fp && ((fp.k === 'prim' && fp.ctypes === m) || (m === 'c_void_p' && fp.k === 'prim' && fp.ctypes === 'c_void_p'))) {
        rewrites.push([u, () => `${target.text}[0]`]);
        continue;
      }
      return this.refuse(u, `${target.text} (a ctypes ${m}) is used here in a way the plan does not rewrite`);
    }
    for (const [node, r] of rewrites) this.rewrite(node, r);
    this.valueTargets.set(keyOf(target), 'cell');
    this.plan.usesFfi = true;
    this.plan.converted.cells++;
    this.rewrite(n, (inner) => this.newCell(m, args[0] ? inner(args[0]) : undefined));
  }

  planCast(n: Node, value: Node, type: Node): void {
    const f = this.plan.ffi;
    if (this.ctypes(type) === 'c_void_p') {
      this.plan.helpers.add('voidPointer');
      this.plan.usesFfi = true;
      this.plan.converted.casts++;
      this.rewrite(n, (inner) => `_void_pointer(${inner(value)})`);
      return;
    }
    const tp = callParts(type);
    if (tp && this.ctypes(tp.callee) === 'POINTER' && tp.args.length === 1) {
      const to = unparen(tp.args[0]!);
      // cast(p, POINTER(c_char * n))[0]: the n bytes at p
      if (to.type === 'binary_operator' && to.child(1)?.type === '*' && this.ctypes(to.childForFieldName('left')) === 'c_char') {
        const sub = n.parent;
        const count = to.childForFieldName('right')!;
        if (sub?.type === 'subscript' && sub.childForFieldName('value')?.startIndex === n.startIndex && sub.childForFieldName('subscript')?.text === '0') {
          this.plan.helpers.add('pointer');
          this.plan.usesFfi = true;
          this.plan.converted.casts++;
          this.plan.notes.push(`${this.mod.name}: cast(p, POINTER(c_char * n))[0] becomes ffi.buffer(p, n): the same bytes through bytes(), slicing and the buffer protocol; a ctypes array's .raw/.value are not there`);
          this.rewrite(sub, (inner) => `${f}.buffer(${f}.cast("char *", _as_pointer(${inner(value)})), ${inner(count)})`);
          return;
        }
      }
      const t = this.typeOf(to);
      if (t && t.k === 'prim') {
        this.plan.helpers.add('pointer');
        this.plan.usesFfi = true;
        this.plan.converted.casts++;
        this.rewrite(n, (inner) => `${f}.cast(${pyString(`${t.c} *`)}, _as_pointer(${inner(value)}))`);
        return;
      }
    }
    this.refuse(n, `cast to ${type.text}: no cffi rewrite in this plan`);
  }

  planBuffer(n: Node, args: Node[]): void {
    const fp = this.foreignParam(n);
    let escapes = false;
    const rewriteCall = (): void => {
      // a buffer returned to the caller keeps ctypes' .raw and .value (a bytearray subclass)
      this.plan.helpers.add(escapes ? 'charArray' : 'stringBuffer');
      this.plan.converted.buffers++;
      this.rewrite(n, (inner) => `${escapes ? '_char_array' : '_string_buffer'}(${args.map((a) => inner(a)).join(', ')})`);
    };
    if (fp) return rewriteCall();
    const target = assignedName(n);
    const uses = target ? this.usesOf(target) : undefined;
    if (!target || !uses) return this.refuse(n, 'a create_string_buffer(…) the plan cannot follow');
    const rewrites: [Node, Rewrite][] = [];
    for (const u of uses) {
      const p = u.parent!;
      if (p.type === 'attribute') {
        const which = p.childForFieldName('attribute')!.text;
        const isRead = !isTarget(p);
        if (which === 'raw' && isRead) {
          rewrites.push([p, () => `bytes(${target.text})`]);
          continue;
        }
        if (which === 'value' && isRead) {
          rewrites.push([p, () => `bytes(${target.text}).split(b"\\0", 1)[0]`]);
          continue;
        }
        return this.refuse(p, `${target.text}.${which} on a string buffer: not rewritten by this plan`);
      }
      if (p.type === 'return_statement') {
        escapes = true;
        continue;
      }
      if (p.type === 'argument_list') {
        const call = callParts(p.parent!)!;
        const m = this.ctypes(call.callee);
        if (m === 'cast' || this.foreignParam(u)) continue;
        if (m === 'byref' && this.untypedArg(p.parent!)) continue;
        if (['len', 'bytes', 'memoryview'].includes(call.callee.text)) continue;
        if (call.callee.type === 'attribute' && FILE_METHODS_TAKING_BUFFERS.has(call.callee.childForFieldName('attribute')!.text)) continue;
      }
      return this.refuse(u, `${target.text} (a ctypes string buffer) is used here in a way the plan does not rewrite`);
    }
    for (const [node, r] of rewrites) this.rewrite(node, r);
    rewriteCall();
  }

  // --- stage C: what becomes of the ctypes names ------------------------------------------

  /** Aliases, opaque structs and prototypes whose every use the plan consumed go; others are refusals. */
  settleNames(): void {
    const insideConsumed = (n: Node): boolean => this.consumed.some((c) => c.startIndex <= n.startIndex && n.endIndex <= c.endIndex);
    const refs = (name: string): Node[] => this.identifiers().get(name) ?? [];
    const importedElsewhere = (name: string): boolean => [...this.project.planners.values()].some((o) => o !== this && o.b.fromImports.get(name)?.[0] === this.mod.name && (o.identifiers().get(name) ?? []).some((x) => !(x.parent?.type === 'dotted_name' || x.parent?.type === 'aliased_import') && !o.consumed.some((c) => c.startIndex <= x.startIndex && x.endIndex <= c.endIndex)));
    for (const [name, a] of this.aliases) {
      const others = refs(name).filter((r) => r.startIndex !== a.node.startIndex && !insideConsumed(r));
      if (!others.length && !importedElsewhere(name)) {
        this.plan.deletions.push(a.statement);
        this.consumed.push(a.statement);
      } else this.refuse(others[0] ?? a.node, `${name} (an alias of a ctypes type) is used as a value, not only as a type, so it stays ctypes`);
    }
    for (const [name, stmts] of this.opaque) {
      const inStmts = (r: Node): boolean => stmts.some((s) => s.startIndex <= r.startIndex && r.endIndex <= s.endIndex);
      const others = refs(name).filter((r) => !inStmts(r) && !insideConsumed(r) && !this.aliasUse(r));
      if (others.length) {
        this.refuse(others[0]!, `struct ${name} is used as a ctypes class here, so it stays ctypes`);
        continue;
      }
      this.plan.structs.push(`struct ${name};`);
      this.plan.deletions.push(...stmts);
      this.consumed.push(...stmts);
    }
    for (const p of this.prototypes.values()) this.consumed.push(p.statement);
    this.refuseImportedLibraries();
    // every other reference to a library must be one the plan placed
    for (const lib of this.libraries.values()) {
      const isId = !lib.key.includes('[');
      const candidates = isId ? this.nodes.identifiers.get(lib.key) ?? [] : this.nodes.subscripts.filter((n) => libKey(n) === lib.key);
      for (const n of candidates) {
        if (this.libraryUsesAllowed.has(keyOf(n))) continue;
        if (n.parent?.type === 'attribute' && n.parent.childForFieldName('attribute')?.startIndex === n.startIndex) continue;
        if (isId && n.parent?.type === 'subscript') continue;
        if (lib.statement.startIndex <= n.startIndex && n.endIndex <= lib.statement.endIndex) continue;
        const p = n.parent;
        const hp = p?.type === 'argument_list' ? callParts(p.parent!) : undefined;
        if (hp && hp.callee.text === 'hasattr' && hp.args.length === 2 && hp.args[0]!.startIndex === n.startIndex) {
          const lit = stringLiteral(hp.args[1]!);
          if (lit && this.plan.functions.has(lit.value)) continue;
          this.refuse(p!.parent!, `hasattr(${lib.key}, …) for a function that is not declared: cffi answers only for declared names`);
          continue;
        }
        if (p?.type === 'attribute' && p.childForFieldName('object')?.startIndex === n.startIndex) {
          const attr = p.childForFieldName('attribute')!.text;
          if (attr.startsWith('_')) this.refuse(p, `${lib.key}.${attr} is ctypes-only: a cffi library has no ${attr}`);
          else this.refuse(p, `${lib.key}.${attr} used directly: the plan converts functions bound to a name with argtypes`);
          continue;
        }
        this.refuse(n, `the library ${lib.key} is used here in a way the plan does not follow`);
      }
    }
  }

  /**
   * A library object loaded in another module and reached here (`from .native import lib`, `nat.lib`, a star
   * import): its cdef is that module's, so nothing this module declares or looks up on it could work.
   */
  refuseImportedLibraries(): void {
    const libraryIn = (modName: string | undefined, name: string): boolean => !!modName && !!this.project.planner(modName)?.libraries.has(name);
    const isImportName = (x: Node): boolean => x.parent?.type === 'dotted_name' || x.parent?.type === 'aliased_import' || x.parent?.type === 'import_from_statement';
    const refuse = (n: Node, name: string, modName: string): void => this.refuse(n, `the library ${name} is loaded in ${modName} and used here: the plan converts a library only together with the uses in its own module`);
    for (const [local, [modName, name]] of this.b.fromImports) {
      if (!libraryIn(modName, name)) continue;
      for (const x of this.identifiers().get(local) ?? []) if (!isImportName(x)) refuse(x, local, modName);
    }
    for (const modName of this.b.starModules) {
      for (const name of this.project.planner(modName)?.libraries.keys() ?? []) {
        if (this.b.assigned.has(name) || this.b.fromImports.has(name)) continue;
        for (const x of this.identifiers().get(name) ?? []) if (!isImportName(x)) refuse(x, name, modName);
      }
    }
    for (const [local, modName] of this.b.modules) {
      for (const x of this.identifiers().get(local) ?? []) {
        if (isImportName(x)) continue;
        // `nat.lib`, `pkg.native.lib`: the longest chain of module names, then a library of that module
        const parts: string[] = [];
        for (let top: Node = x; top.parent?.type === 'attribute' && top.parent.childForFieldName('object')?.startIndex === top.startIndex; top = top.parent) parts.push(top.parent.childForFieldName('attribute')!.text);
        for (let i = 0; i < parts.length; i++) {
          const m = [modName, ...parts.slice(0, i)].join('.');
          if (libraryIn(m, parts[i]!)) {
            refuse(x.parent!, `${[local, ...parts.slice(0, i + 1)].join('.')}`, m);
            break;
          }
        }
      }
    }
  }

  /** Every identifier that is not an attribute name, by name. */
  identifiers(): NamedIdentifiers {
    return this.nodes.identifiers;
  }

  aliasUse(r: Node): boolean {
    return [...this.aliases.values()].some((a) => a.statement.startIndex <= r.startIndex && r.endIndex <= a.statement.endIndex);
  }
}

const SIZES: Record<string, number> = {
  _Bool: 1, char: 1, 'signed char': 1, 'unsigned char': 1, short: 2, 'unsigned short': 2, int: 4, 'unsigned int': 4, long: 8, 'unsigned long': 8,
  'long long': 8, 'unsigned long long': 8, int8_t: 1, int16_t: 2, int32_t: 4, int64_t: 8, uint8_t: 1, uint16_t: 2, uint32_t: 4, uint64_t: 8,
  size_t: 8, ssize_t: 8, float: 4, double: 8, wchar_t: 4, 'char *': 8, 'wchar_t *': 8, 'void *': 8,
};

/** Size and alignment of a C type on LP64 Linux (what ctypes and cffi lay out there). */
function layout(t: CType): { size: number; align: number } | undefined {
  if (t.k === 'prim') {
    const n = SIZES[t.c];
    return n ? { size: n, align: n } : undefined;
  }
  if (t.k === 'ptr') return { size: 8, align: 8 };
  if (t.k === 'array') {
    const e = layout(t.of);
    return e ? { size: e.size * t.n, align: e.align } : undefined;
  }
  return undefined;
}

/** A struct's size: each field at the next multiple of its alignment (capped by _pack_), the end rounded up. */
function structSize(fields: CType[], pack?: number): number | undefined {
  let off = 0;
  let maxAlign = 1;
  for (const f of fields) {
    const l = layout(f);
    if (!l) return undefined;
    const a = pack ? Math.min(l.align, pack) : l.align;
    off = Math.ceil(off / a) * a + l.size;
    maxAlign = Math.max(maxAlign, a);
  }
  return Math.ceil(off / maxAlign) * maxAlign;
}

function stemOfLoad(arg: Node): string | undefined {
  for (const n of walk(arg)) {
    const c = n.type === 'call' ? callParts(n) : undefined;
    if (c && /(^|\.)find_library$/.test(c.callee.text) && c.args[0]) {
      const lit = stringLiteral(c.args[0]);
      if (lit && !lit.bytes) return lit.value;
    }
  }
  const lit = stringLiteral(unparen(arg));
  return lit && !lit.bytes ? stemOf(lit.value) : undefined;
}

// ---------------------------------------------------------------------------------------------

interface Factory {
  mod: ModulePlanner;
  def: Node;
}

export class ProjectPlanner {
  readonly planners = new Map<string, ModulePlanner>();
  readonly refusals: Refusal[] = [];
  readonly factories = new Map<string, Factory>();

  constructor(
    modules: readonly SourceModule[],
    readonly lookup: PrototypeLookup | undefined = { headers: {} },
  ) {
    const names = new Set(modules.map((m) => m.name));
    for (const m of modules) {
      const nodes = indexNodes(m);
      this.planners.set(m.name, new ModulePlanner(m, nodes, bindingsOf(m, nodes, names), this));
    }
  }

  planner(name: string): ModulePlanner | undefined {
    return this.planners.get(name);
  }

  /** A function that returns a loaded ctypes library (`def load_lib(): … return ctypes.CDLL(name)`): it gets an `ffi` parameter. */
  findFactories(): void {
    for (const p of this.planners.values()) {
      for (const def of p.mod.root.namedChildren) {
        if (def.type !== 'function_definition') continue;
        const returns = within(p.nodes.returns, def.startIndex, def.endIndex);
        const loads = returns.filter((r) => {
          const c = r.namedChildren[0] ? callParts(r.namedChildren[0]) : undefined;
          const m = c ? p.ctypes(c.callee) : undefined;
          return (m === 'CDLL' || m === 'cdll.LoadLibrary') && c!.args.length === 1 && !c!.keywords.size;
        });
        if (!loads.length) continue;
        const name = def.childForFieldName('name')!.text;
        this.factories.set(`${p.mod.name}.${name}`, { mod: p, def });
        const params = def.childForFieldName('parameters')!;
        p.plan.usesFfi = true;
        const ffiName = p.plan.ffi;
        p.rewrite(params, () => (params.namedChildren.length ? `${params.text.slice(0, -1)}, ffi=${ffiName})` : `(ffi=${ffiName})`));
        for (const r of loads) {
          const c = callParts(r.namedChildren[0]!)!;
          p.rewrite(r.namedChildren[0]!, (inner) => `ffi.dlopen(${inner(c.args[0]!)})`);
        }
        p.plan.notes.push(`${p.mod.name}.${name} loads the library with the cffi FFI its caller passes (ffi=…), so each module's cdef applies to its own library object`);
      }
    }
  }

  factoryFor(p: ModulePlanner, callee: Node): Factory | undefined {
    const d = dotted(callee);
    if (!d) return undefined;
    const [head, ...rest] = d.split('.');
    if (!rest.length) {
      const imp = p.b.fromImports.get(head!);
      return imp ? this.factories.get(`${imp[0]}.${imp[1]}`) : this.factories.get(`${p.mod.name}.${head}`);
    }
    const mod = p.b.modules.get(head!);
    return mod ? this.factories.get(`${mod}.${rest.join('.')}`) : undefined;
  }

  run(): ProjectPlan {
    this.findFactories();
    const all = [...this.planners.values()];
    // declarations first everywhere (other modules' calls look them up), then values, then names
    for (const p of all) p.collectDeclarations();
    for (const p of all) p.collectValues();
    for (const p of all) p.settleNames();
    return { modules: all.map((p) => p.plan), refusals: this.refusals };
  }
}

export function planProject(modules: readonly SourceModule[], lookup?: PrototypeLookup): ProjectPlan {
  return new ProjectPlanner(modules, lookup).run();
}
