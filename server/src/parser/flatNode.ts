import { type FlatTree, fieldId } from './flatTree';

/**
 * A node of a FlatTree with the few members of web-tree-sitter's `Node` that whole-tree checks read (type,
 * text, offsets, parent, named children, fields), so a check written against the node API reads the flat
 * copy instead: a plain object per node reached, no wasm call. Two FlatNodes of one node are equal by
 * `startIndex`/`index`, not by identity, as web-tree-sitter's Nodes are.
 */
export class FlatNode {
  constructor(readonly tree: FlatTree, readonly index: number) {}

  get type(): string {
    return this.tree.typeName(this.index);
  }

  get text(): string {
    return this.tree.nodeText(this.index);
  }

  get startIndex(): number {
    return this.tree.start[this.index]!;
  }

  get endIndex(): number {
    return this.tree.end[this.index]!;
  }

  get parent(): FlatNode | null {
    const p = this.tree.parent[this.index]!;
    return p < 0 ? null : new FlatNode(this.tree, p);
  }

  get namedChildren(): FlatNode[] {
    return this.tree.namedChildren(this.index).map((c) => new FlatNode(this.tree, c));
  }

  childForFieldName(name: string): FlatNode | null {
    const c = this.tree.childByField(this.index, fieldOf(this.tree, name));
    return c < 0 ? null : new FlatNode(this.tree, c);
  }
}

const fieldIds = new WeakMap<FlatTree['language'], Map<string, number>>();
function fieldOf(t: FlatTree, name: string): number {
  let ids = fieldIds.get(t.language);
  if (!ids) fieldIds.set(t.language, (ids = new Map()));
  let id = ids.get(name);
  if (id === undefined) ids.set(name, (id = fieldId(t.language, name)));
  return id;
}

/** The root of a FlatTree. */
export const flatRoot = (t: FlatTree): FlatNode => new FlatNode(t, 0);

/**
 * Every named node of the subtree in document order, `n` first (as syntax.ts's `walk` over Nodes): the flat copy is
 * in pre-order, so this is one pass over its indices, skipping what lies under an anonymous node, not a generator per level.
 */
export function* walkFlat(n: FlatNode): Generator<FlatNode> {
  yield n;
  const t = n.tree;
  for (let i = n.index + 1, end = t.after[n.index]!; i < end; ) {
    if (t.isNamed(i)) yield new FlatNode(t, i++);
    else i = t.after[i]!;
  }
}
