/** The plan's index of a module: the nodes its stages look at, found in one walk of the module's flat tree. */
import type { Node } from 'web-tree-sitter';
import { type SourceModule, flatOf } from '../modules';
import { fieldId, typeIds } from '../../../parser/flatTree';

/** The nodes the stages look at, found in one walk of the module (tree-sitter node access is not free). */
export interface ModuleNodes {
  identifiers: NamedIdentifiers;
  calls: Node[];
  assignments: Node[];
  blocks: Node[];
  imports: Node[];
  subscripts: Node[];
  returns: Node[];
}

const INDEXED = ['identifier', 'call', 'assignment', 'block', 'import_statement', 'import_from_statement', 'subscript', 'return_statement'] as const;

/**
 * One pass over the module's flat tree (modules.ts `flatOf`): a node object is made only for the kinds the
 * stages read (most nodes are not), by moving one cursor to it by its pre-order index; identifiers only
 * when their name is asked for.
 */
export function indexNodes(mod: SourceModule): ModuleNodes {
  const t = flatOf(mod);
  const root = mod.root;
  const names = new Map<string, number[]>();
  const out: ModuleNodes = { identifiers: new NamedIdentifiers(root, names), calls: [], assignments: [], blocks: [root], imports: [], subscripts: [], returns: [] };
  const kinds = new Map<number, (typeof INDEXED)[number]>();
  for (const k of INDEXED) for (const id of typeIds(t.language, k)) kinds.set(id, k);
  const attributeField = fieldId(t.language, 'attribute');
  const attributes = typeIds(t.language, 'attribute');
  const cursor = root.walk();
  try {
    for (let i = 1; i < t.count; i++) {
      const kind = kinds.get(t.type[i]!);
      if (!kind || !t.isNamed(i)) continue;
      // an attribute's name (`x.name`) is not a reference to `name`
      if (kind === 'identifier' && t.field[i] === attributeField && attributes.has(t.type[t.parent[i]!]!)) continue;
      if (kind === 'identifier') {
        const name = t.nodeText(i);
        const list = names.get(name);
        if (list) list.push(i);
        else names.set(name, [i]);
        continue;
      }
      cursor.gotoDescendant(i);
      const n = cursor.currentNode;
      switch (kind) {
        case 'call':
          out.calls.push(n);
          break;
        case 'assignment':
          out.assignments.push(n);
          break;
        case 'block':
          out.blocks.push(n);
          break;
        case 'subscript':
          out.subscripts.push(n);
          break;
        case 'return_statement':
          out.returns.push(n);
          break;
        default:
          out.imports.push(n);
      }
    }
  } finally {
    cursor.delete();
  }
  return out;
}

/** A module's identifiers by name, made into node objects the first time a name is asked for (most never are). */
export class NamedIdentifiers {
  private readonly made = new Map<string, Node[]>();

  constructor(
    private readonly root: Node,
    /** name → the identifiers' pre-order indices in the module's flat tree */
    private readonly at: ReadonlyMap<string, readonly number[]>,
  ) {}

  has(name: string): boolean {
    return this.at.has(name);
  }

  get(name: string): Node[] | undefined {
    const done = this.made.get(name);
    if (done) return done;
    const at = this.at.get(name);
    if (!at) return undefined;
    const cursor = this.root.walk();
    try {
      const nodes = at.map((i) => {
        cursor.gotoDescendant(i);
        return cursor.currentNode;
      });
      this.made.set(name, nodes);
      return nodes;
    } finally {
      cursor.delete();
    }
  }
}

/**
 * The identifier an expression's text starts with, when it is plain (ASCII, followed by a space, `.`, `(`
 * or a line continuation), read from the module text: a cheap test before the node API is asked.
 */
export function headName(mod: SourceModule, n: Node): string | undefined {
  return /^([A-Za-z_][A-Za-z_0-9]*)[\s.(\\]/.exec(mod.text.slice(n.startIndex, n.startIndex + 80))?.[1];
}

/** The nodes of a document-ordered list that lie inside [start, end) (binary search: linear overall). */
export function within(list: readonly Node[], start: number, end: number): Node[] {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.startIndex < start) lo = mid + 1;
    else hi = mid;
  }
  const out: Node[] = [];
  for (let i = lo; i < list.length && list[i]!.startIndex < end; i++) if (list[i]!.endIndex <= end) out.push(list[i]!);
  return out;
}
