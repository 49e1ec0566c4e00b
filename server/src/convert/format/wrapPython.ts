/**
 * A long Python line broken at its brackets, as black breaks it: the bracket's content on an indented
 * line of its own, else one element per line with a trailing comma, the closing bracket under the
 * line's start. Only bracket pairs that open and close on the line are used; strings are never cut.
 */
import type { Node } from 'web-tree-sitter';

const BRACKETS = new Set([
  'argument_list', 'parameters', 'list', 'tuple', 'dictionary', 'set', 'list_comprehension', 'set_comprehension',
  'dictionary_comprehension', 'generator_expression', 'parenthesized_expression',
]);
// element lists that take a trailing comma without changing meaning
const COMMA_LISTS = new Set(['argument_list', 'parameters', 'list', 'dictionary', 'set', 'tuple']);

function insideString(n: Node): boolean {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'string' || p.type === 'concatenated_string') return true;
  return false;
}

/** Bracket nodes lying within [s, e) of the text, outermost (then leftmost) first. */
function brackets(root: Node, s: number, e: number): Node[] {
  const out: Node[] = [];
  const cover = root.descendantForIndex(s, Math.max(s, e - 1)) ?? root;
  let top: Node = cover;
  while (top.parent && top.startIndex >= s && top.endIndex <= e) top = top.parent;
  const stack: Node[] = [top];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.endIndex <= s || n.startIndex >= e) continue;
    if (n.type === 'string' || n.type === 'concatenated_string') continue;
    if (BRACKETS.has(n.type) && n.startIndex >= s && n.endIndex <= e && n.endIndex - n.startIndex > 2 && !insideString(n)) out.push(n);
    for (const c of n.children) stack.push(c);
  }
  return out.sort((a, b) => b.endIndex - b.startIndex - (a.endIndex - a.startIndex) || a.startIndex - b.startIndex);
}

export interface WrapContext {
  text: string;
  root: Node;
  max: number;
  unit: string;
}

const fits = (lines: readonly string[], max: number): boolean => lines.every((l) => l.length <= max);

/** The line `indent + prefix + text[s, e) + suffix` as lines of at most `max` columns where brackets allow. */
export function wrapRange(cx: WrapContext, s: number, e: number, indent: string, prefix = '', suffix = '', depth = 0): string[] {
  const flat = `${indent}${prefix}${cx.text.slice(s, e)}${suffix}`;
  if (flat.length <= cx.max || depth > 6) return [flat];
  let best: string[] | undefined;
  for (const b of brackets(cx.root, s, e)) {
    const head = `${indent}${prefix}${cx.text.slice(s, b.startIndex + 1)}`;
    const tail = `${indent}${cx.text.slice(b.endIndex - 1, e)}${suffix}`;
    if (head.length > cx.max || tail.length > cx.max) continue;
    const elements = b.namedChildren.filter((c) => c.type !== 'comment');
    if (!elements.length) continue;
    const inner = indent + cx.unit;
    const one = [head, `${inner}${cx.text.slice(b.startIndex + 1, b.endIndex - 1).trim()}`, tail];
    if (fits(one, cx.max)) return one;
    const comma = COMMA_LISTS.has(b.type);
    const lines = [head];
    for (const el of elements) lines.push(...wrapRange(cx, el.startIndex, el.endIndex, inner, '', comma ? ',' : '', depth + 1));
    lines.push(tail);
    if (fits(lines, cx.max)) return lines;
    best ??= lines;
  }
  return best ?? [flat];
}
