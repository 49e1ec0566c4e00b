/**
 * Long lines of a cdef wrapped as C is written by hand: one declaration per line, one struct or union
 * member (one enumerator) per line, a long prototype's parameters on lines of their own.
 */

/** Splits at `sep` outside brackets. */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '{' || ch === '[') depth++;
    else if (ch === ')' || ch === '}' || ch === ']') depth--;
    if (ch === sep && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** The index of the bracket closing the one at `open`, or -1. */
function closing(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '(' || ch === '{' || ch === '[') depth++;
    else if (ch === ')' || ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** The first `{` outside brackets, or -1. */
function topBrace(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '{' && depth === 0) return i;
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
  }
  return -1;
}

/** The last `(` … `)` group outside brackets (a prototype's parameter list), or undefined. */
function lastParams(s: string): { open: number; close: number } | undefined {
  let found: { open: number; close: number } | undefined;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') {
      const c = closing(s, i);
      if (c < 0) return found;
      found = { open: i, close: c };
      i = c;
    } else if (s[i] === '{' || s[i] === '[') {
      const c = closing(s, i);
      if (c < 0) return found;
      i = c;
    }
  }
  return found;
}

/** One cdef line (without its line end) as lines of at most `max` columns where C allows. */
export function wrapCdefLine(line: string, max: number, unit = '    '): string[] {
  if (line.length <= max || /\/\/|\/\*|"|#/.test(line)) return [line];
  const indent = /^[ \t]*/.exec(line)![0];
  const body = line.slice(indent.length).trimEnd();
  const decls = splitTop(body, ';').map((d) => d.trim());
  const last = decls.pop();
  if (last) return [line]; // not a run of `…;` declarations: left as it is
  if (decls.length > 1) return decls.flatMap((d) => wrapDecl(indent, `${d};`, max, unit));
  return wrapDecl(indent, `${decls[0]};`, max, unit);
}

function wrapDecl(indent: string, decl: string, max: number, unit: string): string[] {
  const flat = `${indent}${decl}`;
  if (flat.length <= max) return [flat];
  const brace = topBrace(decl);
  if (brace >= 0) {
    const close = closing(decl, brace);
    if (close < 0) return [flat];
    const head = decl.slice(0, brace).trimEnd();
    const inner = decl.slice(brace + 1, close).trim();
    const tail = decl.slice(close + 1).trim();
    const isEnum = /^(typedef\s+)?enum\b/.test(head);
    const lines = [`${indent}${head} {`];
    if (isEnum) {
      const items = splitTop(inner, ',').map((m) => m.trim()).filter((m) => m);
      items.forEach((m, i) => lines.push(`${indent}${unit}${m}${i < items.length - 1 ? ',' : ''}`));
    } else {
      for (const m of splitTop(inner, ';').map((x) => x.trim()).filter((x) => x)) lines.push(...wrapDecl(indent + unit, `${m};`, max, unit));
    }
    lines.push(`${indent}}${tail.startsWith(';') ? '' : ' '}${tail}`);
    return lines;
  }
  const params = lastParams(decl);
  if (!params) return [flat];
  const head = decl.slice(0, params.open + 1);
  const items = splitTop(decl.slice(params.open + 1, params.close), ',').map((p) => p.trim());
  const tail = decl.slice(params.close);
  const together = `${indent}${unit}${items.join(', ')}`;
  if (together.length <= max) return [`${indent}${head}`, together, `${indent}${tail}`];
  return [`${indent}${head}`, ...items.map((p, i) => `${indent}${unit}${p}${i < items.length - 1 ? ',' : ''}`), `${indent}${tail}`];
}
