import type { Language, Tree } from 'web-tree-sitter';

/**
 * A syntax tree copied out of tree-sitter into typed arrays in one pre-order walk, so the analyses that read
 * whole trees (region facts, lowering) pay one crossing into wasm per node and field instead of allocating a
 * `Node` per child, field lookup and `.text` (web-tree-sitter's node API costs 2–3× the parse on binding
 * files). Node `i`'s children are `i + 1` up to `after[i]` (exclusive), each child `c` followed by `after[c]`.
 * Offsets are UTF-16 code units into the text the tree was parsed from, as web-tree-sitter reports them.
 */
export class FlatTree {
  /** Whether each type id is a named node type. */
  private readonly named: Uint8Array;

  constructor(
    readonly text: string,
    readonly language: Language,
    readonly count: number,
    /** Type id (an index into `language.types`). */
    readonly type: Uint16Array,
    /** Field id under the parent (0: none; an index into `language.fields`). */
    readonly field: Uint16Array,
    readonly start: Uint32Array,
    readonly end: Uint32Array,
    /** Parent index (-1 for the root). */
    readonly parent: Int32Array,
    /** One past the last node of `i`'s subtree. */
    readonly after: Uint32Array,
  ) {
    this.named = namedTable(language);
  }

  typeName(i: number): string {
    return this.language.types[this.type[i]!] || 'ERROR';
  }

  nodeText(i: number): string {
    return this.text.slice(this.start[i], this.end[i]);
  }

  /** The first child of `i` under field id `field`, or -1. */
  childByField(i: number, field: number): number {
    for (let c = i + 1, end = this.after[i]!; c < end; c = this.after[c]!) if (this.field[c] === field) return c;
    return -1;
  }

  /** The children of `i` under field id `field`. */
  childrenByField(i: number, field: number): number[] {
    const out: number[] = [];
    for (let c = i + 1, end = this.after[i]!; c < end; c = this.after[c]!) if (this.field[c] === field) out.push(c);
    return out;
  }

  /** The named children of `i`, in order. */
  namedChildren(i: number): number[] {
    const out: number[] = [];
    for (let c = i + 1, end = this.after[i]!; c < end; c = this.after[c]!) if (this.named[this.type[c]!]) out.push(c);
    return out;
  }

  isNamed(i: number): boolean {
    return this.named[this.type[i]!] === 1;
  }
}

const namedTables = new WeakMap<Language, Uint8Array>();
function namedTable(language: Language): Uint8Array {
  let t = namedTables.get(language);
  if (!t) {
    t = new Uint8Array(65536);
    for (let id = 0; id < language.types.length; id++) t[id] = language.types[id] && language.nodeTypeIsNamed(id) ? 1 : 0;
    t[65535] = 1; // ERROR
    namedTables.set(language, t);
  }
  return t;
}

/** All type ids a name has (a grammar can give one visible name to several symbols, e.g. aliases). */
export function typeIds(language: Language, name: string): Set<number> {
  const out = new Set<number>();
  language.types.forEach((t, id) => {
    if (t === name) out.add(id);
  });
  return out;
}

export function fieldId(language: Language, name: string): number {
  const id = language.fields.indexOf(name);
  return id < 0 ? -2 : id; // -2 never matches a node (0 is "no field")
}

/**
 * The raw exports of web-tree-sitter's wasm module, when `loadGrammars` could keep them (it passes the
 * module options object, which emscripten turns into the module). Its tree cursor functions read and write
 * the cursor in a transfer buffer, so a walk that calls nothing else in between can skip re-marshalling it
 * at every step; `walkPublic` is the same walk through the public API, used when they are missing.
 */
interface RawModule {
  _ts_tree_root_node_wasm(tree: number): void;
  _ts_tree_cursor_new_wasm(tree: number): void;
  _ts_tree_cursor_delete_wasm(tree: number): void;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
}

let raw: RawModule | undefined;
const RAW_FUNCTIONS = [
  '_ts_tree_root_node_wasm', '_ts_tree_cursor_new_wasm', '_ts_tree_cursor_delete_wasm', '_ts_tree_cursor_goto_first_child_wasm',
  '_ts_tree_cursor_goto_next_sibling_wasm', '_ts_tree_cursor_goto_parent_wasm', '_ts_tree_cursor_current_node_type_id_wasm',
  '_ts_tree_cursor_current_field_id_wasm', '_ts_tree_cursor_start_index_wasm', '_ts_tree_cursor_end_index_wasm',
];

/** Called by loadGrammars with the module options object after `Parser.init`. */
export function useRawModule(module: unknown): void {
  const m = module as Record<string, unknown> | undefined;
  raw = m && RAW_FUNCTIONS.every((f) => typeof m[f] === 'function') ? (m as unknown as RawModule) : undefined;
}

/** Whether walks use the raw cursor functions (tests compare both ways). */
export function rawWalks(): boolean {
  return raw !== undefined;
}

class Builder {
  count = 0;
  copied = 0;
  type: Uint16Array;
  field: Uint16Array;
  start: Uint32Array;
  end: Uint32Array;
  parent: Int32Array;
  after: Uint32Array;
  constructor(capacity: number) {
    this.type = new Uint16Array(capacity);
    this.field = new Uint16Array(capacity);
    this.start = new Uint32Array(capacity);
    this.end = new Uint32Array(capacity);
    this.parent = new Int32Array(capacity);
    this.after = new Uint32Array(capacity);
  }
  add(type: number, field: number, start: number, end: number, parent: number): number {
    if (this.count === this.type.length) this.grow();
    const i = this.count++;
    this.type[i] = type;
    this.field[i] = field;
    this.start[i] = start;
    this.end[i] = end;
    this.parent[i] = parent;
    return i;
  }
  grow(): void {
    const n = this.type.length * 2;
    const g = <T extends Uint16Array | Uint32Array | Int32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.type = g(this.type);
    this.field = g(this.field);
    this.start = g(this.start);
    this.end = g(this.end);
    this.parent = g(this.parent);
    this.after = g(this.after);
  }
  /** Appends a copy of `old`'s subtree at `oi` (an unchanged def or class of the last flat copy), moved to `start`, under `parent`. */
  copy(old: FlatTree, oi: number, field: number, start: number, parent: number): number {
    const n = old.after[oi]! - oi;
    while (this.count + n > this.type.length) this.grow();
    const ni = this.count;
    const shift = start - old.start[oi]!;
    const moved = ni - oi;
    this.type.set(old.type.subarray(oi, oi + n), ni);
    this.field.set(old.field.subarray(oi, oi + n), ni);
    for (let k = 0; k < n; k++) {
      const j = oi + k;
      this.start[ni + k] = old.start[j]! + shift;
      this.end[ni + k] = old.end[j]! + shift;
      this.parent[ni + k] = old.parent[j]! + moved;
      this.after[ni + k] = old.after[j]! + moved;
    }
    this.field[ni] = field;
    this.parent[ni] = parent;
    this.count += n;
    this.copied += n;
    return ni;
  }
  finish(text: string, language: Language): FlatTree {
    const n = this.count;
    return new FlatTree(text, language, n, this.type.subarray(0, n), this.field.subarray(0, n), this.start.subarray(0, n), this.end.subarray(0, n), this.parent.subarray(0, n), this.after.subarray(0, n));
  }
}

/**
 * The last flat copy of a long region, kept across edits inside it: `prefix` and `suffix` are how many characters
 * at the start and end of the region's text are still those it was made from. A def or class wholly inside
 * either is copied from it instead of walked again (a keystroke in one method of a 115 KB class walks that method).
 */
export interface PriorFlat {
  flat: FlatTree;
  prefix: number;
  suffix: number;
  /** Old start → old index of its defs and classes, made on first use. */
  index?: Map<number, number>;
  /** How many nodes the copy made from it took without walking them (tests read it). */
  copied?: number;
}

/** A parse region as far as its flat copy is concerned (documents/parsedDocument.ts). */
interface RegionLike {
  tree: Tree;
  text: string;
  cache: unknown;
  prior?: PriorFlat;
}

/** Regions shorter than this are walked whole (a few KB walk in well under a millisecond; keeping their copies would cost memory for nothing). */
export const REUSE_MIN_CHARS = 8192;

/**
 * The flat copy of a region's tree, kept on the region between the analyses of one version that read it
 * (region facts, then the evaluator's lowering); `releaseFlatTree` drops it once both have run.
 */
export function flatTreeOf(region: RegionLike): FlatTree {
  const cache = (region.cache ??= {}) as { flat?: FlatTree };
  if (cache.flat) return cache.flat;
  const prior = region.prior;
  region.prior = undefined;
  return (cache.flat = prior && !region.tree.rootNode.hasError ? flattenReusing(region.tree, region.text, prior) : flatten(region.tree, region.text));
}

export function releaseFlatTree(region: RegionLike): void {
  const cache = region.cache as { flat?: FlatTree } | undefined;
  if (cache?.flat) {
    keepPrior(region, cache.flat);
    cache.flat = undefined;
  }
}

function keepPrior(region: RegionLike, flat: FlatTree): void {
  // only a copy of an error-free tree: an erroneous region's subtrees depend on more than their own text
  if (flat.text === region.text && region.text.length >= REUSE_MIN_CHARS && !region.tree.rootNode.hasError) region.prior = { flat, prefix: flat.text.length, suffix: flat.text.length };
  else region.prior = undefined;
}

/** Called before an edit replaces `[relStart, relOldEnd)` of the region's text: what of its last flat copy stays valid. */
export function flatTreeEdited(region: RegionLike, relStart: number, relOldEnd: number): void {
  const flat = (region.cache as { flat?: FlatTree } | undefined)?.flat;
  if (flat) keepPrior(region, flat);
  const p = region.prior;
  if (!p) return;
  p.prefix = Math.min(p.prefix, relStart);
  p.suffix = Math.min(p.suffix, region.text.length - relOldEnd);
}

const reusableTables = new WeakMap<Language, Uint8Array>();
/** The node types copied whole from a prior flat copy: defs and classes (their subtrees are a function of their text in an error-free tree). */
function reusableTable(language: Language): Uint8Array {
  let t = reusableTables.get(language);
  if (!t) {
    t = new Uint8Array(65536);
    for (const name of ['function_definition', 'class_definition', 'decorated_definition']) for (const id of typeIds(language, name)) t[id] = 1;
    reusableTables.set(language, t);
  }
  return t;
}

/** Copies `tree` into a FlatTree, taking each def or class whose text is unchanged from `prior` (equal to `flatten(tree, text)`). */
export function flattenReusing(tree: Tree, text: string, prior: PriorFlat, usePublicApi = false): FlatTree {
  const old = prior.flat;
  const reusable = reusableTable(tree.language);
  let index = prior.index;
  if (!index) {
    index = prior.index = new Map();
    for (let i = 0; i < old.count; i++) if (reusable[old.type[i]!]) index.set(old.start[i]!, i);
  }
  const oldIndex = index;
  const delta = text.length - old.text.length;
  const suffixStart = text.length - prior.suffix;
  const reuse = (type: number, start: number, end: number): number => {
    if (!reusable[type]) return -1;
    let os: number;
    if (end <= prior.prefix) os = start;
    else if (start >= suffixStart) os = start - delta;
    else return -1;
    const oi = oldIndex.get(os);
    return oi !== undefined && old.type[oi] === type && old.end[oi] === end - start + os ? oi : -1;
  };
  const b = new Builder(Math.max(64, (text.length >> 1) + 16));
  if (raw && !usePublicApi) walkRaw(raw, tree, b, old, reuse);
  else walkPublic(tree, b, old, reuse);
  prior.copied = b.copied;
  return b.finish(text, tree.language);
}

/** Copies `tree` (parsed from `text`) into a FlatTree. */
export function flatten(tree: Tree, text: string, usePublicApi = false): FlatTree {
  // about one node per 3 characters in Python; the arrays grow when a text has more
  const b = new Builder(Math.max(64, (text.length >> 1) + 16));
  if (raw && !usePublicApi) walkRaw(raw, tree, b);
  else walkPublic(tree, b);
  return b.finish(text, tree.language);
}

/** The old index of a node to copy from a prior flat copy instead of walking it, or -1. */
type Reuse = (type: number, start: number, end: number) => number;

function walkRaw(m: RawModule, tree: Tree, b: Builder, old?: FlatTree, reuse?: Reuse): void {
  const t = (tree as unknown as { 0: number })[0];
  m._ts_tree_root_node_wasm(t);
  m._ts_tree_cursor_new_wasm(t);
  let parent = -1;
  try {
    for (;;) {
      const type = m._ts_tree_cursor_current_node_type_id_wasm(t);
      const field = m._ts_tree_cursor_current_field_id_wasm(t);
      const start = m._ts_tree_cursor_start_index_wasm(t);
      const end = m._ts_tree_cursor_end_index_wasm(t);
      const oi = reuse ? reuse(type, start, end) : -1;
      if (oi >= 0) b.copy(old!, oi, field, start, parent);
      else {
        const i = b.add(type, field, start, end, parent);
        if (m._ts_tree_cursor_goto_first_child_wasm(t) === 1) {
          parent = i;
          continue;
        }
        b.after[i] = b.count;
      }
      while (m._ts_tree_cursor_goto_next_sibling_wasm(t) !== 1) {
        if (m._ts_tree_cursor_goto_parent_wasm(t) !== 1) return;
        b.after[parent] = b.count;
        parent = b.parent[parent]!;
      }
    }
  } finally {
    m._ts_tree_cursor_delete_wasm(t);
  }
}

function walkPublic(tree: Tree, b: Builder, old?: FlatTree, reuse?: Reuse): void {
  const c = tree.rootNode.walk();
  let parent = -1;
  try {
    for (;;) {
      const oi = reuse ? reuse(c.nodeTypeId, c.startIndex, c.endIndex) : -1;
      if (oi >= 0) b.copy(old!, oi, c.currentFieldId, c.startIndex, parent);
      else {
        const i = b.add(c.nodeTypeId, c.currentFieldId, c.startIndex, c.endIndex, parent);
        if (c.gotoFirstChild()) {
          parent = i;
          continue;
        }
        b.after[i] = b.count;
      }
      while (!c.gotoNextSibling()) {
        if (!c.gotoParent()) return;
        b.after[parent] = b.count;
        parent = b.parent[parent]!;
      }
    }
  } finally {
    c.delete();
  }
}
