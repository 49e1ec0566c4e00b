import type { Node } from 'web-tree-sitter';
import { InputNode } from './inputTree';

/** A stable key for a node (web-tree-sitter hands out fresh Node objects on every access). */
export const keyOf = (n: Node): string => (n instanceof InputNode ? n.input.keyAt(n.index) : `${n.startIndex}:${n.endIndex}:${n.type}`);

export function unparen(n: Node): Node {
  while (n.type === 'parenthesized_expression' && n.namedChildren.length === 1) n = n.namedChildren[0]!;
  return n;
}

/** `a`, `a.b.c` as text, or undefined for anything else. */
export function dotted(n: Node | null | undefined): string | undefined {
  if (!n) return undefined;
  // a node of the converter's input: read off its flat copy, once per node
  if (n instanceof InputNode) return n.input.dotted(n.index);
  n = unparen(n);
  if (n.type === 'identifier') return n.text;
  if (n.type === 'attribute') {
    const obj = dotted(n.childForFieldName('object'));
    const attr = n.childForFieldName('attribute');
    return obj && attr ? `${obj}.${attr.text}` : undefined;
  }
  return undefined;
}

export interface CallParts {
  callee: Node;
  args: Node[];
  keywords: Map<string, Node>;
  /** A `*args`/`**kw` argument makes the argument list unknowable. */
  splat: boolean;
  argList: Node;
}

export function callParts(n: Node): CallParts | undefined {
  n = unparen(n);
  if (n.type !== 'call') return undefined;
  const callee = n.childForFieldName('function');
  const argList = n.childForFieldName('arguments');
  if (!callee || !argList || argList.type !== 'argument_list') return undefined;
  const args: Node[] = [];
  const keywords = new Map<string, Node>();
  let splat = false;
  for (const c of argList.namedChildren) {
    if (c.type === 'keyword_argument') {
      const name = c.childForFieldName('name');
      const value = c.childForFieldName('value');
      if (name && value) keywords.set(name.text, value);
    } else if (c.type === 'list_splat' || c.type === 'dictionary_splat') splat = true;
    else if (c.type !== 'comment') args.push(c);
  }
  return { callee, args, keywords, splat, argList };
}

/** The value of an integer literal (also `-3`, `0x10`, `1 << 20` is not folded). */
export function intLiteral(n: Node | null | undefined): number | undefined {
  if (!n) return undefined;
  n = unparen(n);
  if (n.type === 'integer') {
    const v = Number(n.text.replace(/_/g, '').replace(/[lL]$/, ''));
    return Number.isFinite(v) ? v : undefined;
  }
  if (n.type === 'unary_operator' && n.text.startsWith('-')) {
    const v = intLiteral(n.childForFieldName('argument'));
    return v === undefined ? undefined : -v;
  }
  return undefined;
}

export const isStringNode = (n: Node): boolean => {
  n = unparen(n);
  return n.type === 'string' || n.type === 'concatenated_string';
};

/** The value of a plain (non-f) string or bytes literal, with simple escapes decoded. */
export function stringLiteral(n: Node): { value: string; bytes: boolean } | undefined {
  n = unparen(n);
  const parts = n.type === 'concatenated_string' ? n.namedChildren : n.type === 'string' ? [n] : [];
  if (!parts.length) return undefined;
  return decodeStringParts(parts.map((p) => p.text));
}

/** The value of a string literal's parts (`'a' b'c'` …), simple escapes decoded; undefined for an f-string. */
export function decodeStringParts(texts: readonly string[]): { value: string; bytes: boolean } | undefined {
  let value = '';
  let bytes = false;
  for (const text of texts) {
    const m = /^([rRbBuUfF]*)('''|"""|'|")([\s\S]*)\2$/.exec(text);
    if (!m) return undefined;
    const prefix = m[1]!.toLowerCase();
    if (prefix.includes('f')) return undefined;
    if (prefix.includes('b')) bytes = true;
    const body = m[3]!;
    value += prefix.includes('r') ? body : body.replace(/\\(x[0-9a-fA-F]{2}|[\\'"ntr0abfv\n])/g, (_, e: string) =>
      e[0] === 'x' ? String.fromCharCode(parseInt(e.slice(1), 16)) : ({ n: '\n', t: '\t', r: '\r', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' } as Record<string, string>)[e] ?? e);
  }
  return { value, bytes };
}

/** The statement node (a direct child of a block or module) that holds n. */
export function statementOf(n: Node): Node {
  let cur: Node = n;
  while (cur.parent && cur.parent.type !== 'block' && cur.parent.type !== 'module') cur = cur.parent;
  return cur;
}

/** Is n the target (left side) of an assignment, augmented assignment, `del` or `for`? */
export function isStoreTarget(n: Node): boolean {
  let cur = n;
  for (let p = cur.parent; p; cur = p, p = p.parent) {
    if (p.type === 'pattern_list' || p.type === 'tuple_pattern' || p.type === 'list_pattern') continue;
    if ((p.type === 'assignment' || p.type === 'augmented_assignment') && p.childForFieldName('left')?.startIndex === cur.startIndex && p.childForFieldName('left')?.endIndex === cur.endIndex) return true;
    if (p.type === 'for_statement' && p.childForFieldName('left')?.startIndex === cur.startIndex) return true;
    if (p.type === 'delete_statement') return true;
    return false;
  }
  return false;
}

/**
 * The names a function binds for itself, which Python makes local to its whole body: parameters, assignment and
 * `for` targets, nested def and class names, not those declared `global`/`nonlocal`. `counts` may leave out a
 * binding (e.g. one that still names the same object). Uncached: callers keep their own per-function cache.
 */
export function functionLocals(fn: Node, counts: (id: Node) => boolean = () => true): Set<string> {
  const set = new Set<string>();
  const declared = new Set<string>();
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    const id = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c.type === 'identifier'));
    if (id?.type === 'identifier') set.add(id.text);
  }
  const visit = (n: Node): void => {
    for (const c of n.namedChildren) {
      if (c.type === 'function_definition' || c.type === 'class_definition') {
        const name = c.childForFieldName('name');
        if (name) set.add(name.text);
        continue;
      }
      if (c.type === 'global_statement' || c.type === 'nonlocal_statement') for (const id of c.namedChildren) declared.add(id.text);
      if (c.type === 'identifier' && isStoreTarget(c) && counts(c)) set.add(c.text);
      visit(c);
    }
  };
  const body = fn.childForFieldName('body');
  if (body) visit(body);
  for (const name of declared) set.delete(name);
  return set;
}

export function isAugmentedTarget(n: Node): boolean {
  const p = n.parent;
  return !!p && p.type === 'augmented_assignment' && p.childForFieldName('left')?.startIndex === n.startIndex;
}

/** The nearest enclosing function definition or class definition node, or undefined at module level. */
export function enclosing(n: Node, type: 'function_definition' | 'class_definition'): Node | undefined {
  for (let p = n.parent; p; p = p.parent) if (p.type === type) return p;
  return undefined;
}

/** Every node of the subtree in document order. */
export function* walk(n: Node): Generator<Node> {
  yield n;
  for (const c of n.namedChildren) yield* walk(c);
}

/** The indentation of the line that contains offset. */
export function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}
