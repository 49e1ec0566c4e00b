import type {
  AttributeAssignment, BindingModel, CallSite, CtypesLibrary, CtypesType, Expr, ForeignFunction, Span,
} from '../model';
import { AnchoredSpan, type Anchor } from '../spans';
import { siteStart, type Declaration, type ForeignFunctionObject, type LibraryObject, type ModuleEvaluation, type Site, type Value } from './evaluate';
import type { PExpr } from './pyir';
import { attachPrototypes, type PrototypeLookup } from '../prototypes';

/**
 * Links a module's workspace evaluation into its per-file binding model: libraries loaded elsewhere or by
 * project code, foreign functions declared by helpers, tables, tuple and chained assignments, and the
 * signatures other modules set. What the per-file analysis already found is kept as it is; this only adds.
 */
export function linkWorkspaceModel(model: BindingModel, ev: ModuleEvaluation | undefined, prototypes?: PrototypeLookup): BindingModel {
  if (ev) {
    model.module = ev.name;
    new ModelLinker(model, ev).link();
  }
  attachPrototypes(model, prototypes);
  return model;
}

function span(site: Site): Span {
  return new AnchoredSpan(site.anchor, site.s, site.e);
}

class ModelLinker {
  private readonly libs = new Map<LibraryObject, CtypesLibrary>();
  private readonly byLoadStart = new Map<number, CtypesLibrary>();
  private readonly functionsByLib = new Map<CtypesLibrary, Map<string, ForeignFunction>>();

  constructor(private readonly model: BindingModel, private readonly ev: ModuleEvaluation) {
    for (const lib of model.ctypes.libraries) this.byLoadStart.set(lib.loadSpan.start, lib);
  }

  link(): void {
    this.dropModulesTakenForFfi();
    const sites = this.ev.functionSites;
    if (sites.length === 0) return;
    const byFn = new Map<ForeignFunctionObject, typeof sites>();
    for (const s of sites) {
      let list = byFn.get(s.fn);
      if (!list) byFn.set(s.fn, (list = []));
      list.push(s);
    }
    for (const [fo, list] of byFn) {
      const lib = this.libraryFor(fo.lib, list[0]!.site);
      let byName = this.functionsByLib.get(lib);
      if (!byName) this.functionsByLib.set(lib, (byName = new Map(lib.functions.map((f) => [f.name, f]))));
      let fn = byName.get(fo.name);
      if (!fn) {
        fn = { library: lib, name: fo.name, refs: [], aliases: [], calls: [] };
        lib.functions.push(fn);
        byName.set(fo.name, fn);
        this.model.ctypes.functions.push(fn);
      }
      // a site at a start already held is left out (most functions have a few: a scan, not a set per function)
      const few = fn.refs.length + fn.calls.length + list.length <= 16;
      const refStarts = few ? undefined : new Set(fn.refs.map((r) => r.start));
      const callStarts = few ? undefined : new Set(fn.calls.map((c) => c.span.start));
      const callsBefore = fn.calls.length;
      for (const s of list) {
        const start = siteStart(s.site);
        if (s.call) {
          if (callStarts ? !callStarts.has(start) : !callAt(fn.calls, start)) {
            callStarts?.add(start);
            fn.calls.push(this.callSite(s.call, s.site.anchor, s.resultUsed !== false));
          }
        } else if (s.literal && (refStarts ? !refStarts.has(start) : !spanAt(fn.refs, start))) {
          refStarts?.add(start);
          fn.refs.push(span(s.site));
        }
      }
      if (fn.calls.length !== callsBefore) fn.calls.sort((a, b) => a.span.start - b.span.start);
      this.declarations(fn, fo);
    }
  }

  /** `from . import ffi` where `ffi` is a module of the workspace is not an out-of-line cffi object. */
  private dropModulesTakenForFfi(): void {
    const cffi = this.model.cffi;
    const wrong = new Set(cffi.ffis.filter((f) => f.outOfLine && this.ev.env.get(f.name)?.k === 'module'));
    for (const f of cffi.ffis) {
      if (!f.outOfLine || wrong.has(f)) continue;
      const v = this.ev.env.get(f.name);
      if (v?.k === 'ffi' && v.ffi.site.uri !== this.model.uri) f.external = { module: v.ffi.site.module, uri: v.ffi.site.uri, cdefs: v.ffi.cdefs.map((c) => c.source) };
    }
    if (wrong.size === 0) return;
    cffi.ffis = cffi.ffis.filter((f) => !wrong.has(f));
    cffi.calls = cffi.calls.filter((c) => !wrong.has(c.ffi));
    cffi.libAccesses = cffi.libAccesses.filter((a) => !wrong.has(a.ffi));
    cffi.assigns = cffi.assigns.filter((a) => !wrong.has(a.ffi));
  }

  private libraryFor(lo: LibraryObject, firstUse: Site): CtypesLibrary {
    const known = this.libs.get(lo);
    if (known) return known;
    const local = lo.site.uri === this.model.uri;
    let lib = local ? this.byLoadStart.get(siteStart(lo.site)) : undefined;
    if (!lib) {
      let name = lo.boundName ?? lo.stem ?? 'library';
      for (const [k, v] of this.ev.env) if (v.k === 'library' && v.lib === lo) {
        name = k;
        break;
      }
      const at = local ? span(lo.site) : span(firstUse);
      lib = {
        name, nameSpan: at, statementSpan: at, loadSpan: at, loader: lo.loader, keywords: [], functions: [],
        origin: { via: local ? 'local' : lo.createdBy === this.ev.name ? 'loader' : 'import', module: lo.site.module, uri: lo.site.uri, span: span(lo.site), stem: lo.stem, loader: lo.loader },
      };
      if (lo.path !== undefined && local) lib.path = { k: 'str', span: at, text: JSON.stringify(lo.path), value: lo.path, bytes: false, parts: [at] };
      this.model.ctypes.libraries.push(lib);
    } else {
      lib.origin ??= { via: 'local', module: this.ev.name, uri: this.model.uri, span: lib.loadSpan, stem: lo.stem, loader: lo.loader };
    }
    this.libs.set(lo, lib);
    return lib;
  }

  private declarations(fn: ForeignFunction, fo: ForeignFunctionObject): void {
    let elsewhere: NonNullable<ForeignFunction['declaredElsewhere']> | undefined;
    for (const [module, d] of fo.decls) {
      const here = module === this.ev.name;
      for (const attr of DECLARED) {
        const decl = d[attr];
        if (!decl) continue;
        if (here) {
          if (fn[attr]) continue;
          const value = this.assignment(decl, attr);
          if (attr === 'argtypes') fn.argtypes = value as ForeignFunction['argtypes'];
          else if (attr === 'restype') fn.restype = value as ForeignFunction['restype'];
          else fn.errcheck = value;
          if (decl.statement.uri === this.model.uri && decl.statement.s !== decl.site.s) fn.declaredBy ??= span(decl.statement);
        } else {
          elsewhere ??= { module, uri: decl.site.uri, errcheck: false };
          if (attr === 'argtypes') elsewhere.argtypes = typesOf(decl.value);
          else if (attr === 'restype') elsewhere.restype = typeOf(decl.value);
          else elsewhere.errcheck = true;
        }
      }
    }
    if (elsewhere) fn.declaredElsewhere = elsewhere;
  }

  /**
   * The model's assignment for a declaration: the one an earlier link made for the same declaration object (an
   * evaluation updated in place keeps those of the units it did not run again), when the file, the target's text and
   * the types read from the value are the same; else a new one.
   */
  private assignment(decl: Declaration, attr: 'argtypes' | 'restype' | 'errcheck'): AttributeAssignment {
    // the declaration's own spans are in this file when it was written here, else at the statement that ran it
    const inFile = decl.site.uri === this.model.uri;
    const where = inFile ? decl.site : decl.statement;
    const start = siteStart(where);
    const known = ASSIGNMENTS.get(decl);
    // the common case, a declaration the evaluation kept: compared in place (no text sliced, no types made)
    if (known && known.attr === attr && known.uri === this.model.uri && known.text.length === where.e - where.s && this.model.text.startsWith(known.text, start) && typesMatch(known.types, decl.value, attr)) {
      return known.assignment;
    }
    const text = this.model.text.slice(start, start + where.e - where.s);
    const types = attr === 'argtypes' ? typesOf(decl.value) : attr === 'restype' ? typeOf(decl.value) : undefined;
    const target = span(where);
    const statement = decl.statement.uri === this.model.uri ? span(decl.statement) : target;
    const base: AttributeAssignment = { statementSpan: statement, targetSpan: target, value: { k: 'other', span: target, text, type: 'evaluated' } };
    const assignment = attr === 'argtypes' ? { ...base, types } as AttributeAssignment : attr === 'restype' ? { ...base, type: types } as AttributeAssignment : base;
    ASSIGNMENTS.set(decl, { attr, uri: this.model.uri, text, types, assignment });
    return assignment;
  }

  /**
   * The model's call site for an evaluated call: the one made for the same lowered call at the same anchor by an
   * earlier link, when its source text is the same (call sites are never changed once made; their spans are anchored,
   * so a call that only moved keeps its object), else a new one. An evaluation updated in place keeps the lowered
   * calls of the bodies it did not run again, so a keystroke's link makes the call sites of the edited bodies alone.
   */
  private callSite(x: Extract<PExpr, { t: 'call' }>, anchor: Anchor, resultUsed: boolean): CallSite {
    const known = CALL_SITES.get(x);
    // compared in place (no text sliced): a keystroke's link keeps nearly every call site
    if (known && known.anchor === anchor && known.resultUsed === resultUsed && known.text.length === x.e - x.s && this.model.text.startsWith(known.text, anchor.offset + x.s)) return known.site;
    const text = this.model.text.slice(anchor.offset + x.s, anchor.offset + x.e);
    const site = this.newCallSite(x, anchor, resultUsed);
    CALL_SITES.set(x, { anchor, resultUsed, text, site });
    return site;
  }

  private newCallSite(x: Extract<PExpr, { t: 'call' }>, anchor: Anchor, resultUsed: boolean): CallSite {
    return {
      span: new AnchoredSpan(anchor, x.s, x.e),
      calleeSpan: new AnchoredSpan(anchor, x.fn.s, x.fn.e),
      args: x.args.map((a) => this.expr(a, anchor)),
      keywords: x.kw.map((k) => ({ name: k.name, nameSpan: new AnchoredSpan(anchor, k.value.s, k.value.s), value: this.expr(k.value, anchor) })),
      resultUsed,
    };
  }

  /** A model expression for a lowered one (what rules and fixes read of call arguments). */
  private expr(p: PExpr, anchor: Anchor, depth = 0): Expr {
    const sp = new AnchoredSpan(anchor, p.s, p.e);
    const text = this.model.text.slice(anchor.offset + p.s, anchor.offset + p.e);
    if (depth > 6) return { k: 'other', span: sp, text, type: 'deep' };
    const d = depth + 1;
    switch (p.t) {
      case 'name':
        return { k: 'name', span: sp, text };
      case 'attr': {
        const object = this.expr(p.obj, anchor, d);
        const attrSpan = new AnchoredSpan(anchor, p.e - p.attr.length, p.e);
        return { k: object.k === 'name' || object.k === 'dotted' ? 'dotted' : 'attr', span: sp, text, object, attr: p.attr, attrSpan };
      }
      case 'call':
        return { k: 'call', span: sp, text, callee: this.expr(p.fn, anchor, d), args: p.args.map((a) => this.expr(a, anchor, d)), keywords: [] };
      case 'str':
        return { k: 'str', span: sp, text, value: p.v, bytes: /^[rRuU]*[bB]/.test(text), parts: [sp] };
      case 'num':
        return { k: 'num', span: sp, text, value: p.v };
      case 'const':
        return { k: p.v === 'None' ? 'none' : p.v === 'True' ? 'true' : 'false', span: sp, text };
      case 'seq':
        if (p.kind === 'set') break;
        return { k: p.kind, span: sp, text, items: p.items.map((i) => this.expr(i, anchor, d)) };
      case 'bin':
        return { k: 'binop', span: sp, text, op: p.op, left: this.expr(p.l, anchor, d), right: this.expr(p.r, anchor, d) };
      case 'sub':
        return { k: 'subscript', span: sp, text, value: this.expr(p.obj, anchor, d), index: this.expr(p.index, anchor, d) };
    }
    return { k: 'other', span: sp, text, type: p.t };
  }
}

/** The last assignment made for each declaration (`ModelLinker.assignment`), with what it was made from. */
const ASSIGNMENTS = new WeakMap<Declaration, { attr: string; uri: string; text: string; types: CtypesType | CtypesType[] | undefined; assignment: AttributeAssignment }>();

const DECLARED = ['argtypes', 'restype', 'errcheck'] as const;

function callAt(calls: readonly CallSite[], start: number): boolean {
  for (let i = 0; i < calls.length; i++) if (calls[i]!.span.start === start) return true;
  return false;
}

function spanAt(spans: readonly Span[], start: number): boolean {
  for (let i = 0; i < spans.length; i++) if (spans[i]!.start === start) return true;
  return false;
}

/**
 * Whether the types an assignment was made with are those `typesOf`/`typeOf` read from `value` now (what `sameType`
 * would answer for them), read without making them: each the value's own type object, or equal to the one `typeOf`
 * makes for a value of that kind (a value's items can change in place, so its identity proves nothing).
 */
function typesMatch(known: CtypesType | CtypesType[] | undefined, value: Value, attr: 'argtypes' | 'restype' | 'errcheck'): boolean {
  if (attr === 'errcheck') return known === undefined;
  if (attr === 'restype') return known !== undefined && !Array.isArray(known) && typeMatches(known, value);
  if (value.k !== 'seq') return known === undefined;
  if (!Array.isArray(known) || known.length !== value.items.length) return false;
  for (let i = 0; i < known.length; i++) if (!typeMatches(known[i]!, value.items[i]!)) return false;
  return true;
}

/** `sameType(t, typeOf(v))` without making `typeOf(v)`. */
function typeMatches(t: CtypesType, v: Value): boolean {
  switch (v.k) {
    case 'ctype':
      return sameType(t, v.type);
    case 'none':
      return t.kind === 'void' && hasOnly(t, 2) && t.span === SPAN0;
    case 'proto':
      return v.name ? t.kind === 'funcptr' && t.name === v.name && hasOnly(t, 3) && t.span === SPAN0 : t.kind === 'unknown' && t.text === 'CFUNCTYPE(...)' && hasOnly(t, 3) && t.span === SPAN0;
    default:
      return t.kind === 'unknown' && t.text === v.k && hasOnly(t, 3) && t.span === SPAN0;
  }
}

function hasOnly(t: CtypesType, keys: number): boolean {
  return Object.keys(t).length === keys;
}

/** The same type: the same object (a ctypes type value's own), or with the same fields, each the same (typeOf's new ones). */
function sameType(a: CtypesType, b: CtypesType): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => (a as unknown as Record<string, unknown>)[k] === (b as unknown as Record<string, unknown>)[k]);
}

/** The last call site made for each lowered call (`ModelLinker.callSite`). */
const CALL_SITES = new WeakMap<PExpr, { anchor: Anchor; resultUsed: boolean; text: string; site: CallSite }>();

const SPAN0 = { start: 0, end: 0 };

/** The ctypes type an evaluated value stands for (unknown when it is not one). */
export function typeOf(v: Value): CtypesType {
  switch (v.k) {
    case 'ctype':
      return v.type;
    case 'none':
      return { kind: 'void', span: SPAN0 };
    case 'proto':
      return v.name ? { kind: 'funcptr', name: v.name, span: SPAN0 } : { kind: 'unknown', text: 'CFUNCTYPE(...)', span: SPAN0 };
    default:
      return { kind: 'unknown', text: v.k, span: SPAN0 };
  }
}

export function typesOf(v: Value): CtypesType[] | undefined {
  return v.k === 'seq' ? v.items.map(typeOf) : undefined;
}
