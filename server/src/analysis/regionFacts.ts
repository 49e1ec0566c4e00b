import type { Language } from 'web-tree-sitter';
import type { Region } from '../documents/parsedDocument';
import type { CallSite, Expr, ImportInfo, Keyword, Span } from './model';
import { flatTreeOf, typeIds, type FlatTree } from '../parser/flatTree';
import { pythonFields, type PythonFields } from '../parser/pythonFields';
import { AnchoredSpan } from './spans';
import { decodeValue } from './stringLiteral';

/**
 * Syntax-level facts of one region, extracted in one walk of its tree and cached on the region until its
 * text changes. The link step (link.ts) turns the facts of all regions into the binding model.
 */
export interface RegionFacts {
  imports: ImportInfo[];
  assigns: AssignFact[];
  calls: CallFact[];
  attrs: AttrFact[];
  classes: ClassFact[];
}

export interface AssignFact {
  target: Expr;
  value: Expr;
  statementSpan: Span;
}

export interface CallFact {
  /** Dotted callee text (`ctypes.CDLL`, `lib.f`), or '' when the callee is not a dotted name. */
  callee: string;
  calleeExpr: Expr;
  call: CallSite;
}

export interface AttrFact {
  /** Dotted object text. */
  object: string;
  attr: string;
  span: Span;
  attrSpan: Span;
}

export interface ClassFact {
  name: string;
  nameSpan: Span;
  span: Span;
  bases: string[];
  assigns: { name: string; nameSpan: Span; value: Expr; statementSpan: Span }[];
  /** Class-body statements other than plain assignments and docstrings (methods, properties …). */
  hasBehaviour: boolean;
}

const BINDING_MODULES: Record<string, ImportInfo['binding']> = {
  ctypes: 'ctypes',
  cffi: 'cffi',
  cppyy: 'cppyy',
  _rawffi: '_rawffi',
  '_rawffi.alt': '_rawffi.alt',
  _ffi: '_ffi',
  _cffi_backend: '_cffi_backend',
  'pypy.interpreter.mixedmodule': 'mixedmodule',
};

export function bindingOf(module: string): ImportInfo['binding'] {
  if (BINDING_MODULES[module]) return BINDING_MODULES[module];
  if (module.startsWith('ctypes.')) return 'ctypes';
  if (module.startsWith('cffi.')) return 'cffi';
  if (module.startsWith('cppyy.')) return 'cppyy';
  if (module.startsWith('_rawffi.')) return '_rawffi.alt';
  return undefined;
}


/** Whether a literal's prefix makes it bytes (`b''`, `rb''`, `Br''` …; as /^[rRuUfF]*[bB]/, without a regex run per literal). */
function bytesPrefix(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) | 0x20; // lower case
    if (c === 0x62) return true; // b
    if (c !== 0x72 && c !== 0x75 && c !== 0x66) return false; // r u f
  }
  return false;
}

const enum FactKind { None, Import, Assign, Call, Attribute, Class }

const factKindTables = new WeakMap<Language, Uint8Array>();
/** Node type id → the fact a node of that type gives (the walk's dispatch, a table lookup rather than a type-name switch per node). */
function factKinds(language: Language): Uint8Array {
  let t = factKindTables.get(language);
  if (!t) {
    t = new Uint8Array(65536);
    const kinds: [string, FactKind][] = [
      ['import_statement', FactKind.Import], ['import_from_statement', FactKind.Import], ['assignment', FactKind.Assign],
      ['call', FactKind.Call], ['attribute', FactKind.Attribute], ['class_definition', FactKind.Class],
    ];
    for (const [name, kind] of kinds) for (const id of typeIds(language, name)) t[id] = kind;
    factKindTables.set(language, t);
  }
  return t;
}

/** Reads the facts off a flat copy of the region's tree (parser/flatTree.ts): no node objects, text sliced from the region. */
class Extractor {
  readonly facts: RegionFacts = { imports: [], assigns: [], calls: [], attrs: [], classes: [] };
  private readonly f: PythonFields;
  private readonly sites = new Map<number, CallSite | undefined>();
  constructor(private readonly region: Region, private readonly t: FlatTree) {
    this.f = pythonFields(t.language);
  }

  span(n: number): Span {
    return new AnchoredSpan(this.region, this.t.start[n]!, this.t.end[n]!);
  }

  private type(n: number): string {
    return this.t.typeName(n);
  }

  private text(n: number): string {
    return this.t.nodeText(n);
  }

  private child(n: number, field: number): number {
    return this.t.childByField(n, field);
  }

  run(): RegionFacts {
    const t = this.t;
    const kinds = factKinds(t.language);
    const type = t.type;
    for (let i = 0; i < t.count; i++) {
      switch (kinds[type[i]!]) {
        case FactKind.Import:
          this.importFact(i);
          break;
        case FactKind.Assign:
          this.assignFact(i);
          break;
        case FactKind.Call:
          this.callFact(i);
          break;
        case FactKind.Attribute:
          this.attrFact(i);
          break;
        case FactKind.Class:
          this.classFact(i);
          break;
      }
    }
    return this.facts;
  }

  importFact(n: number): void {
    const f = this.f;
    if (this.type(n) === 'import_statement') {
      for (const child of this.t.namedChildren(n)) {
        const aliased = this.type(child) === 'aliased_import';
        const nameNode = aliased ? this.child(child, f.name) : child;
        const aliasNode = aliased ? this.child(child, f.alias) : -1;
        const alias = aliasNode >= 0 ? this.text(aliasNode) : undefined;
        if (nameNode < 0) continue;
        const module = this.text(nameNode);
        this.facts.imports.push({
          module,
          binding: bindingOf(module),
          span: this.span(n),
          moduleSpan: this.span(nameNode),
          boundName: alias ?? module.split('.')[0],
          names: [],
          star: false,
        });
      }
      return;
    }
    const moduleNode = this.child(n, f.moduleName);
    if (moduleNode < 0) return;
    const module = this.text(moduleNode);
    const info: ImportInfo = { module, binding: bindingOf(module), span: this.span(n), moduleSpan: this.span(moduleNode), names: [], star: false };
    for (const child of this.t.childrenByField(n, f.name)) {
      if (this.type(child) === 'aliased_import') {
        const name = this.child(child, f.name);
        const alias = this.child(child, f.alias);
        if (name >= 0) info.names.push({ name: this.text(name), asName: alias >= 0 ? this.text(alias) : this.text(name), span: this.span(child) });
      } else {
        info.names.push({ name: this.text(child), asName: this.text(child), span: this.span(child) });
      }
    }
    if (this.t.namedChildren(n).some((c) => this.type(c) === 'wildcard_import')) info.star = true;
    this.facts.imports.push(info);
  }

  assignFact(n: number): void {
    const left = this.child(n, this.f.left);
    const right = this.child(n, this.f.right);
    if (left < 0 || right < 0) return;
    const parent = this.t.parent[n]!;
    const stmt = parent >= 0 && this.type(parent) === 'expression_statement' ? parent : n;
    this.facts.assigns.push({ target: this.expr(left), value: this.expr(right), statementSpan: this.span(stmt) });
  }

  /**
   * A call's site, read once per node: a call is met by the walk and again inside the expression that holds it
   * (an assignment's value, another call's argument), and both read the same object (facts are never changed).
   */
  callSite(n: number): CallSite | undefined {
    if (this.sites.has(n)) return this.sites.get(n);
    const site = this.readCallSite(n);
    this.sites.set(n, site);
    return site;
  }

  private readCallSite(n: number): CallSite | undefined {
    const f = this.f;
    const fn = this.child(n, f.function);
    const argsNode = this.child(n, f.arguments);
    if (fn < 0 || argsNode < 0) return undefined;
    const args: Expr[] = [];
    const keywords: Keyword[] = [];
    if (this.type(argsNode) === 'argument_list') {
      for (const a of this.t.namedChildren(argsNode)) {
        const type = this.type(a);
        if (type === 'comment') continue;
        if (type === 'keyword_argument') {
          const name = this.child(a, f.name);
          const value = this.child(a, f.value);
          if (name >= 0 && value >= 0) keywords.push({ name: this.text(name), nameSpan: this.span(name), value: this.expr(value) });
        } else {
          args.push(this.expr(a));
        }
      }
    } else {
      args.push(this.expr(argsNode)); // generator expression argument
    }
    let parent = this.t.parent[n]!;
    while (parent >= 0 && this.type(parent) === 'parenthesized_expression') parent = this.t.parent[parent]!;
    const resultUsed = !(parent >= 0 && this.type(parent) === 'expression_statement');
    return { span: this.span(n), calleeSpan: this.span(fn), args, keywords, resultUsed };
  }

  callFact(n: number): void {
    const call = this.callSite(n);
    const fn = this.child(n, this.f.function);
    if (!call || fn < 0) return;
    const calleeExpr = this.expr(fn, 2);
    const callee = calleeExpr.k === 'name' || calleeExpr.k === 'dotted' ? calleeExpr.text : '';
    this.facts.calls.push({ callee, calleeExpr, call });
  }

  attrFact(n: number): void {
    const obj = this.child(n, this.f.object);
    const attr = this.child(n, this.f.attribute);
    if (obj < 0 || attr < 0 || !this.isDotted(obj)) return;
    this.facts.attrs.push({ object: this.text(obj), attr: this.text(attr), span: this.span(n), attrSpan: this.span(attr) });
  }

  classFact(n: number): void {
    const f = this.f;
    const name = this.child(n, f.name);
    const body = this.child(n, f.body);
    if (name < 0 || body < 0) return;
    const bases: string[] = [];
    const supers = this.child(n, f.superclasses);
    if (supers >= 0) for (const b of this.t.namedChildren(supers)) if (this.isDotted(b)) bases.push(this.text(b));
    const fact: ClassFact = { name: this.text(name), nameSpan: this.span(name), span: this.span(n), bases, assigns: [], hasBehaviour: false };
    const t = this.t;
    let first = -1;
    // the body's named children, walked in place (no arrays of them)
    for (let stmt = body + 1, end = t.after[body]!; stmt < end; stmt = t.after[stmt]!) {
      if (!t.isNamed(stmt)) continue;
      if (first < 0) first = stmt;
      const type = this.type(stmt);
      if (type === 'comment' || type === 'pass_statement') continue;
      const inner = type === 'expression_statement' ? this.firstNamedChild(stmt) : -1;
      const innerType = inner >= 0 ? this.type(inner) : '';
      if (innerType === 'assignment') {
        const l = this.child(inner, f.left);
        const r = this.child(inner, f.right);
        if (l >= 0 && this.type(l) === 'identifier' && r >= 0) {
          fact.assigns.push({ name: this.text(l), nameSpan: this.span(l), value: this.expr(r), statementSpan: this.span(stmt) });
          continue;
        }
      }
      if (innerType === 'string' && stmt === first) continue; // docstring
      fact.hasBehaviour = true;
    }
    this.facts.classes.push(fact);
  }

  /** Summarises an expression; `depth` bounds recursion into nested calls and containers. */
  expr(n: number, depth = 6): Expr {
    const f = this.f;
    const span = this.span(n);
    const text = this.text(n);
    const type = this.type(n);
    switch (type) {
      case 'identifier':
        return { k: 'name', span, text };
      case 'attribute': {
        const obj = this.child(n, f.object);
        const attr = this.child(n, f.attribute);
        if (obj < 0 || attr < 0) break;
        const object = this.expr(obj, depth - 1);
        const dotted = object.k === 'name' || object.k === 'dotted';
        return { k: dotted ? 'dotted' : 'attr', span, text, object, attr: this.text(attr), attrSpan: this.span(attr) };
      }
      case 'call': {
        if (depth <= 0) break;
        const fn = this.child(n, f.function);
        const site = this.callSite(n);
        if (fn < 0 || !site) break;
        return { k: 'call', span, text, callee: this.expr(fn, depth - 1), args: depth > 1 ? site.args : [], keywords: site.keywords };
      }
      case 'binary_operator': {
        const l = this.child(n, f.left);
        const r = this.child(n, f.right);
        const op = this.child(n, f.operator);
        if (l < 0 || r < 0 || op < 0) break;
        return { k: 'binop', span, text, op: this.text(op), left: this.expr(l, depth - 1), right: this.expr(r, depth - 1) };
      }
      case 'list':
      case 'tuple':
      case 'expression_list': {
        const items: Expr[] = [];
        const t = this.t;
        // the named children, walked in place (no array of them)
        if (depth > 0) for (let c = n + 1, end = t.after[n]!; c < end; c = t.after[c]!) if (t.isNamed(c) && this.type(c) !== 'comment') items.push(this.expr(c, depth - 1));
        return { k: type === 'list' ? 'list' : 'tuple', span, text, items };
      }
      case 'parenthesized_expression': {
        const inner = this.t.namedChildren(n).find((c) => this.type(c) !== 'comment');
        return inner !== undefined ? this.expr(inner, depth) : { k: 'other', span, text, type };
      }
      case 'string':
      case 'concatenated_string': {
        if (type === 'string') {
          // one literal: its text, start and span are the expression's own
          return { k: 'str', span, text, value: decodeValue([{ text, start: this.t.start[n]! }]), bytes: bytesPrefix(text), parts: [span] };
        }
        const parts = this.t.namedChildren(n).filter((c) => this.type(c) === 'string');
        const bytes = parts.length > 0 && bytesPrefix(this.text(parts[0]!));
        const value = decodeValue(parts.map((p) => ({ text: this.text(p), start: this.t.start[p]! })));
        return { k: 'str', span, text, value, bytes, parts: parts.map((p) => this.span(p)) };
      }
      case 'integer':
      case 'float': {
        const value = Number(text.replace(/_/g, ''));
        return { k: 'num', span, text, value: Number.isNaN(value) ? parseInt(text, 0) : value };
      }
      case 'unary_operator': {
        const value = Number(text.replace(/[\s_]/g, ''));
        if (!Number.isNaN(value)) return { k: 'num', span, text, value };
        break;
      }
      case 'none':
        return { k: 'none', span, text };
      case 'true':
        return { k: 'true', span, text };
      case 'false':
        return { k: 'false', span, text };
      case 'subscript': {
        const value = this.child(n, f.value);
        const index = this.child(n, f.subscript);
        if (value < 0 || index < 0) break;
        return { k: 'subscript', span, text, value: this.expr(value, depth - 1), index: this.expr(index, depth - 1) };
      }
    }
    return { k: 'other', span, text, type };
  }

  private firstNamedChild(n: number): number {
    const t = this.t;
    for (let c = n + 1, end = t.after[n]!; c < end; c = t.after[c]!) if (t.isNamed(c)) return c;
    return -1;
  }

  private isDotted(n: number): boolean {
    const type = this.type(n);
    if (type === 'identifier') return true;
    if (type !== 'attribute') return false;
    const obj = this.child(n, this.f.object);
    return obj >= 0 && this.isDotted(obj);
  }
}

/** The facts of a region, from its cache or from one walk of its tree. */
export function regionFacts(region: Region): RegionFacts {
  const cached = region.cache as { facts?: RegionFacts } | undefined;
  if (cached?.facts) return cached.facts;
  const facts = new Extractor(region, flatTreeOf(region)).run();
  region.cache = { ...((region.cache as object | undefined) ?? {}), facts };
  return facts;
}
