import { CTYPES_EXPORTS, CTYPES_LOADER_INSTANCES, CTYPES_LOADERS, CTYPES_PRIMITIVES, CTYPES_PROTOTYPE_FACTORIES, CTYPES_STRUCT_BASES } from '../ctypesNames';
import type { CtypesType } from '../model';
import type { Anchor } from '../spans';
import type { PExpr, PParam, PStmt, Rename, TopStmt } from './pyir';

/**
 * A small abstract interpreter over the lowered statements of one module: it evaluates what is simple
 * (literal strings, tables, loops over them, project functions called with known arguments, classes
 * holding a library) and answers `unknown` for everything else: it never guesses. What it finds are the
 * binding facts other modules can import: libraries, foreign functions and their declared signatures,
 * ctypes types and prototypes, cffi ffi objects.
 */

/** Where something is written: the module, and offsets relative to an anchor (a parse region or the file). */
export interface Site {
  module: string;
  uri: string;
  anchor: Anchor;
  s: number;
  e: number;
}

export function siteStart(site: Site): number {
  return site.anchor.offset + site.s;
}

/** A library object: one `CDLL(...)` (or loader) evaluation. */
export interface LibraryObject {
  /** The loader: CDLL, WinDLL, OleDLL, PyDLL, LoadLibrary, attribute (`cdll.NAME`). */
  loader: string;
  /** Library name as ctypes.util.find_library takes it (`magic`), when the path says. */
  stem?: string;
  /** The literal path or name, when there is one. */
  path?: string;
  /** The loading call. */
  site: Site;
  /** The module whose evaluation created it (for a project loader, the caller). */
  createdBy: string;
  /** First name it was bound to, e.g. `libmagic` (module-level), for display. */
  boundName?: string;
  /** Foreign functions by C name (ctypes caches attributes, so `lib.f` is one object). */
  functions: Map<string, ForeignFunctionObject>;
}

export interface Declaration {
  value: Value;
  site: Site;
  /** The statement (in the declaring module) that caused it, e.g. the helper call `ffi('f', ...)`. */
  statement: Site;
}

export interface ForeignFunctionObject {
  lib: LibraryObject;
  name: string;
  /** Declarations by declaring module (a module's entries are replaced when it is evaluated again). */
  decls: Map<string, { argtypes?: Declaration; restype?: Declaration; errcheck?: Declaration }>;
}

export interface FfiObjectValue {
  /** `FFI()` call site, or the import site for an out-of-line module. */
  site: Site;
  cdefs: { source: string; site: Site }[];
  /** set_source module name (a build script). */
  builds?: string;
}

export type Value =
  | { k: 'unknown' }
  | { k: 'none' }
  | { k: 'str'; v: string }
  | { k: 'num'; v: number }
  | { k: 'seq'; items: Value[] }
  | { k: 'dict'; keys: Value[]; values: Value[] }
  | { k: 'module'; name: string }
  | { k: 'library'; lib: LibraryObject }
  | { k: 'fn'; fn: ForeignFunctionObject }
  | { k: 'ctype'; type: CtypesType }
  | { k: 'proto'; factory: string; restype: Value; argtypes: Value[]; name?: string }
  | { k: 'builtin'; name: string }
  | { k: 'pyfunc'; def: Extract<PStmt, { t: 'def' }>; module: ModuleEvaluation; self?: Value }
  | { k: 'class'; def: Extract<PStmt, { t: 'class' }>; module: ModuleEvaluation; attrs: Map<string, Value>; bases: Value[]; initDone?: boolean }
  | { k: 'instance'; cls: Extract<Value, { k: 'class' }>; attrs: Map<string, Value> }
  | { k: 'globals'; module: ModuleEvaluation }
  | { k: 'libname'; stem: string }
  | { k: 'ffi'; ffi: FfiObjectValue };

export const UNKNOWN: Value = Object.freeze({ k: 'unknown' }) as Value;

/** What the evaluator asks of the workspace: other modules' names. */
export interface ModuleResolver {
  /** Whether `name` is a module of the workspace. */
  hasModule(name: string): boolean;
  /** The value a workspace module binds to `name` (evaluating it on first demand), undefined when unbound. */
  member(module: string, name: string, requester: string): Value | undefined;
  /** Names a workspace module exports for `from m import *`. */
  starNames(module: string, requester: string): string[];
  /** The ffi of the workspace build script whose `set_source` names `module` (an out-of-line cffi module). */
  builtFfi?(module: string, requester: string): FfiObjectValue | undefined;
}

/** A reference to a foreign function or library written in this module. */
export interface FunctionSite {
  fn: ForeignFunctionObject;
  site: Site;
  /** The call's lowered expression when the reference is called. */
  call?: Extract<PExpr, { t: 'call' }>;
  resultUsed?: boolean;
  /** True when the text names the function (`lib.f`, `getattr(lib, "f")`, an alias), false when computed. */
  literal: boolean;
}

export interface LibrarySite {
  lib: LibraryObject;
  site: Site;
}

export interface ModuleEvaluation {
  name: string;
  uri: string;
  /** Module-level names. */
  env: Map<string, Value>;
  starModules: string[];
  /** Foreign-function references and calls in this module's text. */
  functionSites: FunctionSite[];
  librarySites: LibrarySite[];
  /** Libraries created by this module's evaluation. */
  libraries: LibraryObject[];
  /** Foreign functions this module declared something on (its decls are dropped when it is evaluated again). */
  declared: Set<ForeignFunctionObject>;
  ffis: FfiObjectValue[];
  /** Workspace modules whose names this evaluation read. */
  deps: Set<string>;
  /** Evaluation stopped at its step budget: what follows is unknown. */
  truncated: boolean;
  /** What an open document's evaluation keeps to be updated after an edit inside function bodies (`reevaluateModule`). */
  trace?: EvaluationTrace;
}

const STEP_BUDGET = 200_000;
const MAX_CALL_DEPTH = 8;
const MAX_LOOP = 512;

class Frame {
  constructor(
    readonly locals: Map<string, Value> | undefined,
    readonly module: ModuleEvaluation,
    readonly anchor: Anchor,
    /** True while evaluating code written in the module being evaluated (sites are recorded only then). */
    readonly own: boolean,
    /** Names a `global` statement made module-level here (made on the first one). */
    public globalNames?: Set<string>,
  ) {}
  returns: Value[] = [];
  yields: Value[] = [];
  returned = false;
}

class Interpreter {
  steps = 0;
  depth = 0;
  /** One key per recorded site (place, library site, function name, call or reference): a site is recorded once. */
  readonly seenSites = new Set<string>();
  readonly evaluatedDefs = new Set<object>();
  /** Set while a late-pass unit runs in a traced evaluation: what it reads and writes is logged. */
  cur: LateUnit | undefined;

  constructor(
    readonly mod: ModuleEvaluation,
    private readonly resolver: ModuleResolver,
    private readonly stmts: TopStmt[],
    readonly trace?: EvaluationTrace,
  ) {}

  run(): void {
    for (const { stmt, anchor } of this.stmts) {
      if (this.steps > STEP_BUDGET) {
        this.mod.truncated = true;
        break;
      }
      const frame = new Frame(undefined, this.mod, anchor, true);
      this.exec(stmt, frame);
    }
    if (this.trace) {
      this.trace.moduleEntered = new Set(this.evaluatedDefs);
      this.trace.moduleSteps = this.steps;
    }
    // bodies no call reached (methods, functions called from elsewhere): read with unknown parameters
    this.latePass();
    if (this.trace) this.trace.collect(this.mod);
  }

  private latePass(): void {
    for (const [, v] of this.mod.env) {
      if (this.steps > STEP_BUDGET) return;
      if (v.k === 'pyfunc' && v.module === this.mod) this.lateUnit(v);
      if (v.k === 'class' && v.module === this.mod) {
        const inst: Value = { k: 'instance', cls: v, attrs: new Map() };
        const init = this.classAttr(v, '__init__');
        if (init?.k === 'pyfunc') this.lateUnit({ ...init, self: inst });
        for (const [, m] of v.attrs) if (m.k === 'pyfunc') this.lateUnit({ ...m, self: inst });
      }
    }
    this.nestedDefs(this.stmts.map((t) => ({ stmt: t.stmt, anchor: t.anchor })));
  }

  /** Defs not bound at module level (inside branches, nested classes) still get their references read. */
  private nestedDefs(stmts: { stmt: PStmt; anchor: Anchor }[]): void {
    for (const { stmt, anchor } of stmts) {
      if (stmt.t === 'def') this.lateUnit({ k: 'pyfunc', def: stmt, module: this.mod });
      else if (stmt.t === 'class') this.nestedDefs(stmt.body.map((s) => ({ stmt: s, anchor })));
      else if (stmt.t === 'branches') this.nestedDefs(stmt.blocks.flat().map((s) => ({ stmt: s, anchor })));
      else if (stmt.t === 'for') this.nestedDefs([...stmt.body, ...stmt.orelse].map((s) => ({ stmt: s, anchor })));
    }
  }

  /** One unit of the late pass: a body no call reached yet, read with unknown parameters. */
  private lateUnit(callee: Extract<Value, { k: 'pyfunc' }>): void {
    if (!this.trace) {
      if (!this.evaluatedDefs.has(callee.def)) this.callPy(callee, [], [], true);
      return;
    }
    if (this.steps > STEP_BUDGET) return;
    const unit = newUnit(this.trace.units.length, callee);
    this.trace.units.push(unit);
    this.runUnit(unit);
  }

  runUnit(unit: LateUnit): void {
    const before = this.steps;
    this.cur = unit;
    try {
      this.rd(this.evaluatedDefs, unit.callee.def);
      if (!this.evaluatedDefs.has(unit.callee.def)) this.callPy(unit.callee, [], [], true);
    } finally {
      this.cur = undefined;
      unit.steps = this.steps - before;
    }
  }

  // ---- the trace: reads and writes of shared state by late-pass units ----

  /** A read of `key` in a container (a Map, Set, dict value or record) by the running unit. */
  rd(c: object, key: unknown): void {
    const u = this.cur;
    if (!u) return;
    const rec = this.trace!.rec(c, key);
    if (rec.lastReader !== u.index) {
      rec.lastReader = u.index;
      rec.readers.push(u.index);
      u.reads.push(rec);
    }
  }

  /** A write of `key` (before it is made): the value it had, for undoing the unit. */
  wr(c: object, key: unknown, had: boolean, before: unknown): void {
    const u = this.cur;
    if (!u) return;
    const t = this.trace!;
    if (c === this.mod.env || t.fixed.has(c)) t.reusable = false; // the late pass's own schedule reads module names and class attributes
    const rec = t.rec(c, key);
    if (u.wrote.has(rec)) return;
    u.wrote.add(rec);
    rec.writers.push(u.index);
    if (!had) rec.creator = u.index;
    u.writes.push({ rec, c, key, had, before });
  }

  /** `set.add(key)` logged as a read, and a write when it adds. */
  addTo(set: Set<unknown>, key: unknown): void {
    if (set.has(key)) this.rd(set, key);
    else {
      this.wr(set, key, false, undefined);
      set.add(key);
    }
  }

  mapSet(m: Map<unknown, unknown>, key: unknown, value: unknown): void {
    if (this.cur) this.wr(m, key, m.has(key), m.get(key));
    else if (this.trace && typeof key === 'string') this.trace.bound(key);
    m.set(key, value);
  }

  mapGet<V>(m: Map<unknown, V>, key: unknown): V | undefined {
    if (this.cur) this.rd(m, key);
    else if (this.trace && typeof key === 'string') this.trace.moduleReads.add(key);
    return m.get(key);
  }

  /** Something the trace cannot undo or order happened in a late-pass unit: this evaluation is never updated in place. */
  untraceable(): void {
    if (this.cur) this.trace!.reusable = false;
  }

  site(frame: Frame, s: number, e: number): Site {
    return { module: frame.module.name, uri: frame.module.uri, anchor: frame.anchor, s, e };
  }

  // ---- names ----

  lookup(name: string, frame: Frame): Value {
    if (frame.locals && !frame.globalNames?.has(name)) {
      if (this.trace && !this.cur) this.trace.moduleReads.add(name);
      const v = frame.locals.get(name);
      if (v) return v;
    }
    const g = this.mapGet(frame.module.env, name);
    if (g) return g;
    for (const m of frame.module.starModules) {
      const v = this.moduleMember(m, name, frame.module);
      if (v) return v;
    }
    if (BUILTINS.has(name)) return { k: 'builtin', name };
    return UNKNOWN;
  }

  bind(name: string, value: Value, frame: Frame, branchy: boolean): void {
    const scope = frame.locals && !frame.globalNames?.has(name) ? frame.locals : frame.module.env;
    const shared = scope === frame.module.env;
    if (this.trace && !this.cur && !shared) this.trace.bound(name); // (mapSet counts the module's own)
    const old = shared && this.cur ? this.mapGet(scope, name) : scope.get(name);
    // in a branch, a value we cannot read does not replace one we could (platform branches, try/except)
    if (branchy && value.k === 'unknown' && old && old.k !== 'unknown') return;
    if (value.k === 'library' && !value.lib.boundName && shared) value.lib.boundName = name;
    if (value.k === 'proto' && !value.name) {
      if (this.cur) this.wr(value, 'name', false, undefined);
      value.name = name;
    }
    if (shared) this.mapSet(scope, name, value);
    else scope.set(name, value);
  }

  moduleMember(module: string, name: string, requester: ModuleEvaluation): Value | undefined {
    if (module === 'ctypes') return CTYPES_EXPORTS.has(name) || name in CTYPES_PRIMITIVES ? ctypesMember(name) : undefined;
    if (this.resolver.hasModule(module)) {
      this.untraceable();
      requester.deps.add(module);
      const v = this.resolver.member(module, name, requester.name);
      if (v) return v;
      if (this.resolver.hasModule(`${module}.${name}`)) return { k: 'module', name: `${module}.${name}` };
      return undefined;
    }
    return undefined;
  }

  // ---- statements ----

  exec(stmt: PStmt, frame: Frame, branchy = false): void {
    if (frame.returned || ++this.steps > STEP_BUDGET) return;
    switch (stmt.t) {
      case 'import': {
        const parts = stmt.module.split('.');
        if (stmt.asName) this.bind(stmt.asName, this.importModule(stmt.module), frame, branchy);
        else this.bind(parts[0]!, this.importModule(parts[0]!), frame, branchy);
        return;
      }
      case 'from': {
        const module = this.absolute(stmt.module, stmt.level);
        if (module === undefined) return;
        if (stmt.star) {
          if (module === 'ctypes' || this.resolver.hasModule(module)) {
            this.untraceable();
            if (!frame.module.starModules.includes(module)) frame.module.starModules.push(module);
            if (this.resolver.hasModule(module)) {
              frame.module.deps.add(module);
              for (const n of this.resolver.starNames(module, frame.module.name)) {
                const v = this.moduleMember(module, n, frame.module);
                if (v) this.bind(n, v, frame, branchy);
              }
            }
          }
          return;
        }
        for (const n of stmt.names) {
          let v: Value | undefined;
          if (this.resolver.hasModule(`${module}.${n.name}`)) v = { k: 'module', name: `${module}.${n.name}` };
          if (!v || this.resolver.hasModule(module)) v = this.moduleMember(module, n.name, frame.module) ?? v;
          if (!v && module === 'ctypes.util' && n.name === 'find_library') v = { k: 'builtin', name: 'find_library' };
          if (!v && (module === 'cffi' || module === 'cffi.api') && n.name === 'FFI') v = { k: 'builtin', name: 'FFI' };
          if (!v && n.name === 'ffi' && !this.resolver.hasModule(module)) {
            const built = this.resolver.builtFfi?.(module, frame.module.name);
            if (built) v = { k: 'ffi', ffi: built };
          }
          this.bind(n.asName, v ?? UNKNOWN, frame, branchy);
        }
        return;
      }
      case 'assign': {
        const value = this.eval(stmt.value, frame);
        for (const t of stmt.targets) this.assign(t, value, frame, branchy, stmt);
        return;
      }
      case 'expr':
        this.eval(stmt.value, frame, false);
        return;
      case 'def':
        this.bind(stmt.name, { k: 'pyfunc', def: stmt, module: frame.module }, frame, branchy);
        return;
      case 'class': {
        const bases = stmt.bases.map((b) => this.eval(b, frame));
        const cls: Extract<Value, { k: 'class' }> = { k: 'class', def: stmt, module: frame.module, attrs: new Map(), bases };
        if (this.trace && !this.cur) this.trace.fixed.add(cls.attrs);
        const body = new Frame(cls.attrs, frame.module, stmt.anchor, frame.own);
        for (const s of stmt.body) {
          if (s.t === 'def') {
            if (this.trace && !this.cur) this.trace.bound(s.name);
            cls.attrs.set(s.name, { k: 'pyfunc', def: s, module: frame.module });
          } else if (s.t === 'assign') {
            const v = this.eval(s.value, body);
            for (const t of s.targets) if (t.t === 'name') {
              if (this.trace && !this.cur) this.trace.bound(t.id);
              cls.attrs.set(t.id, v);
            }
          } else this.exec(s, body, true);
        }
        const ctypesBase = bases.find((b) => b.k === 'builtin' && CTYPES_STRUCT_BASES.has(b.name.replace(/^ctypes\./, '')));
        const structParent = bases.find((b) => b.k === 'ctype' && b.type.kind === 'struct');
        if (ctypesBase || structParent) this.bind(stmt.name, { k: 'ctype', type: { kind: 'struct', name: stmt.name, span: { start: 0, end: 0 } } }, frame, branchy);
        else this.bind(stmt.name, cls, frame, branchy);
        return;
      }
      case 'for': {
        const iter = this.iterate(this.eval(stmt.iter, frame));
        if (!iter) {
          this.assign(stmt.target, UNKNOWN, frame, true);
          for (const s of stmt.body) this.exec(s, frame, true);
        } else {
          for (const item of iter.slice(0, MAX_LOOP)) {
            this.assign(stmt.target, item, frame, false);
            for (const s of stmt.body) this.exec(s, frame, true);
            if (frame.returned) return;
          }
        }
        for (const s of stmt.orelse) this.exec(s, frame, true);
        return;
      }
      case 'branches':
        for (const block of stmt.blocks) {
          for (const s of block) this.exec(s, frame, true);
          if (frame.returned) return;
        }
        return;
      case 'return':
        frame.returns.push(stmt.value ? this.eval(stmt.value, frame) : { k: 'none' });
        // a return inside a branch or loop may not be the one taken: only a known value stops the body
        if (frame.returns[frame.returns.length - 1]!.k !== 'unknown' || !branchy) frame.returned = true;
        return;
      case 'yield':
        frame.yields.push(stmt.value ? this.eval(stmt.value, frame) : { k: 'none' });
        return;
      case 'global':
        for (const n of stmt.names) (frame.globalNames ??= new Set()).add(n);
        return;
    }
  }

  absolute(module: string, level: number): string | undefined {
    if (level === 0) return module;
    const parts = this.mod.name.split('.');
    // a package's __init__ is named after the package: `from . import x` in it stays in the package
    const isPackage = this.mod.uri.endsWith('/__init__.py') || this.mod.uri.endsWith('/__init__.pyw');
    const base = isPackage ? parts : parts.slice(0, -1);
    if (level - 1 > base.length) return undefined;
    const prefix = base.slice(0, base.length - (level - 1));
    return [...prefix, ...(module ? [module] : [])].join('.');
  }

  importModule(name: string): Value {
    if (this.resolver.hasModule(name)) {
      this.untraceable();
      this.mod.deps.add(name);
    }
    return { k: 'module', name };
  }

  assign(target: PExpr, value: Value, frame: Frame, branchy: boolean, stmt?: PStmt): void {
    switch (target.t) {
      case 'name':
        this.bind(target.id, value, frame, branchy);
        return;
      case 'seq': {
        const items = value.k === 'seq' ? value.items : undefined;
        target.items.forEach((t, i) => this.assign(t, items && items.length === target.items.length ? items[i]! : UNKNOWN, frame, branchy, stmt));
        return;
      }
      case 'attr': {
        const obj = this.eval(target.obj, frame);
        this.setAttr(obj, target.attr, value, frame, target, stmt);
        return;
      }
      case 'sub': {
        const obj = this.eval(target.obj, frame);
        const key = this.eval(target.index, frame);
        if (obj.k === 'globals' && key.k === 'str') this.mapSet(obj.module.env, key.v, value);
        else if (obj.k === 'dict' && key.k === 'str') {
          const i = dictIndex(obj, key.v);
          if (this.cur) this.wr(obj, key.v, i >= 0, i >= 0 ? obj.values[i] : undefined);
          if (i >= 0) obj.values[i] = value;
          else {
            dictIndexes.get(obj.keys)!.set(key.v, obj.keys.length);
            obj.keys.push(key);
            obj.values.push(value);
          }
        }
        return;
      }
    }
  }

  setAttr(obj: Value, attr: string, value: Value, frame: Frame, target: PExpr, stmt?: PStmt): void {
    if (obj.k === 'fn' && (attr === 'argtypes' || attr === 'restype' || attr === 'errcheck')) {
      const d = this.declarationsOf(obj.fn);
      if (this.cur) this.wr(d, attr, attr in d, d[attr]);
      d[attr] = { value, site: this.site(frame, target.s, target.e), statement: this.statementSite(frame, stmt) };
      return;
    }
    if (obj.k === 'instance') this.mapSet(obj.attrs, attr, value);
    else if (obj.k === 'class') this.mapSet(obj.attrs, attr, value);
    else if (obj.k === 'module' && obj.name === this.mod.name) this.mapSet(this.mod.env, attr, value);
  }

  /** This module's declarations on a foreign function (made on first use), the function noted as declared here. */
  declarationsOf(fn: ForeignFunctionObject): { argtypes?: Declaration; restype?: Declaration; errcheck?: Declaration } {
    let d = this.mapGet(fn.decls, this.mod.name);
    if (!d) {
      d = {};
      this.mapSet(fn.decls, this.mod.name, d);
    }
    if (this.cur) this.addTo(this.mod.declared, fn);
    else this.mod.declared.add(fn);
    return d;
  }

  /** The statement of the module being evaluated that is running now (a helper's caller). */
  private callerStatement: Site | undefined;

  statementSite(frame: Frame, stmt?: PStmt): Site {
    if (this.callerStatement && frame.locals) return this.callerStatement; // inside a helper: its caller's statement
    return stmt ? this.site(frame, stmt.s, stmt.e) : this.callerStatement ?? this.site(frame, 0, 0);
  }

  iterate(v: Value): Value[] | undefined {
    if (v.k === 'seq') return v.items;
    if (v.k === 'dict') {
      this.rd(v, ALL);
      return v.keys;
    }
    if (v.k === 'str') return [...v.v].map((c) => ({ k: 'str', v: c }));
    return undefined;
  }

  // ---- expressions ----

  eval(x: PExpr, frame: Frame, resultUsed = true): Value {
    if (++this.steps > STEP_BUDGET) return UNKNOWN;
    switch (x.t) {
      case 'name': {
        const v = this.lookup(x.id, frame);
        if (v.k === 'fn') this.recordFn(v.fn, frame, x.s, x.e, true);
        return v;
      }
      case 'str':
        return { k: 'str', v: x.v };
      case 'num':
        return { k: 'num', v: x.v };
      case 'const':
        return x.v === 'None' ? { k: 'none' } : UNKNOWN;
      case 'seq': {
        const items: Value[] = [];
        for (const i of x.items) {
          if (i.t !== 'star') items.push(this.eval(i, frame));
          else {
            const spread = this.iterate(this.eval(i.value, frame));
            if (spread) for (const v of spread) items.push(v);
            else items.push(UNKNOWN);
          }
        }
        return { k: 'seq', items };
      }
      case 'dict':
        return { k: 'dict', keys: x.keys.map((k) => this.eval(k, frame)), values: x.values.map((v) => this.eval(v, frame)) };
      case 'attr': {
        const obj = this.eval(x.obj, frame);
        const v = this.getAttr(obj, x.attr, frame, x);
        if (v.k === 'fn') this.recordFn(v.fn, frame, x.s, x.e, true);
        return v;
      }
      case 'sub': {
        const obj = this.eval(x.obj, frame);
        const key = this.eval(x.index, frame);
        if (obj.k === 'library' && key.k === 'str') {
          const fn = this.functionOf(obj.lib, key.v);
          this.recordFn(fn, frame, x.s, x.e, x.index.t === 'str');
          return { k: 'fn', fn };
        }
        if (obj.k === 'dict' && key.k === 'str') {
          this.rd(obj, key.v);
          const i = dictIndex(obj, key.v);
          return i >= 0 ? obj.values[i]! : UNKNOWN;
        }
        if (obj.k === 'seq' && key.k === 'num') return obj.items.at(key.v) ?? UNKNOWN;
        if (obj.k === 'globals' && key.k === 'str') return this.mapGet(obj.module.env, key.v) ?? UNKNOWN;
        return UNKNOWN;
      }
      case 'bin': {
        const l = this.eval(x.l, frame);
        const r = this.eval(x.r, frame);
        if (x.op === '+' && l.k === 'str' && r.k === 'str') return { k: 'str', v: l.v + r.v };
        if (x.op === '+' && l.k === 'seq' && r.k === 'seq') return { k: 'seq', items: [...l.items, ...r.items] };
        if (x.op === '%' && l.k === 'str') return formatPercent(l.v, r);
        if (x.op === '*' && l.k === 'ctype' && r.k === 'num') return { k: 'ctype', type: { kind: 'array', of: l.type, length: String(r.v), span: span0 } };
        return UNKNOWN;
      }
      case 'or': {
        const l = this.eval(x.l, frame);
        const r = this.eval(x.r, frame);
        return l.k === 'unknown' || l.k === 'none' ? r : l;
      }
      case 'and':
        this.eval(x.l, frame);
        return this.eval(x.r, frame);
      case 'cond': {
        const a = this.eval(x.body, frame);
        const b = this.eval(x.orelse, frame);
        return a.k !== 'unknown' ? a : b;
      }
      case 'call':
        return this.call(x, frame, resultUsed);
      case 'star':
        return this.eval(x.value, frame);
      case 'other':
        return UNKNOWN;
    }
  }

  getAttr(obj: Value, attr: string, frame: Frame, at?: { s: number; e: number }): Value {
    switch (obj.k) {
      case 'module': {
        if (obj.name === 'ctypes') return ctypesMember(attr);
        if (obj.name === 'ctypes.util' && attr === 'find_library') return { k: 'builtin', name: 'find_library' };
        if ((obj.name === 'cffi' || obj.name === 'cffi.api') && attr === 'FFI') return { k: 'builtin', name: 'FFI' };
        const sub = `${obj.name}.${attr}`;
        if (sub === 'ctypes.util' || sub === 'ctypes.wintypes') return { k: 'module', name: sub };
        const v = this.moduleMember(obj.name, attr, frame.module);
        if (v) return v;
        if (this.resolver.hasModule(sub)) return { k: 'module', name: sub };
        return UNKNOWN;
      }
      case 'library':
        if (LIBRARY_OWN_ATTRS.has(attr) || attr.startsWith('__')) return UNKNOWN;
        return { k: 'fn', fn: this.functionOf(obj.lib, attr) };
      case 'instance': {
        const v = this.mapGet(obj.attrs, attr) ?? this.classAttr(obj.cls, attr);
        if (v?.k === 'pyfunc') return { ...v, self: obj };
        return v ?? UNKNOWN;
      }
      case 'class':
        return this.classAttr(obj, attr) ?? UNKNOWN;
      case 'builtin':
        if (CTYPES_LOADER_INSTANCES.has(obj.name.replace(/^ctypes\./, ''))) {
          if (attr === 'LoadLibrary') return { k: 'builtin', name: `${obj.name}.LoadLibrary` };
          if (attr.startsWith('_')) return UNKNOWN;
          return { k: 'library', lib: this.newLibrary('attribute', frame, at?.s ?? 0, at?.e ?? 0, attr) };
        }
        return UNKNOWN;
      case 'str':
        return attr === 'format' || attr === 'join' || attr === 'upper' || attr === 'lower' ? { k: 'builtin', name: `str.${attr}:${obj.v}` } : UNKNOWN;
      case 'dict':
        return attr === 'items' || attr === 'keys' || attr === 'values' ? { k: 'builtin', name: `dict.${attr}`, ...{ of: obj } } as Value : UNKNOWN;
      case 'ffi':
        return attr === 'cdef' || attr === 'set_source' || attr === 'dlopen' ? { k: 'builtin', name: `ffi.${attr}`, ...{ of: obj } } as Value : UNKNOWN;
      default:
        return UNKNOWN;
    }
  }

  classAttr(cls: Extract<Value, { k: 'class' }>, attr: string, depth = 0): Value | undefined {
    const v = this.mapGet(cls.attrs, attr);
    if (v || depth > 8) return v;
    for (const b of cls.bases) if (b.k === 'class') {
      const inherited = this.classAttr(b, attr, depth + 1);
      if (inherited) return inherited;
    }
    return undefined;
  }

  functionOf(lib: LibraryObject, name: string): ForeignFunctionObject {
    let fn = this.mapGet(lib.functions, name);
    if (!fn) this.mapSet(lib.functions, name, (fn = { lib, name, decls: new Map() }));
    return fn;
  }

  newLibrary(loader: string, frame: Frame, s: number, e: number, pathValue?: Value | string): LibraryObject {
    const path = typeof pathValue === 'string' ? pathValue : pathValue?.k === 'str' ? pathValue.v : undefined;
    const stem = typeof pathValue === 'string' ? stemOf(pathValue) : pathValue?.k === 'libname' ? pathValue.stem : path !== undefined ? stemOf(path) : undefined;
    const lib: LibraryObject = { loader, stem, path, site: this.site(frame, s, e), createdBy: this.mod.name, functions: new Map() };
    (this.cur?.libraries ?? this.mod.libraries).push(lib);
    return lib;
  }

  recordFn(fn: ForeignFunctionObject, frame: Frame, s: number, e: number, literal: boolean, call?: Extract<PExpr, { t: 'call' }>, resultUsed?: boolean): void {
    if (!frame.own) return;
    // one site per (place, library site, function name, call or reference); anchors by identity, so a key stays right when its region moves
    const key = `${anchorId(frame.anchor)}:${s}:${e}:${anchorId(fn.lib.site.anchor)}:${fn.lib.site.s}:${call !== undefined ? 'c' : 'r'}:${fn.name}`;
    if (this.seenSites.has(key)) {
      this.rd(this.seenSites, key);
      return;
    }
    if (this.cur) this.wr(this.seenSites, key, false, undefined);
    this.seenSites.add(key);
    (this.cur?.sites ?? this.mod.functionSites).push({ fn, site: this.site(frame, s, e), call, resultUsed, literal });
  }

  call(x: Extract<PExpr, { t: 'call' }>, frame: Frame, resultUsed: boolean): Value {
    const callee = this.eval(x.fn, frame);
    const args = x.args.map((a) => this.eval(a, frame));
    const kw = x.kw.map((k) => ({ name: k.name, value: this.eval(k.value, frame) }));
    if (callee.k === 'fn') {
      this.recordFn(callee.fn, frame, x.s, x.e, true, x, resultUsed);
      return UNKNOWN;
    }
    if (callee.k === 'builtin') return this.callBuiltin(callee, x, args, kw, frame);
    if (callee.k === 'pyfunc') {
      const outer = this.callerStatement;
      if (frame.own && !frame.locals) this.callerStatement = this.site(frame, x.s, x.e);
      try {
        return this.callPy(callee, args, kw, false);
      } finally {
        this.callerStatement = outer;
      }
    }
    if (callee.k === 'class') {
      const inst: Extract<Value, { k: 'instance' }> = { k: 'instance', cls: callee, attrs: new Map() };
      const init = this.classAttr(callee, '__init__');
      if (init?.k === 'pyfunc') this.callPy({ ...init, self: inst }, args, kw, false);
      return inst;
    }
    if (callee.k === 'proto') {
      // a prototype applied to (name, lib) or (ordinal, lib): a foreign function with that signature
      const spec = args[0];
      if (spec?.k === 'seq' && spec.items.length >= 2 && spec.items[0]!.k === 'str' && spec.items[1]!.k === 'library') {
        const fn = this.functionOf(spec.items[1].lib, spec.items[0].v);
        const d = this.declarationsOf(fn);
        const site = this.site(frame, x.s, x.e);
        const statement = this.statementSite(frame);
        if (this.cur) {
          this.wr(d, 'restype', 'restype' in d, d.restype);
          this.wr(d, 'argtypes', 'argtypes' in d, d.argtypes);
        }
        d.restype = { value: callee.restype, site, statement };
        d.argtypes = { value: { k: 'seq', items: callee.argtypes }, site, statement };
        this.recordFn(fn, frame, x.s, x.e, x.args[0]?.t === 'seq' && x.args[0].items[0]?.t === 'str');
        return { k: 'fn', fn };
      }
      return UNKNOWN;
    }
    return UNKNOWN;
  }

  callBuiltin(callee: Extract<Value, { k: 'builtin' }>, x: Extract<PExpr, { t: 'call' }>, args: Value[], kw: { name: string; value: Value }[], frame: Frame): Value {
    const name = callee.name.replace(/^ctypes\./, '');
    if (CTYPES_LOADERS.has(name) || name.endsWith('.LoadLibrary')) {
      const loader = name.endsWith('.LoadLibrary') ? 'LoadLibrary' : name;
      return { k: 'library', lib: this.newLibrary(loader, frame, x.s, x.e, args[0] ?? kw.find((k) => k.name === 'name')?.value) };
    }
    if (CTYPES_PROTOTYPE_FACTORIES.has(name)) return { k: 'proto', factory: name, restype: args[0] ?? UNKNOWN, argtypes: args.slice(1) };
    switch (name) {
      case 'POINTER': {
        const t = args[0];
        if (t?.k === 'ctype') return { k: 'ctype', type: { kind: 'pointer', to: t.type, span: span0 } };
        if (t?.k === 'class') return { k: 'ctype', type: { kind: 'pointer', to: { kind: 'unknown', text: t.def.name, span: span0 }, span: span0 } };
        return UNKNOWN;
      }
      case 'find_library':
        return args[0]?.k === 'str' ? { k: 'libname', stem: args[0].v } : UNKNOWN;
      case 'getattr': {
        const [obj, n, dflt] = args;
        if (n?.k !== 'str' || !obj) return dflt ?? UNKNOWN;
        if (obj.k === 'library') {
          const fn = this.functionOf(obj.lib, n.v);
          this.recordFn(fn, frame, x.s, x.e, x.args[1]?.t === 'str');
          return { k: 'fn', fn };
        }
        const v = this.getAttr(obj, n.v, frame);
        return v.k === 'unknown' && dflt ? dflt : v;
      }
      case 'setattr': {
        const [obj, n, v] = args;
        if (obj && n?.k === 'str' && v) this.setAttr(obj, n.v, v, frame, x);
        return { k: 'none' };
      }
      case 'hasattr':
        return UNKNOWN;
      case 'globals':
        return { k: 'globals', module: frame.module };
      case 'list':
      case 'tuple':
      case 'set':
      case 'frozenset':
      case 'sorted':
      case 'reversed': {
        const items = args[0] ? this.iterate(args[0]) : [];
        return items ? { k: 'seq', items } : UNKNOWN;
      }
      case 'dict.items':
      case 'dict.keys':
      case 'dict.values': {
        const d = (callee as unknown as { of: Extract<Value, { k: 'dict' }> }).of;
        this.rd(d, ALL);
        // copies: a later write to the dict does not change a list read before it
        if (name === 'dict.keys') return { k: 'seq', items: [...d.keys] };
        if (name === 'dict.values') return { k: 'seq', items: [...d.values] };
        return { k: 'seq', items: d.keys.map((k, i) => ({ k: 'seq', items: [k, d.values[i]!] })) };
      }
      case 'FFI': {
        const ffi: FfiObjectValue = { site: this.site(frame, x.s, x.e), cdefs: [] };
        if (frame.own) (this.cur?.ffis ?? this.mod.ffis).push(ffi);
        return { k: 'ffi', ffi };
      }
      case 'ffi.cdef': {
        const ffi = (callee as unknown as { of: Extract<Value, { k: 'ffi' }> }).of.ffi;
        this.untraceable();
        if (args[0]?.k === 'str') ffi.cdefs.push({ source: args[0].v, site: this.site(frame, x.s, x.e) });
        return { k: 'none' };
      }
      case 'ffi.set_source': {
        const ffi = (callee as unknown as { of: Extract<Value, { k: 'ffi' }> }).of.ffi;
        this.untraceable();
        if (args[0]?.k === 'str') ffi.builds = args[0].v;
        return { k: 'none' };
      }
    }
    if (name.startsWith('str.format:')) return UNKNOWN;
    return UNKNOWN;
  }

  callPy(f: Extract<Value, { k: 'pyfunc' }>, args: Value[], kw: { name: string; value: Value }[], late: boolean): Value {
    if (this.depth >= MAX_CALL_DEPTH) return UNKNOWN;
    const def = f.def;
    const own = f.module === this.mod;
    if (own) {
      if (this.cur) {
        this.cur.entered.add(def);
        this.addTo(this.evaluatedDefs, def);
      } else this.evaluatedDefs.add(def);
    } else if (this.trace) this.trace.reusable = false; // another module's code: its values are not this trace's to undo
    const locals = new Map<string, Value>();
    const params = f.self ? def.params.slice(1) : def.params;
    if (f.self && def.params[0]) locals.set(def.params[0].name, f.self);
    let i = 0;
    const outerFrame = new Frame(undefined, f.module, def.anchor, own);
    for (const p of params) {
      if (p.kind === 'star') {
        locals.set(p.name, late ? UNKNOWN : { k: 'seq', items: args.slice(i) });
        i = args.length;
        continue;
      }
      if (p.kind === 'dstar') {
        locals.set(p.name, UNKNOWN);
        continue;
      }
      const byKw = kw.find((k) => k.name === p.name);
      const v = late ? UNKNOWN : (i < args.length ? args[i++] : undefined) ?? byKw?.value ?? (p.default ? this.eval(p.default, outerFrame) : UNKNOWN);
      locals.set(p.name, v);
    }
    const frame = new Frame(locals, f.module, def.anchor, own);
    this.depth++;
    try {
      for (const s of def.body) {
        this.exec(s, frame);
        if (frame.returned) break;
      }
    } finally {
      this.depth--;
    }
    if (def.generator) return { k: 'seq', items: frame.yields };
    const known = frame.returns.filter((r) => r.k !== 'unknown' && r.k !== 'none');
    return known.length ? known[0]! : UNKNOWN;
  }
}

const span0 = { start: 0, end: 0 };

/** Index of a dict's string keys (the first index of each), kept as keys are added: lookups were a scan of every key. */
const dictIndexes = new WeakMap<Value[], Map<string, number>>();
function dictIndex(d: Extract<Value, { k: 'dict' }>, key: string): number {
  let index = dictIndexes.get(d.keys);
  if (!index) {
    index = new Map();
    for (let i = 0; i < d.keys.length; i++) {
      const k = d.keys[i]!;
      if (k.k === 'str' && !index.has(k.v)) index.set(k.v, i);
    }
    dictIndexes.set(d.keys, index);
  }
  return index.get(key) ?? -1;
}

const LIBRARY_OWN_ATTRS = new Set(['_handle', '_name', '_FuncPtr', '__getitem__', '__getattr__', '_func_flags_', '_func_restype_']);

const BUILTINS = new Set(['getattr', 'setattr', 'hasattr', 'globals', 'list', 'tuple', 'set', 'frozenset', 'sorted', 'reversed']);

function ctypesMember(name: string): Value {
  if (name in CTYPES_PRIMITIVES) return { k: 'ctype', type: { kind: 'prim', name, span: span0 } };
  if (name === 'util' || name === 'wintypes') return { k: 'module', name: `ctypes.${name}` };
  if (CTYPES_EXPORTS.has(name)) return { k: 'builtin', name: `ctypes.${name}` };
  return UNKNOWN;
}

function formatPercent(fmt: string, r: Value): Value {
  const items = r.k === 'seq' ? r.items : [r];
  let i = 0;
  let ok = true;
  const out = fmt.replace(/%[sd%]/g, (m) => {
    if (m === '%%') return '%';
    const v = items[i++];
    if (v?.k === 'str') return v.v;
    if (v?.k === 'num') return String(v.v);
    ok = false;
    return '';
  });
  return ok ? { k: 'str', v: out } : UNKNOWN;
}

/** `libmagic.so.1` → `magic`; `/usr/lib/libarchive.so` → `archive`; `magic` → `magic`. */
export function stemOf(path: string): string | undefined {
  const base = path.split(/[\\/]/).pop() ?? '';
  const m = /^(?:lib)?([A-Za-z0-9_+-]+?)(?:[-.]\d[\w.]*)?(?:\.(?:so|dylib|dll)(?:\.[\d.]+)?)?$/.exec(base);
  return m?.[1] || undefined;
}

/**
 * Evaluates one module's lowered statements. `name` is its dotted module name, `uri` its document. `traced`: keep
 * what `reevaluateModule` needs to update the evaluation after an edit inside function bodies (open documents).
 */
export function evaluateModule(name: string, uri: string, stmts: TopStmt[], resolver: ModuleResolver, traced = false): ModuleEvaluation {
  const mod: ModuleEvaluation = {
    name, uri, env: new Map(), starModules: [], functionSites: [], librarySites: [], libraries: [], declared: new Set(), ffis: [], deps: new Set(), truncated: false,
  };
  const trace = traced ? new EvaluationTrace() : undefined;
  try {
    const interp = new Interpreter(mod, resolver, stmts, trace);
    if (trace) trace.interp = interp;
    interp.run();
    if (trace && !mod.truncated && mod.deps.size === 0 && trace.reusable && interp.steps <= STEP_BUDGET) mod.trace = trace;
  } catch {
    mod.truncated = true; // a construct the evaluator does not handle: what was found so far stands
  }
  return mod;
}

/** Drops what a module declared on functions of other modules' libraries (before it is evaluated again). */
export function retractDeclarations(mod: ModuleEvaluation): void {
  for (const fn of mod.declared) fn.decls.delete(mod.name);
  mod.declared.clear();
  mod.trace = undefined;
}

// ---- updating an evaluation after an edit inside function bodies ----

/** A place in the evaluator's shared state (a key of a Map, Set, dict value or record) and the late-pass units that read and wrote it. */
interface LocRec {
  readers: number[];
  writers: number[];
  /** The unit that created the key (-1: it existed before the late pass). */
  creator: number;
  lastReader: number;
}

interface WriteLog {
  rec: LocRec;
  c: object;
  key: unknown;
  had: boolean;
  before: unknown;
}

/** One late-pass call (a body no call had reached), with what it read, wrote, entered and recorded. */
interface LateUnit {
  index: number;
  callee: Extract<Value, { k: 'pyfunc' }>;
  reads: LocRec[];
  writes: WriteLog[];
  wrote: Set<LocRec>;
  entered: Set<object>;
  sites: FunctionSite[];
  libraries: LibraryObject[];
  ffis: FfiObjectValue[];
  steps: number;
}

function newUnit(index: number, callee: Extract<Value, { k: 'pyfunc' }>): LateUnit {
  return { index, callee, reads: [], writes: [], wrote: new Set(), entered: new Set(), sites: [], libraries: [], ffis: [], steps: 0 };
}

/** A dict's whole content (what iterating it reads). */
const ALL = Symbol('all');

const anchorIds = new WeakMap<object, number>();
let nextAnchorId = 1;
function anchorId(a: object): number {
  let id = anchorIds.get(a);
  if (id === undefined) anchorIds.set(a, (id = nextAnchorId++));
  return id;
}

/** What an evaluation keeps to be updated in place: its interpreter, the module pass's outputs, and the late pass as logged units. */
export class EvaluationTrace {
  interp!: Interpreter;
  units: LateUnit[] = [];
  /** Defs the module-level pass entered (an edit to one of them changes the module pass: no update in place). */
  moduleEntered = new Set<object>();
  moduleSteps = 0;
  /** Names the module pass looked up (module names, class and instance attributes, …): a def renamed to or from one of them changes it. */
  readonly moduleReads = new Set<string>();
  /** How many times the module pass bound or set each name (in any scope: a renamed def must be its name's only binding). */
  readonly moduleBinds = new Map<string, number>();

  bound(name: string): void {
    this.moduleBinds.set(name, (this.moduleBinds.get(name) ?? 0) + 1);
  }
  moduleSites: FunctionSite[] = [];
  moduleLibraries: LibraryObject[] = [];
  moduleFfis: FfiObjectValue[] = [];
  /** False once a unit did something the trace cannot undo (wrote a module name or class attribute, read another module…). */
  reusable = true;
  /** Maps the late pass's schedule reads (class attributes made by the module pass). */
  readonly fixed = new WeakSet<object>();
  private readonly locs = new Map<object, Map<unknown, LocRec>>();

  rec(c: object, key: unknown): LocRec {
    let byKey = this.locs.get(c);
    if (!byKey) this.locs.set(c, (byKey = new Map()));
    let r = byKey.get(key);
    if (!r) byKey.set(key, (r = { readers: [], writers: [], creator: -1, lastReader: -1 }));
    return r;
  }

  /** Which units entered each def (their `entered` sets inverted), made on the first update and kept equal to them by `reindexEntered`. */
  private enteredBy?: Map<object, number[]>;

  unitsEntering(def: object): readonly number[] {
    if (!this.enteredBy) {
      this.enteredBy = new Map();
      for (const u of this.units) this.indexEntered(u);
    }
    return this.enteredBy.get(def) ?? [];
  }

  /** After units were replaced: unit `i` no longer enters what `old[i]` entered, and enters what `units[i]` does. */
  reindexEntered(old: readonly LateUnit[], replaced: Iterable<number>): void {
    if (!this.enteredBy) return;
    for (const i of replaced) {
      for (const d of old[i]!.entered) {
        const list = this.enteredBy.get(d);
        const at = list ? list.indexOf(i) : -1;
        if (at >= 0) list!.splice(at, 1);
        if (list && list.length === 0) this.enteredBy.delete(d);
      }
      this.indexEntered(this.units[i]!);
    }
  }

  private indexEntered(u: LateUnit): void {
    for (const d of u.entered) {
      const list = this.enteredBy!.get(d);
      if (!list) this.enteredBy!.set(d, [u.index]);
      else if (!list.includes(u.index)) list.push(u.index);
    }
  }

  creatorOf(c: object, key: unknown): number {
    return this.locs.get(c)?.get(key)?.creator ?? -1;
  }

  /** After the late pass: the module pass's outputs kept apart, the module's lists made from both. */
  collect(mod: ModuleEvaluation): void {
    this.moduleSites = mod.functionSites;
    this.moduleLibraries = mod.libraries;
    this.moduleFfis = mod.ffis;
    this.join(mod);
  }

  join(mod: ModuleEvaluation): void {
    mod.functionSites = [...this.moduleSites];
    mod.libraries = [...this.moduleLibraries];
    mod.ffis = [...this.moduleFfis];
    for (const u of this.units) {
      for (const x of u.sites) mod.functionSites.push(x);
      for (const x of u.libraries) mod.libraries.push(x);
      for (const x of u.ffis) mod.ffis.push(x);
    }
  }

  get steps(): number {
    let n = this.moduleSteps;
    for (const u of this.units) n += u.steps;
    return n;
  }
}

const ABSENT = Symbol('absent');
const PRESENT = Symbol('present');

/** What a place holds now (ABSENT when the key is not there; PRESENT for a Set member). */
function valueAt(c: object, key: unknown): unknown {
  if (c instanceof Map) return c.has(key) ? c.get(key) : ABSENT;
  if (c instanceof Set) return c.has(key) ? PRESENT : ABSENT;
  if ((c as Value).k === 'dict') {
    const d = c as Extract<Value, { k: 'dict' }>;
    const i = dictIndex(d, key as string);
    return i >= 0 ? d.values[i] : ABSENT;
  }
  const o = c as Record<string, unknown>;
  return (key as string) in o ? o[key as string] : ABSENT;
}

function undo(w: WriteLog): void {
  const c = w.c;
  if (c instanceof Map) {
    if (w.had) c.set(w.key, w.before);
    else c.delete(w.key);
  } else if (c instanceof Set) {
    if (!w.had) c.delete(w.key);
  } else if ((c as Value).k === 'dict') {
    const d = c as Extract<Value, { k: 'dict' }>;
    const i = dictIndex(d, w.key as string);
    if (i < 0) return;
    if (w.had) d.values[i] = w.before as Value;
    else {
      const removed = d.keys[i]!;
      d.keys.splice(i, 1);
      d.values.splice(i, 1);
      shiftDictIndex(d, i, removed);
    }
  } else {
    const o = c as Record<string, unknown>;
    if (w.had) o[w.key as string] = w.before;
    else delete o[w.key as string];
  }
}

/**
 * After `d.keys[i]` (`removed`) was spliced out: the dict's index (each string key's first position) moved for the
 * keys after it, in place (rebuilding it cost a new Map of every key per undo on a long dict, e.g. vlc.py's `_Cfunctions`).
 */
function shiftDictIndex(d: Extract<Value, { k: 'dict' }>, i: number, removed: Value): void {
  const index = dictIndexes.get(d.keys);
  if (!index) return;
  if (removed.k === 'str' && index.get(removed.v) === i) {
    let next = -1;
    for (let j = i; j < d.keys.length; j++) {
      const k = d.keys[j]!;
      if (k.k === 'str' && k.v === removed.v) {
        next = j;
        break;
      }
    }
    if (next >= 0) index.set(removed.v, next);
    else index.delete(removed.v);
  }
  for (let j = i; j < d.keys.length; j++) {
    const k = d.keys[j]!;
    if (k.k === 'str' && index.get(k.v) === j + 1) index.set(k.v, j);
  }
}

/** The positions of `by` in ascending order of `by`, ties in position order (a stable sort); undefined when that is already the order. */
function stableOrder(by: readonly number[]): number[] | undefined {
  let sorted = true;
  for (let i = 1; i < by.length; i++) if (by[i]! < by[i - 1]!) {
    sorted = false;
    break;
  }
  if (sorted) return undefined;
  return by.map((_, i) => i).sort((a, b) => by[a]! - by[b]! || a - b);
}

/**
 * Puts the keys of a Map or dict value in the order a fresh evaluation creates them: by the unit that created each
 * (stable). Nothing moves when they are in that order already; a dict moves only the span between the first and the
 * last key out of place, and its index is updated there.
 */
function reorder(trace: EvaluationTrace, c: object): void {
  if (c instanceof Map) {
    const keys = [...c.keys()];
    const order = stableOrder(keys.map((k) => trace.creatorOf(c, k)));
    if (!order) return;
    const values = keys.map((k) => c.get(k));
    c.clear();
    for (const i of order) c.set(keys[i], values[i]);
  } else if ((c as Value).k === 'dict') {
    const d = c as Extract<Value, { k: 'dict' }>;
    const order = stableOrder(d.keys.map((k) => (k.k === 'str' ? trace.creatorOf(c, k.v) : -1)));
    if (!order) return;
    let lo = 0;
    while (order[lo] === lo) lo++;
    let hi = order.length - 1;
    while (order[hi] === hi) hi--;
    const keys = d.keys.slice(lo, hi + 1);
    const values = d.values.slice(lo, hi + 1);
    for (let p = lo; p <= hi; p++) {
      d.keys[p] = keys[order[p]! - lo]!;
      d.values[p] = values[order[p]! - lo]!;
    }
    // the keys between lo and hi are the same set, moved among themselves: each one's first position is its first
    // in that span unless it occurs before it
    const index = dictIndexes.get(d.keys);
    if (index) for (let p = hi; p >= lo; p--) {
      const k = d.keys[p]!;
      if (k.k !== 'str') continue;
      const at = index.get(k.v);
      if (at === undefined || at >= lo) index.set(k.v, p);
    }
  }
}

/**
 * Updates a traced evaluation in place after an edit that changed only the bodies of `changed` defs (their
 * statements already patched into the same objects, pyir.ts `patchStatements`). The module-level pass is kept
 * when it entered none of them; then the late-pass units that entered one run again, in order, and so does every
 * later unit that read a place a re-run unit wrote (before or now); a later unit whose writes a re-run unit meets
 * is undone first and runs again in its turn. It gives up (false: evaluate afresh) when a place has two writers,
 * or the trace is not reusable (a unit wrote a module name or class attribute, read another module, …). Otherwise
 * the result is the one a fresh evaluation gives, orders included (keys by the unit that created them).
 */
export function reevaluateModule(mod: ModuleEvaluation, changed: ReadonlySet<object>, renames: readonly Rename[] = []): boolean {
  const trace = mod.trace;
  if (!trace || !trace.reusable || mod.truncated || mod.deps.size) return false;
  for (const d of changed) if (trace.moduleEntered.has(d)) return false;
  // a renamed def: the module pass bound it and read neither name, so its result is the old one with the name replaced in place
  const renamed: [Map<string, Value>, Rename][] = [];
  for (const r of renames) {
    if (trace.moduleReads.has(r.from) || trace.moduleReads.has(r.to) || trace.moduleBinds.get(r.from) !== 1 || trace.moduleBinds.has(r.to)) return false;
    let names: Map<string, Value> | undefined = mod.env;
    if (r.cls) {
      names = undefined;
      for (const v of mod.env.values()) if (v.k === 'class' && v.def === r.cls) {
        if (names) return false;
        names = v.attrs;
      }
    }
    const v = names?.get(r.from);
    if (!names || v?.k !== 'pyfunc' || v.def !== r.def || names.has(r.to) || renamed.some(([m, x]) => m === names && (x.to === r.from || x.from === r.to))) return false;
    renamed.push([names, r]);
  }
  mod.trace = undefined; // until it is consistent again
  const interp = trace.interp;
  const units = trace.units;
  const dirty = new Uint8Array(units.length);
  let first = units.length;
  for (const [names, r] of renamed) {
    const entries = [...names].map(([k, v]): [string, Value] => [k === r.from ? r.to : k, v]);
    names.clear();
    for (const [k, v] of entries) names.set(k, v);
    trace.moduleBinds.delete(r.from);
    trace.moduleBinds.set(r.to, 1);
    for (const key of [r.from, r.to]) for (const j of trace.rec(names, key).readers) {
      dirty[j] = 1;
      first = Math.min(first, j);
    }
  }
  // the units that entered an edited def (the trace's inverted index, not a test of every unit's set)
  for (const d of changed) for (const j of trace.unitsEntering(d)) {
    dirty[j] = 1;
    first = Math.min(first, j);
  }
  // the units as they were, and which get replaced: the index follows them once the update has succeeded
  const original = units.slice();
  const replaced = new Set<number>();
  const touched = new Set<object>();
  let steps = trace.steps;
  /** What each place a unit about to run again had written held (its later readers are marked only if that changes). */
  const before = new Map<number, Map<LocRec, { c: object; key: unknown; value: unknown }>>();
  /** Undoes a unit's writes (newest first), drops its reads and outputs. */
  const retract = (u: LateUnit, strict: boolean): boolean => {
    if (strict) for (const w of u.writes) if (w.rec.writers.length !== 1) return false;
    let snap = before.get(u.index);
    if (!snap) before.set(u.index, (snap = new Map()));
    for (let k = u.writes.length - 1; k >= 0; k--) {
      const w = u.writes[k]!;
      if (strict && !snap.has(w.rec)) snap.set(w.rec, { c: w.c, key: w.key, value: valueAt(w.c, w.key) });
      undo(w);
      const at = w.rec.writers.lastIndexOf(u.index);
      if (at >= 0) w.rec.writers.splice(at, 1);
      if (w.rec.creator === u.index) w.rec.creator = -1;
    }
    for (const r of u.reads) {
      const at = r.readers.indexOf(u.index);
      if (at >= 0) r.readers.splice(at, 1);
      if (r.lastReader === u.index) r.lastReader = -1;
    }
    steps -= u.steps;
    units[u.index] = { ...newUnit(u.index, u.callee), steps: 0 };
    replaced.add(u.index);
    return true;
  };
  for (let i = first; i < units.length; i++) {
    if (!dirty[i]) continue;
    if (!retract(units[i]!, true)) return false;
    for (let attempt = 0; ; attempt++) {
      const unit = newUnit(i, units[i]!.callee);
      units[i] = unit;
      interp.steps = 0;
      interp.depth = 0;
      try {
        interp.runUnit(unit);
      } catch {
        return false;
      }
      if (!trace.reusable) return false;
      steps += unit.steps;
      // what a later unit wrote was not there yet at this unit's turn: undo those units (they run again in theirs) and run this one again
      const later = new Set<number>();
      for (const r of unit.reads) for (const w of r.writers) if (w > i) later.add(w);
      for (const w of unit.writes) for (const x of w.rec.writers) {
        if (x > i) later.add(x);
        else if (x < i) return false;
      }
      if (later.size === 0) break;
      if (attempt >= 4) return false;
      retract(unit, false);
      for (const j of [...later].sort((a, b) => b - a)) {
        if (!retract(units[j]!, true)) return false;
        dirty[j] = 1;
      }
    }
    if (steps > STEP_BUDGET) return false;
    // the places whose value differs from what they held before this unit ran again: their later readers run again too
    const snap = before.get(i) ?? new Map<LocRec, { c: object; key: unknown; value: unknown }>();
    before.delete(i);
    const created = new Set<object>();
    for (const w of units[i]!.writes) {
      if (!snap.has(w.rec)) snap.set(w.rec, { c: w.c, key: w.key, value: ABSENT });
      if (!w.had) created.add(w.c);
    }
    // a key this unit put again went to the end: back in its place before a later unit iterates the container
    for (const c of created) {
      touched.add(c);
      reorder(trace, c);
    }
    for (const [rec, x] of snap) {
      if (valueAt(x.c, x.key) === x.value) continue;
      for (const j of rec.readers) if (j > i) dirty[j] = 1;
      if ((x.c as Value).k === 'dict') for (const j of trace.rec(x.c, ALL).readers) if (j > i) dirty[j] = 1;
    }
  }
  for (const c of touched) reorder(trace, c);
  trace.reindexEntered(original, replaced);
  trace.join(mod);
  mod.trace = trace;
  return true;
}
