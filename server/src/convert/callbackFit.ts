/**
 * Whether a callback made from a ctypes prototype fits a C parameter of function-pointer type. cffi accepts
 * a callback only for a parameter of exactly its type (const aside), where ctypes passed any CFUNCTYPE to a
 * function without argtypes: `int(int *, int *)` for qsort's `int (*)(const void *, const void *)`.
 */

export type CallbackFit =
  /** The same C type: pass it as it is. */
  | 'same'
  /** Every difference is one pointer type for another (the same ABI, what C did under ctypes): pass `ffi.cast(param, cb)`. */
  | 'cast'
  /** A value type differs (int for long, a struct): C would call it with other arguments than its Python code reads. */
  | 'differs';

interface FnParts {
  ret: string;
  args: string[];
}

/** `R(A, B)` (a callback signature) or `R (*)(A, B)` (a parameter): its parts, normalised; undefined when it is neither. */
export function functionParts(text: string): FnParts | undefined {
  const t = normalise(text);
  const open = t.indexOf('(');
  if (open <= 0 || !t.endsWith(')')) return undefined;
  const ret = t.slice(0, open);
  const rest = t.startsWith('(*)(', open) ? t.slice(open + 3) : t.slice(open);
  const args = splitTopLevel(rest.slice(1, -1));
  return { ret, args: args.length === 1 && args[0] === 'void' ? [] : args };
}

/** How a callback of signature `callback` (`int(int *, int *)`) fits a parameter declared `param` (`int (*)(const void *, const void *)`). */
export function callbackFit(callback: string, param: string): CallbackFit {
  const cb = functionParts(callback);
  const p = functionParts(param);
  if (!cb || !p || cb.args.length !== p.args.length) return 'differs';
  const pairs: [string, string][] = [[cb.ret, p.ret], ...cb.args.map((a, i): [string, string] => [a, p.args[i]!])];
  if (pairs.every(([a, b]) => a === b)) return 'same';
  return pairs.every(([a, b]) => a === b || (isPointer(a) && isPointer(b))) ? 'cast' : 'differs';
}

function isPointer(t: string): boolean {
  return t.endsWith('*') || t.includes('(*)');
}

/** Without qualifiers and with spaces only between words: `const void *` → `void*`. */
function normalise(text: string): string {
  return text
    .replace(/\b(?:const|volatile|restrict)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/\s*([*(),])\s*/g, '$1')
    .trim();
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') depth--;
    else if (s[i] === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  if (s.slice(start).trim() || out.length) out.push(s.slice(start));
  return out.map((a) => a.trim());
}
