/** The syntax questions the plan asks of a node: assignment targets, scopes, branches; and Python string literals. */
import type { Node } from 'web-tree-sitter';
import { unparen } from '../../syntax';

/** The statement an assignment is (`x = …` on a line of its own), or undefined. */
export const stmtOfAssignment = (a: Node): Node | undefined => (a.parent?.type === 'expression_statement' ? a.parent : undefined);

/** The function or module whose names n is resolved in. */
export function scopeOf(n: Node): Node {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'function_definition' || p.type === 'module') return p;
  return n;
}

/** A Python string literal of s (the converter's generated strings). */
export function pyString(s: string): string {
  return JSON.stringify(s);
}

/** Is n the target of an assignment, augmented assignment or `for` (syntax.ts `isStoreTarget` but for `del`)? */
export function isTarget(n: Node): boolean {
  let cur = n;
  for (let p = cur.parent; p; cur = p, p = p.parent) {
    if (p.type === 'pattern_list' || p.type === 'tuple_pattern' || p.type === 'list_pattern') continue;
    if ((p.type === 'assignment' || p.type === 'augmented_assignment') && p.childForFieldName('left')?.startIndex === cur.startIndex && p.childForFieldName('left')?.endIndex === cur.endIndex) return true;
    if (p.type === 'for_statement' && p.childForFieldName('left')?.startIndex === cur.startIndex) return true;
    return false;
  }
  return false;
}

/** The identifier a call's value is assigned to: `x = call` or the matching slot of `a, b = c1, c2`. */
export function assignedName(call: Node): Node | undefined {
  let p = call.parent;
  if (p?.type === 'conditional_expression' && otherBranch(call) !== undefined) {
    call = p;
    p = p.parent;
  }
  if (p?.type === 'assignment' && p.childForFieldName('right')?.startIndex === call.startIndex) {
    const l = p.childForFieldName('left');
    return l?.type === 'identifier' ? l : undefined;
  }
  if (p?.type === 'expression_list') {
    const a = p.parent;
    const l = a?.type === 'assignment' ? a.childForFieldName('left') : undefined;
    if (l?.type === 'pattern_list' && l.namedChildren.length === p.namedChildren.length) {
      const i = p.namedChildren.findIndex((c) => c.startIndex === call.startIndex);
      const t = l.namedChildren[i];
      return t?.type === 'identifier' ? t : undefined;
    }
  }
  return undefined;
}

/** For a branch of `a if c else b`: the other branch (null when it is not a call); undefined when n is not a branch. */
export function otherBranch(n: Node): Node | null | undefined {
  const p = n.parent;
  if (p?.type !== 'conditional_expression') return undefined;
  const [a, , b] = p.namedChildren;
  const other = a?.startIndex === n.startIndex ? b : b?.startIndex === n.startIndex ? a : undefined;
  if (!other) return undefined;
  return unparen(other).type === 'call' ? unparen(other) : null;
}

