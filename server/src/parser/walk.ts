import type { Node, TreeCursor } from 'web-tree-sitter';

/**
 * Pre-order walk of a tree with one cursor (nodes are materialised only where `visit` asks the cursor for
 * them). `visit` returns false to skip a node's children.
 */
export function walkTree(root: Node, visit: (cursor: TreeCursor) => boolean | void): void {
  const cursor = root.walk();
  try {
    for (;;) {
      if (visit(cursor) !== false && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return;
    }
  } finally {
    cursor.delete();
  }
}
