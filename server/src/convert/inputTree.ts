/**
 * The converter's input: one parse of the (desugared) text and its flat copy (parser/flatTree.ts), shared by
 * desugar.ts, readCtypes.ts and every round of the rewrite. The readers scan the flat copy; a `Node` is made
 * only for what the rewrite holds on to (a declaration's statement, its value), through its parent's children,
 * and kept for the next round.
 */
import type { Language, Node, Tree } from 'web-tree-sitter';
import { type FlatTree, fieldId, flatten } from '../parser/flatTree';
import { pythonFields, type PythonFields } from '../parser/pythonFields';
import { decodeStringParts } from './syntax';


export interface FlatCall {
  callee: number;
  args: number[];
  keywords: Map<string, number>;
  splat: boolean;
}

export class InputTree {
  readonly flat: FlatTree;
  readonly root: Node;
  readonly f: PythonFields;
  /** Type names by type id, and node type names per flat node read through it. */
  private readonly types: readonly string[];
  /** Nodes made so far, by flat index (kept across rounds: the tree does not change). */
  private readonly nodes: (InputNode | undefined)[];
  /** `dotted` by flat index (null: not a dotted name), filled as asked. */
  private readonly dottedNames: (string | null | undefined)[];
  /** keyAt by flat index, filled as asked (the render, the plan and the kinds ask it of the same nodes again and again). */
  private readonly keys: (string | undefined)[];
  /** Line starts of the text, made when a node's `startPosition` is first asked. */
  private lineStarts: number[] | undefined;
  private readonly byTypes = new Map<string, Node[]>();
  private identifiers: Map<string, number[]> | undefined;
  private readonly identifierNodes = new Map<string, Node[]>();
  private readonly childLists = new Map<number, Uint32Array>();

  constructor(readonly text: string, readonly tree: Tree, flat?: FlatTree) {
    this.flat = flat ?? flatten(tree, text);
    this.f = pythonFields(tree.language);
    this.types = tree.language.types;
    this.nodes = new Array(this.flat.count);
    this.dottedNames = new Array(this.flat.count);
    this.keys = new Array(this.flat.count);
    this.root = this.node(0);
  }

  /** Parses `text` (the caller deletes `tree` when done). */
  static parse(parser: { parse(text: string): Tree | null }, text: string): InputTree {
    const tree = parser.parse(text);
    if (!tree) throw new Error('tree-sitter returned no tree');
    return new InputTree(text, tree);
  }

  get count(): number {
    return this.flat.count;
  }

  /** All children of `i` (named or not) in order, kept: InputNode.descendantForIndex's binary search over a wide node. */
  childrenOf(i: number): Uint32Array {
    let kids = this.childLists.get(i);
    if (!kids) {
      const out: number[] = [];
      for (let c = i + 1, stop = this.flat.after[i]!; c < stop; c = this.flat.after[c]!) out.push(c);
      this.childLists.set(i, (kids = Uint32Array.from(out)));
    }
    return kids;
  }

  type(i: number): string {
    return this.types[this.flat.type[i]!] || 'ERROR';
  }

  /** The node's text ('' for -1, no node). */
  textOf(i: number): string {
    return i < 0 ? '' : this.text.slice(this.flat.start[i], this.flat.end[i]);
  }

  start(i: number): number {
    return this.flat.start[i]!;
  }

  end(i: number): number {
    return this.flat.end[i]!;
  }

  parent(i: number): number {
    return this.flat.parent[i]!;
  }

  /** The first child under a field, or -1. */
  field(i: number, field: number): number {
    return i < 0 ? -1 : this.flat.childByField(i, field);
  }

  named(i: number): number[] {
    return this.flat.namedChildren(i);
  }

  /** The named children that are not comments. */
  items(i: number): number[] {
    return this.flat.namedChildren(i).filter((c) => this.type(c) !== 'comment');
  }

  /**
   * The node of flat index `i` (named or not), read off the flat copy (InputNode): one object per node, so a walk
   * from `root` and a lookup by index meet the same object, and no call crosses into wasm.
   */
  node(i: number): Node {
    return (this.nodes[i] ??= new InputNode(this, i)) as unknown as Node;
  }

  /**
   * The flat index of a node of this tree (-1 for another tree's). A web-tree-sitter Node of this tree (the node-API
   * readers kept as test oracles hold those) maps to the outermost node with its span and type.
   */
  indexOf(n: Node): number {
    if (n instanceof InputNode) return n.input === this ? n.index : -1;
    if (n.tree !== this.tree) return -1;
    const s = n.startIndex;
    const starts = this.flat.start;
    let lo = 0;
    let hi = this.flat.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    const e = n.endIndex;
    const t = n.type;
    for (let i = lo; i < this.flat.count && starts[i] === s; i++) if (this.flat.end[i] === e && this.type(i) === t) return i;
    return -1;
  }

  /** The 0-based line of an offset. */
  rowAt(offset: number): { row: number; column: number } {
    const starts = (this.lineStarts ??= lineStartsOf(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: offset - starts[lo]! };
  }

  /**
   * The named nodes of these types in text order, the order and objects of a walk from `root` (syntax.ts's walk
   * filtered by type), made once per tree: the rewrite's whole-tree scans read this instead of walking every node.
   */
  nodesOf(...types: string[]): readonly Node[] {
    const key = types.join(' ');
    let list = this.byTypes.get(key);
    if (!list) {
      const want = new Set(types);
      list = [];
      for (let i = 0; i < this.flat.count; i++) if (this.flat.isNamed(i) && want.has(this.type(i))) list.push(this.node(i));
      this.byTypes.set(key, list);
    }
    return list;
  }

  /** The identifiers spelled `name`, in text order (nodesOf('identifier') of one name). */
  identifiersNamed(name: string): readonly Node[] {
    let list = this.identifierNodes.get(name);
    if (!list) {
      if (!this.identifiers) {
        this.identifiers = new Map();
        for (let i = 0; i < this.flat.count; i++) {
          if (this.type(i) !== 'identifier') continue;
          const text = this.textOf(i);
          const at = this.identifiers.get(text);
          if (at) at.push(i);
          else this.identifiers.set(text, [i]);
        }
      }
      list = (this.identifiers.get(name) ?? []).map((i) => this.node(i));
      this.identifierNodes.set(name, list);
    }
    return list;
  }

  /** Whether a named node spans exactly start..end with this type (a `keyOf` of this tree). */
  hasNode(start: number, end: number, type: string): boolean {
    const starts = this.flat.start;
    let lo = 0;
    let hi = this.flat.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.flat.count && starts[i] === start; i++) if (this.flat.end[i] === end && this.flat.isNamed(i) && this.type(i) === type) return true;
    return false;
  }

  /** syntax.ts's keyOf of the node at `i`. */
  keyAt(i: number): string {
    return (this.keys[i] ??= `${this.flat.start[i]}:${this.flat.end[i]}:${this.type(i)}`);
  }

  /** The nearest enclosing node of this type (syntax.ts's enclosing), read up the flat copy's parents: -1 at module level. */
  enclosingAt(i: number, type: string): number {
    for (let p = i < 0 ? -1 : this.flat.parent[i]!; p >= 0; p = this.flat.parent[p]!) if (this.type(p) === type) return p;
    return -1;
  }

  /** syntax.ts's enclosing for a node of this tree, without a `Node` per ancestor. */
  enclosing(n: Node, type: 'function_definition' | 'class_definition'): Node | undefined {
    const i = this.indexOf(n);
    if (i < 0) {
      for (let p = n.parent; p; p = p.parent) if (p.type === type) return p;
      return undefined;
    }
    const e = this.enclosingAt(i, type);
    return e < 0 ? undefined : this.node(e);
  }

  /** Whether some identifier of the text is `name`. */
  identifierNamed(name: string): boolean {
    return this.identifiersNamed(name).length > 0;
  }

  // --- the syntax helpers of syntax.ts, on flat indices (-1: none) ---

  unparen(i: number): number {
    while (i >= 0 && this.type(i) === 'parenthesized_expression') {
      const named = this.named(i);
      if (named.length !== 1) break;
      i = named[0]!;
    }
    return i;
  }

  /** `a`, `a.b.c` as text, or undefined (once per node: the tree does not change). */
  dotted(i: number): string | undefined {
    if (i < 0) return undefined;
    const known = this.dottedNames[i];
    if (known !== undefined) return known === null ? undefined : known;
    const d = this.dottedOnce(i);
    this.dottedNames[i] = d ?? null;
    return d;
  }

  private dottedOnce(i: number): string | undefined {
    i = this.unparen(i);
    const t = this.type(i);
    if (t === 'identifier') return this.textOf(i);
    if (t === 'attribute') {
      const obj = this.dotted(this.field(i, this.f.object));
      const attr = this.field(i, this.f.attribute);
      return obj && attr >= 0 ? `${obj}.${this.textOf(attr)}` : undefined;
    }
    return undefined;
  }

  callParts(i: number): FlatCall | undefined {
    if (i < 0) return undefined;
    i = this.unparen(i);
    if (this.type(i) !== 'call') return undefined;
    const callee = this.field(i, this.f.function);
    const argList = this.field(i, this.f.arguments);
    if (callee < 0 || argList < 0 || this.type(argList) !== 'argument_list') return undefined;
    const args: number[] = [];
    const keywords = new Map<string, number>();
    let splat = false;
    for (const c of this.named(argList)) {
      const t = this.type(c);
      if (t === 'keyword_argument') {
        const name = this.field(c, this.f.name);
        const value = this.field(c, this.f.value);
        if (name >= 0 && value >= 0) keywords.set(this.textOf(name), value);
      } else if (t === 'list_splat' || t === 'dictionary_splat') splat = true;
      else if (t !== 'comment') args.push(c);
    }
    return { callee, args, keywords, splat };
  }

  intLiteral(i: number): number | undefined {
    if (i < 0) return undefined;
    i = this.unparen(i);
    const t = this.type(i);
    if (t === 'integer') {
      const v = Number(this.textOf(i).replace(/_/g, '').replace(/[lL]$/, ''));
      return Number.isFinite(v) ? v : undefined;
    }
    if (t === 'unary_operator' && this.textOf(i).startsWith('-')) {
      const v = this.intLiteral(this.field(i, this.f.argument));
      return v === undefined ? undefined : -v;
    }
    return undefined;
  }

  /** The value of a plain (non-f) string or bytes literal (syntax.ts's stringLiteral). */
  stringLiteral(i: number): { value: string; bytes: boolean } | undefined {
    i = this.unparen(i);
    const t = this.type(i);
    const parts = t === 'concatenated_string' ? this.named(i) : t === 'string' ? [i] : [];
    if (!parts.length) return undefined;
    return decodeStringParts(parts.map((p) => this.textOf(p)));
  }

  /** `x = value` as a statement (an expression_statement holding one plain assignment). */
  assignmentOf(st: number): { left: number; right: number; node: number } | undefined {
    if (this.type(st) !== 'expression_statement') return undefined;
    const named = this.named(st);
    if (named.length !== 1) return undefined;
    const a = named[0]!;
    if (this.type(a) !== 'assignment') return undefined;
    const left = this.field(a, this.f.left);
    const right = this.field(a, this.f.right);
    if (left < 0 || right < 0 || this.field(a, this.f.type) >= 0) return undefined;
    return { left, right, node: a };
  }

  /** Is `i` the target (left side) of an assignment, augmented assignment, `del` or `for`? */
  isStoreTarget(i: number): boolean {
    let cur = i;
    for (let p = this.parent(cur); p >= 0; cur = p, p = this.parent(p)) {
      const t = this.type(p);
      if (t === 'pattern_list' || t === 'tuple_pattern' || t === 'list_pattern') continue;
      if (t === 'assignment' || t === 'augmented_assignment') {
        const l = this.field(p, this.f.left);
        return l >= 0 && this.start(l) === this.start(cur) && this.end(l) === this.end(cur);
      }
      if (t === 'for_statement') {
        const l = this.field(p, this.f.left);
        return l >= 0 && this.start(l) === this.start(cur);
      }
      return t === 'delete_statement';
    }
    return false;
  }

  /** syntax.ts's functionLocals: the names a function binds for itself. */
  functionLocals(fn: number, counts: (id: number) => boolean = () => true): Set<string> {
    const set = new Set<string>();
    const declared = new Set<string>();
    const params = this.field(fn, this.f.parameters);
    for (const p of params < 0 ? [] : this.named(params)) {
      const name = this.field(p, this.f.name);
      const id = this.type(p) === 'identifier' ? p : name >= 0 ? name : (this.named(p).find((c) => this.type(c) === 'identifier') ?? -1);
      if (id >= 0 && this.type(id) === 'identifier') set.add(this.textOf(id));
    }
    const visit = (n: number): void => {
      for (const c of this.named(n)) {
        const t = this.type(c);
        if (t === 'function_definition' || t === 'class_definition') {
          const name = this.field(c, this.f.name);
          if (name >= 0) set.add(this.textOf(name));
          continue;
        }
        if (t === 'global_statement' || t === 'nonlocal_statement') for (const id of this.named(c)) declared.add(this.textOf(id));
        if (t === 'identifier' && this.isStoreTarget(c) && counts(c)) set.add(this.textOf(c));
        visit(c);
      }
    };
    const body = this.field(fn, this.f.body);
    if (body >= 0) visit(body);
    for (const name of declared) set.delete(name);
    return set;
  }
}

function lineStartsOf(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

const fieldIds = new WeakMap<Language, Map<string, number>>();
function fieldOf(language: Language, name: string): number {
  let ids = fieldIds.get(language);
  if (!ids) fieldIds.set(language, (ids = new Map()));
  let id = ids.get(name);
  if (id === undefined) ids.set(name, (id = fieldId(language, name)));
  return id;
}

/**
 * A node of the input read off its flat copy: the members of web-tree-sitter's `Node` the converter reads (type,
 * text, offsets, parent, children, fields, `descendantForIndex`), as plain JS over typed arrays. The rules, the plan
 * and the kinds take it as a `Node`; `test/unit/inputNode.test.ts` holds it equal to web-tree-sitter's on every node
 * and offset of real and generated files.
 */
/** A subtree this large is searched by its children's ends (descendantForIndex), not child by child. */
const WIDE = 64;

export class InputNode {
  constructor(readonly input: InputTree, readonly index: number) {}

  get tree(): Tree {
    return this.input.tree;
  }

  get type(): string {
    return this.input.type(this.index);
  }

  get text(): string {
    return this.input.textOf(this.index);
  }

  get startIndex(): number {
    return this.input.flat.start[this.index]!;
  }

  get endIndex(): number {
    return this.input.flat.end[this.index]!;
  }

  get startPosition(): { row: number; column: number } {
    return this.input.rowAt(this.startIndex);
  }

  get isNamed(): boolean {
    return this.input.flat.isNamed(this.index);
  }

  get parent(): Node | null {
    const p = this.input.flat.parent[this.index]!;
    return p < 0 ? null : this.input.node(p);
  }

  get children(): Node[] {
    const { after } = this.input.flat;
    const out: Node[] = [];
    for (let c = this.index + 1, end = after[this.index]!; c < end; c = after[c]!) out.push(this.input.node(c));
    return out;
  }

  get namedChildren(): Node[] {
    const { after } = this.input.flat;
    const out: Node[] = [];
    for (let c = this.index + 1, end = after[this.index]!; c < end; c = after[c]!) if (this.input.flat.isNamed(c)) out.push(this.input.node(c));
    return out;
  }

  childForFieldName(name: string): Node | null {
    const c = this.input.flat.childByField(this.index, fieldOf(this.input.flat.language, name));
    return c < 0 ? null : this.input.node(c);
  }

  /** tree-sitter's `ts_node_descendant_for_byte_range`: the smallest node (named or not) holding start..end. */
  descendantForIndex(start: number, end = start): Node | null {
    if (start > end) return null;
    const { start: starts, end: ends, after } = this.input.flat;
    let node = this.index;
    for (let descended = true; descended; ) {
      descended = false;
      // a wide node (a module's thousands of statements): the scan starts at the first child that can hold the span
      let c = node + 1;
      const stop = after[node]!;
      if (stop - node > WIDE) {
        const kids = this.input.childrenOf(node);
        const reach = Math.max(start, end);
        let lo = 0;
        let hi = kids.length;
        // ends never decrease along siblings: every child before the first ending at or past the span is skipped below
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (ends[kids[mid]!]! < reach) lo = mid + 1;
          else hi = mid;
        }
        c = lo < kids.length ? kids[lo]! : stop;
      }
      for (; c < stop; c = after[c]!) {
        const e = ends[c]!;
        if (e < end) continue;
        if (starts[c] === e ? e < start : e <= start) continue;
        if (start < starts[c]!) break;
        node = c;
        descended = true;
        break;
      }
    }
    return this.input.node(node);
  }
}
