import type { Language, Tree } from 'web-tree-sitter';
import { flatten, type FlatTree } from '../../parser/flatTree';
import { pythonFields, type PythonFields } from '../../parser/pythonFields';
import type { Anchor } from '../spans';
import { decodeParts } from '../stringLiteral';

/**
 * A small, plain-JS syntax tree of the Python statements the workspace evaluator reads (imports,
 * assignments, calls, defs, classes, loops, branches). Lowered once per parse region (or per indexed file)
 * so that the tree-sitter tree can be freed; offsets are relative to the statement's anchor.
 */
export type PExpr =
  | { t: 'name'; id: string; s: number; e: number }
  | { t: 'attr'; obj: PExpr; attr: string; s: number; e: number }
  | { t: 'call'; fn: PExpr; args: PExpr[]; kw: { name: string; value: PExpr }[]; s: number; e: number }
  | { t: 'sub'; obj: PExpr; index: PExpr; s: number; e: number }
  | { t: 'str'; v: string; s: number; e: number }
  | { t: 'num'; v: number; s: number; e: number }
  | { t: 'const'; v: 'None' | 'True' | 'False'; s: number; e: number }
  | { t: 'seq'; kind: 'list' | 'tuple' | 'set'; items: PExpr[]; s: number; e: number }
  | { t: 'dict'; keys: PExpr[]; values: PExpr[]; s: number; e: number }
  | { t: 'bin'; op: string; l: PExpr; r: PExpr; s: number; e: number }
  | { t: 'or' | 'and'; l: PExpr; r: PExpr; s: number; e: number }
  | { t: 'cond'; body: PExpr; orelse: PExpr; s: number; e: number }
  | { t: 'star'; value: PExpr; s: number; e: number }
  | { t: 'other'; s: number; e: number };

export interface PParam {
  name: string;
  kind: 'pos' | 'star' | 'dstar';
  default?: PExpr;
}

export type PStmt =
  | { t: 'import'; module: string; asName?: string; s: number; e: number }
  | { t: 'from'; module: string; level: number; names: { name: string; asName: string; s: number; e: number }[]; star: boolean; s: number; e: number }
  | { t: 'assign'; targets: PExpr[]; value: PExpr; s: number; e: number }
  | { t: 'expr'; value: PExpr; s: number; e: number }
  | { t: 'def'; name: string; params: PParam[]; body: PStmt[]; generator: boolean; anchor: Anchor; s: number; e: number }
  | { t: 'class'; name: string; bases: PExpr[]; body: PStmt[]; anchor: Anchor; s: number; e: number }
  | { t: 'for'; target: PExpr; iter: PExpr; body: PStmt[]; orelse: PStmt[]; s: number; e: number }
  | { t: 'branches'; blocks: PStmt[][]; s: number; e: number }
  | { t: 'return'; value?: PExpr; s: number; e: number }
  | { t: 'yield'; value?: PExpr; s: number; e: number }
  | { t: 'global'; names: string[]; s: number; e: number };

/** A top-level statement with the anchor its offsets are relative to. */
export interface TopStmt {
  stmt: PStmt;
  anchor: Anchor;
}

const MAX_DEPTH = 40;


/**
 * Where a lowered statement or def body starts: a parse region (or the file) and an offset in it. Offsets inside
 * are relative to that start, so a statement that only moved (text before it in its region changed) is equal to
 * its old lowering, and keeping the old one needs only `rel` updated (`patchStatements`).
 */
export class StmtAnchor implements Anchor {
  constructor(public region: Anchor, public rel: number) {}
  get offset(): number {
    return this.region.offset + this.rel;
  }
}

/**
 * What a def lowers to apart from its name, extent and anchor: a function of the def's text alone when its body holds
 * no def or class (their anchors are region offsets), since every offset in it is relative to the def's start.
 */
interface LoweredDef {
  depth: number;
  params: PParam[];
  body: PStmt[];
  generator: boolean;
}

/**
 * The lowered defs of a region's last lowering by their text (`last`), given to the next lowering of the same region,
 * which takes a def of the same text from it (its params and body arrays, shared: lowered statements are never
 * changed in place, `patchStatements` replaces a def's arrays) and records what it lowered in `next`. A keystroke in
 * one method of a 115 KB class then lowers that method, and `patchStatements` finds the others equal by identity.
 * Only for a region without a syntax error (the text alone then decides a def's subtree).
 */
export interface DefReuse {
  last?: Map<string, LoweredDef>;
  next: Map<string, LoweredDef>;
}

/** Lowers from a flat copy of the tree (parser/flatTree.ts); node -1 stands for "none". */
class Lowering {
  private readonly f: PythonFields;
  /** The anchor of the statement or def body being lowered, and its start in the region (offsets are relative to it). */
  anchor: StmtAnchor;
  base = 0;
  /** Defs and classes lowered so far (a def whose body made none can be reused by its text). */
  private scopes = 0;
  constructor(readonly region: Anchor, private readonly t: FlatTree, private readonly defs?: DefReuse) {
    this.f = pythonFields(t.language);
    this.anchor = new StmtAnchor(region, 0);
  }

  private st(n: number): number {
    return this.t.start[n]! - this.base;
  }

  private en(n: number): number {
    return this.t.end[n]! - this.base;
  }

  private type(n: number): string {
    return this.t.typeName(n);
  }

  private text(n: number): string {
    return this.t.nodeText(n);
  }

  private child(n: number, field: number): number {
    return n < 0 ? -1 : this.t.childByField(n, field);
  }

  private firstNamed(n: number): number {
    return this.t.namedChildren(n)[0] ?? -1;
  }

  block(n: number, depth: number): PStmt[] {
    const out: PStmt[] = [];
    if (n < 0 || depth > MAX_DEPTH) return out;
    for (const c of this.t.namedChildren(n)) this.stmt(c, out, depth);
    return out;
  }

  stmt(n: number, out: PStmt[], depth: number): void {
    const { t, f } = this;
    const s = this.st(n);
    const e = this.en(n);
    const type = this.type(n);
    switch (type) {
      case 'import_statement':
        for (const c of t.namedChildren(n)) {
          if (this.type(c) === 'aliased_import') {
            const name = this.child(c, f.name);
            const alias = this.child(c, f.alias);
            if (name >= 0) out.push({ t: 'import', module: this.text(name), asName: alias >= 0 ? this.text(alias) : undefined, s, e });
          } else out.push({ t: 'import', module: this.text(c), s, e });
        }
        return;
      case 'import_from_statement':
      case 'future_import_statement': {
        if (type === 'future_import_statement') return;
        const m = this.child(n, f.moduleName);
        if (m < 0) return;
        let level = 0;
        let module = this.text(m);
        if (this.type(m) === 'relative_import') {
          const mc = t.namedChildren(m);
          const prefix = mc.find((c) => this.type(c) === 'import_prefix');
          level = prefix !== undefined ? this.text(prefix).length : 0;
          const dotted = mc.find((c) => this.type(c) === 'dotted_name');
          module = dotted !== undefined ? this.text(dotted) : '';
        }
        const names: { name: string; asName: string; s: number; e: number }[] = [];
        for (const c of t.childrenByField(n, f.name)) {
          if (this.type(c) === 'aliased_import') {
            const nameNode = this.child(c, f.name);
            if (nameNode >= 0) {
              const name = this.text(nameNode);
              const alias = this.child(c, f.alias);
              names.push({ name, asName: alias >= 0 ? this.text(alias) : name, s: this.st(c), e: this.en(c) });
            }
          } else names.push({ name: this.text(c), asName: this.text(c), s: this.st(c), e: this.en(c) });
        }
        out.push({ t: 'from', module, level, names, star: t.namedChildren(n).some((c) => this.type(c) === 'wildcard_import'), s, e });
        return;
      }
      case 'expression_statement': {
        const inner = this.firstNamed(n);
        if (inner < 0) return;
        const innerType = this.type(inner);
        if (innerType === 'assignment') {
          const targets: PExpr[] = [];
          let cur = inner;
          while (cur >= 0 && this.type(cur) === 'assignment') {
            const left = this.child(cur, f.left);
            if (left >= 0) targets.push(this.expr(left, depth));
            cur = this.child(cur, f.right);
          }
          if (cur >= 0 && targets.length) out.push({ t: 'assign', targets, value: this.expr(cur, depth), s, e });
          return;
        }
        if (innerType === 'yield') {
          const v = this.firstNamed(inner);
          out.push({ t: 'yield', value: v >= 0 ? this.expr(v, depth) : undefined, s, e });
          return;
        }
        out.push({ t: 'expr', value: this.expr(inner, depth), s, e });
        return;
      }
      case 'decorated_definition': {
        const def = this.child(n, f.definition);
        if (def >= 0) this.stmt(def, out, depth);
        return;
      }
      case 'function_definition': {
        const nameNode = this.child(n, f.name);
        if (nameNode < 0) return;
        const name = this.text(nameNode);
        if (!name) return;
        this.scopes++;
        // the parameters (their defaults are evaluated at call time) and the body are relative to the def's own start
        const anchor = new StmtAnchor(this.region, t.start[n]!);
        const key = this.defs ? this.text(n) : undefined;
        const known = key !== undefined ? this.defs!.last?.get(key) : undefined;
        if (known && known.depth === depth) {
          this.defs!.next.set(key!, known);
          out.push({ t: 'def', name, params: known.params, body: known.body, generator: known.generator, anchor, s, e });
          return;
        }
        const scopes = this.scopes;
        const outer = { anchor: this.anchor, base: this.base };
        this.base = t.start[n]!;
        this.anchor = anchor;
        const params: PParam[] = [];
        const plist = this.child(n, f.parameters);
        for (const p of plist >= 0 ? t.namedChildren(plist) : []) {
          const pType = this.type(p);
          if (pType === 'identifier') params.push({ name: this.text(p), kind: 'pos' });
          else if (pType === 'default_parameter' || pType === 'typed_default_parameter') {
            const pn = this.child(p, f.name);
            const v = this.child(p, f.value);
            if (pn >= 0) params.push({ name: this.text(pn), kind: 'pos', default: v >= 0 ? this.expr(v, depth) : undefined });
          } else if (pType === 'typed_parameter') {
            const pc = t.namedChildren(p);
            const id = pc.find((c) => this.type(c) === 'identifier');
            const sp = pc.find((c) => this.type(c) === 'list_splat_pattern' || this.type(c) === 'dictionary_splat_pattern');
            if (sp !== undefined) params.push({ name: this.firstNamedText(sp), kind: this.type(sp) === 'list_splat_pattern' ? 'star' : 'dstar' });
            else if (id !== undefined) params.push({ name: this.text(id), kind: 'pos' });
          } else if (pType === 'list_splat_pattern') params.push({ name: this.firstNamedText(p), kind: 'star' });
          else if (pType === 'dictionary_splat_pattern') params.push({ name: this.firstNamedText(p), kind: 'dstar' });
        }
        const body = this.child(n, f.body);
        const text = body >= 0 ? this.text(body) : '';
        const block = this.block(body, depth + 1);
        this.anchor = outer.anchor;
        this.base = outer.base;
        const generator = /\byield\b/.test(text);
        if (key !== undefined && this.scopes === scopes) this.defs!.next.set(key, { depth, params, body: block, generator });
        out.push({ t: 'def', name, params, body: block, generator, anchor, s, e });
        return;
      }
      case 'class_definition': {
        this.scopes++;
        const nameNode = this.child(n, f.name);
        if (nameNode < 0) return;
        const name = this.text(nameNode);
        if (!name) return;
        const bases: PExpr[] = [];
        const supers = this.child(n, f.superclasses);
        for (const b of supers >= 0 ? t.namedChildren(supers) : []) if (this.type(b) !== 'keyword_argument') bases.push(this.expr(b, depth));
        out.push({ t: 'class', name, bases, body: this.block(this.child(n, f.body), depth + 1), anchor: this.anchor, s, e });
        return;
      }
      case 'for_statement': {
        const left = this.child(n, f.left);
        const right = this.child(n, f.right);
        if (left < 0 || right < 0) return;
        const orelse = this.child(n, f.alternative);
        out.push({ t: 'for', target: this.expr(left, depth), iter: this.expr(right, depth), body: this.block(this.child(n, f.body), depth + 1), orelse: this.block(this.child(orelse, f.body), depth + 1), s, e });
        return;
      }
      case 'if_statement': {
        const blocks: PStmt[][] = [this.block(this.child(n, f.consequence), depth + 1)];
        for (const alt of t.childrenByField(n, f.alternative)) {
          const consequence = this.child(alt, f.consequence);
          blocks.push(this.block(consequence >= 0 ? consequence : this.child(alt, f.body), depth + 1));
        }
        out.push({ t: 'branches', blocks, s, e });
        return;
      }
      case 'try_statement': {
        const blocks: PStmt[][] = [this.block(this.child(n, f.body), depth + 1)];
        for (const c of t.namedChildren(n)) {
          const cType = this.type(c);
          if (cType === 'except_clause' || cType === 'except_group_clause') {
            blocks.push(this.block(t.namedChildren(c).find((x) => this.type(x) === 'block') ?? -1, depth + 1));
          } else if (cType === 'else_clause' || cType === 'finally_clause') {
            const body = this.child(c, f.body);
            blocks.push(this.block(body >= 0 ? body : (t.namedChildren(c).find((x) => this.type(x) === 'block') ?? -1), depth + 1));
          }
        }
        // the body, a handler and else/finally all run in some execution: read in order, as one block each
        out.push({ t: 'branches', blocks, s, e });
        return;
      }
      case 'with_statement':
      case 'while_statement': {
        out.push({ t: 'branches', blocks: [this.block(this.child(n, f.body), depth + 1)], s, e });
        return;
      }
      case 'return_statement': {
        const v = this.firstNamed(n);
        out.push({ t: 'return', value: v >= 0 ? this.expr(v, depth) : undefined, s, e });
        return;
      }
      case 'global_statement':
        out.push({ t: 'global', names: t.namedChildren(n).flatMap((c) => (this.type(c) === 'identifier' ? [this.text(c)] : [])), s, e });
        return;
    }
  }

  private firstNamedText(n: number): string {
    const c = this.firstNamed(n);
    return c >= 0 ? this.text(c) : '';
  }

  expr(n: number, depth: number): PExpr {
    const { t, f } = this;
    const s = this.st(n);
    const e = this.en(n);
    if (depth > MAX_DEPTH) return { t: 'other', s, e };
    const d = depth + 1;
    const type = this.type(n);
    switch (type) {
      case 'identifier':
        return { t: 'name', id: this.text(n), s, e };
      case 'attribute': {
        const obj = this.child(n, f.object);
        const attr = this.child(n, f.attribute);
        if (obj >= 0 && attr >= 0) return { t: 'attr', obj: this.expr(obj, d), attr: this.text(attr), s, e };
        break;
      }
      case 'call': {
        const fn = this.child(n, f.function);
        const argsNode = this.child(n, f.arguments);
        if (fn < 0 || argsNode < 0) break;
        const args: PExpr[] = [];
        const kw: { name: string; value: PExpr }[] = [];
        if (this.type(argsNode) === 'argument_list') {
          for (const a of t.namedChildren(argsNode)) {
            const aType = this.type(a);
            if (aType === 'comment') continue;
            if (aType === 'keyword_argument') {
              const name = this.child(a, f.name);
              const value = this.child(a, f.value);
              if (name >= 0 && value >= 0) kw.push({ name: this.text(name), value: this.expr(value, d) });
            } else if (aType === 'list_splat' || aType === 'dictionary_splat') {
              const inner = this.firstNamed(a);
              args.push({ t: 'star', value: inner >= 0 ? this.expr(inner, d) : { t: 'other', s, e }, s: this.st(a), e: this.en(a) });
            } else args.push(this.expr(a, d));
          }
        }
        return { t: 'call', fn: this.expr(fn, d), args, kw, s, e };
      }
      case 'subscript': {
        const value = this.child(n, f.value);
        const index = this.child(n, f.subscript);
        if (value >= 0 && index >= 0) return { t: 'sub', obj: this.expr(value, d), index: this.expr(index, d), s, e };
        break;
      }
      case 'string':
      case 'concatenated_string': {
        const parts = type === 'string' ? [n] : t.namedChildren(n).filter((c) => this.type(c) === 'string');
        if (parts.some((p) => t.namedChildren(p).some((c) => this.type(c) === 'interpolation'))) break;
        const decoded = decodeParts(parts.map((p) => ({ text: this.text(p), start: this.st(p) })));
        return { t: 'str', v: decoded.value, s, e };
      }
      case 'integer':
      case 'float': {
        const text = this.text(n);
        const v = Number(text.replace(/_/g, ''));
        return { t: 'num', v: Number.isNaN(v) ? parseInt(text, 0) : v, s, e };
      }
      case 'unary_operator': {
        const v = Number(this.text(n).replace(/[\s_]/g, ''));
        if (!Number.isNaN(v)) return { t: 'num', v, s, e };
        break;
      }
      case 'none':
        return { t: 'const', v: 'None', s, e };
      case 'true':
        return { t: 'const', v: 'True', s, e };
      case 'false':
        return { t: 'const', v: 'False', s, e };
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list':
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern': {
        const items: PExpr[] = [];
        for (const c of t.namedChildren(n)) if (this.type(c) !== 'comment') items.push(this.expr(c, d));
        return { t: 'seq', kind: type === 'list' || type === 'list_pattern' ? 'list' : type === 'set' ? 'set' : 'tuple', items, s, e };
      }
      case 'dictionary': {
        const keys: PExpr[] = [];
        const values: PExpr[] = [];
        for (const c of t.namedChildren(n)) {
          if (this.type(c) !== 'pair') continue;
          const k = this.child(c, f.key);
          const v = this.child(c, f.value);
          if (k >= 0 && v >= 0) {
            keys.push(this.expr(k, d));
            values.push(this.expr(v, d));
          }
        }
        return { t: 'dict', keys, values, s, e };
      }
      case 'parenthesized_expression': {
        const inner = t.namedChildren(n).find((c) => this.type(c) !== 'comment');
        if (inner !== undefined) return this.expr(inner, depth);
        break;
      }
      case 'binary_operator': {
        const l = this.child(n, f.left);
        const r = this.child(n, f.right);
        const op = this.child(n, f.operator);
        if (l >= 0 && r >= 0 && op >= 0) return { t: 'bin', op: this.text(op), l: this.expr(l, d), r: this.expr(r, d), s, e };
        break;
      }
      case 'boolean_operator': {
        const l = this.child(n, f.left);
        const r = this.child(n, f.right);
        const opNode = this.child(n, f.operator);
        const op = opNode >= 0 ? this.text(opNode) : undefined;
        if (l >= 0 && r >= 0 && (op === 'or' || op === 'and')) return { t: op, l: this.expr(l, d), r: this.expr(r, d), s, e };
        break;
      }
      case 'conditional_expression': {
        const [body, , orelse] = t.namedChildren(n);
        if (body !== undefined && orelse !== undefined) return { t: 'cond', body: this.expr(body, d), orelse: this.expr(orelse, d), s, e };
        break;
      }
      case 'list_splat': {
        const inner = this.firstNamed(n);
        if (inner >= 0) return { t: 'star', value: this.expr(inner, d), s, e };
        break;
      }
    }
    return { t: 'other', s, e };
  }
}

/** Lowers the top-level statements of a module tree (or a parse region's tree, parsed from `text`) anchored at `anchor`. */
export function lowerModule(tree: Tree, text: string, anchor: Anchor): TopStmt[] {
  return lowerFlat(flatten(tree, text), anchor);
}

/** The same from a flat copy of the tree; `defs`: the defs of the region's last lowering, by text (`DefReuse`). */
export function lowerFlat(flat: FlatTree, anchor: Anchor, defs?: DefReuse): TopStmt[] {
  const l = new Lowering(anchor, flat, defs);
  const out: TopStmt[] = [];
  const stmts: PStmt[] = [];
  for (const c of flat.namedChildren(0)) {
    // each top-level statement has its own anchor (an import line lowers to one statement per name, sharing it)
    l.base = flat.start[c]!;
    l.anchor = new StmtAnchor(anchor, l.base);
    l.stmt(c, stmts, 0);
    for (const stmt of stmts) out.push({ stmt, anchor: l.anchor });
    stmts.length = 0;
  }
  return out;
}

type DefStmt = Extract<PStmt, { t: 'def' }>;

/** What `patchStatements` found: the defs whose bodies changed (and the defs nested in their old bodies). */
export interface StatementPatch {
  changed: Set<object>;
  /** Defs renamed (a module-level def, or a method of `cls`), already under their new name. */
  renames: Rename[];
  /** Fresh top-level statements replaced by the old ones they equal (for the regions' caches). */
  replaced: Map<TopStmt, TopStmt>;
}

/**
 * Keeps the previous lowering's objects (which evaluations hold: values name their defs) where a fresh lowering
 * of the same statements equals it: anchors are moved to the fresh positions, and a def whose name is the same
 * but whose parameters or body changed gets the fresh ones in place. Undefined (nothing changed) when the
 * statements differ otherwise: another count, a statement or class member of another kind, a renamed def,
 * any other difference outside def bodies.
 */
export function patchStatements(old: TopStmt[], fresh: TopStmt[]): StatementPatch | undefined {
  if (old.length !== fresh.length) return undefined;
  const ops: PatchOps = { anchors: [], defs: [], classes: [], renames: [], moved: [] };
  const replaced = new Map<TopStmt, TopStmt>();
  for (let i = 0; i < old.length; i++) {
    const a = old[i]!;
    const b = fresh[i]!;
    if (a === b) continue;
    if (!(a.anchor instanceof StmtAnchor) || !(b.anchor instanceof StmtAnchor) || !patchable(a.stmt, b.stmt, ops)) return undefined;
    ops.anchors.push([a.anchor, b.anchor]);
    replaced.set(b, a);
  }
  for (const [a, b] of ops.anchors) {
    a.region = b.region;
    a.rel = b.rel;
  }
  const changed = new Set<object>();
  for (const [a, b] of ops.defs) {
    changed.add(a);
    nestedDefs(a.body, changed);
    a.params = b.params;
    a.body = b.body;
    a.generator = b.generator;
    a.s = b.s;
    a.e = b.e;
  }
  for (const [a, b] of [...ops.classes, ...ops.moved]) {
    a.s = b.s;
    a.e = b.e;
  }
  for (const r of ops.renames) r.def.name = r.to;
  return { changed, replaced, renames: ops.renames };
}

export interface Rename {
  def: DefStmt;
  from: string;
  to: string;
  cls?: Extract<PStmt, { t: 'class' }>;
}

interface PatchOps {
  anchors: [StmtAnchor, StmtAnchor][];
  defs: [DefStmt, DefStmt][];
  classes: [Extract<PStmt, { t: 'class' }>, Extract<PStmt, { t: 'class' }>][];
  renames: Rename[];
  moved: [DefStmt, DefStmt][];
}

function nestedDefs(stmts: PStmt[], out: Set<object>): void {
  for (const s of stmts) {
    if (s.t === 'def') {
      out.add(s);
      nestedDefs(s.body, out);
    } else if (s.t === 'class') nestedDefs(s.body, out);
    else if (s.t === 'branches') for (const b of s.blocks) nestedDefs(b, out);
    else if (s.t === 'for') nestedDefs([...s.body, ...s.orelse], out);
  }
}

function patchable(a: PStmt, b: PStmt, ops: PatchOps, cls?: Extract<PStmt, { t: 'class' }>): boolean {
  if (a.t !== b.t) return false;
  if (a.t === 'def' && b.t === 'def') {
    if (!(a.anchor instanceof StmtAnchor) || !(b.anchor instanceof StmtAnchor)) return false;
    if (a.name !== b.name) ops.renames.push({ def: a, from: a.name, to: b.name, cls });
    ops.anchors.push([a.anchor, b.anchor]);
    const inner: PatchOps = { anchors: [], defs: [], classes: [], renames: [], moved: [] };
    // its extent is no part of what the evaluator reads (a def after an edited one in a class only moved)
    if (a.generator === b.generator && same(a.params, b.params, inner) && same(a.body, b.body, inner)) {
      ops.anchors.push(...inner.anchors);
      ops.moved.push([a, b]);
      return true;
    }
    ops.defs.push([a, b]);
    return true;
  }
  if (a.t === 'class' && b.t === 'class') {
    if (a.name !== b.name || a.anchor !== b.anchor && !sameAnchorKind(a.anchor, b.anchor, ops) || !same(a.bases, b.bases, ops) || a.body.length !== b.body.length) return false;
    for (let i = 0; i < a.body.length; i++) if (!patchable(a.body[i]!, b.body[i]!, ops, a)) return false;
    // the class's extent may change with a member's; class-level statements after a changed member shift, and differ
    ops.classes.push([a, b]);
    return true;
  }
  return same(a, b, ops);
}

function sameAnchorKind(a: unknown, b: unknown, ops: PatchOps): boolean {
  if (a instanceof StmtAnchor && b instanceof StmtAnchor) {
    ops.anchors.push([a, b]);
    return true;
  }
  return false;
}

/** Deep equality of lowered statements or expressions; anchors are paired (to be moved), not compared. */
function same(a: unknown, b: unknown, ops: PatchOps): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof StmtAnchor || b instanceof StmtAnchor) return sameAnchorKind(a, b, ops);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i], ops)) return false;
    return true;
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], ops)) return false;
  return true;
}
