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
  finish(text: string, language: Language): FlatTree {
    const n = this.count;
    return new FlatTree(text, language, n, this.type.subarray(0, n), this.field.subarray(0, n), this.start.subarray(0, n), this.end.subarray(0, n), this.parent.subarray(0, n), this.after.subarray(0, n));
  }
}

/** A parse region as far as its flat copy is concerned (documents/parsedDocument.ts). */
interface RegionLike {
  tree: Tree;
  text: string;
  cache: unknown;
}

/**
 * The flat copy of a region's tree, kept on the region between the analyses of one version that read it
 * (region facts, then the evaluator's lowering); `releaseFlatTree` drops it once both have run.
 */
export function flatTreeOf(region: RegionLike): FlatTree {
  const cache = (region.cache ??= {}) as { flat?: FlatTree };
  return (cache.flat ??= flatten(region.tree, region.text));
}

export function releaseFlatTree(region: RegionLike): void {
  const cache = region.cache as { flat?: FlatTree } | undefined;
  if (cache?.flat) cache.flat = undefined;
}

/** Copies `tree` (parsed from `text`) into a FlatTree. */
export function flatten(tree: Tree, text: string, usePublicApi = false): FlatTree {
  // about one node per 3 characters in Python; the arrays grow when a text has more
  const b = new Builder(Math.max(64, (text.length >> 1) + 16));
  if (raw && !usePublicApi) walkRaw(raw, tree, b);
  else walkPublic(tree, b);
  return b.finish(text, tree.language);
}

function walkRaw(m: RawModule, tree: Tree, b: Builder): void {
  const t = (tree as unknown as { 0: number })[0];
  m._ts_tree_root_node_wasm(t);
  m._ts_tree_cursor_new_wasm(t);
  let parent = -1;
  try {
    for (;;) {
      const i = b.add(m._ts_tree_cursor_current_node_type_id_wasm(t), m._ts_tree_cursor_current_field_id_wasm(t), m._ts_tree_cursor_start_index_wasm(t), m._ts_tree_cursor_end_index_wasm(t), parent);
      if (m._ts_tree_cursor_goto_first_child_wasm(t) === 1) {
        parent = i;
        continue;
      }
      b.after[i] = b.count;
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

function walkPublic(tree: Tree, b: Builder): void {
  const c = tree.rootNode.walk();
  let parent = -1;
  try {
    for (;;) {
      const i = b.add(c.nodeTypeId, c.currentFieldId, c.startIndex, c.endIndex, parent);
      if (c.gotoFirstChild()) {
        parent = i;
        continue;
      }
      b.after[i] = b.count;
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
