/**
 * What a TODO says and how many there are: one per cause (the first place it shows, with how many more
 * there are), consequences of a cause that has its own TODO left out, and for a ctypes name no rule
 * converts, what cffi offers instead and the next step.
 */
import { sameReason } from './todoComments';

/** What cffi has in place of a ctypes name (domain-facts §4), for the TODO of a use no rule covers. */
const CFFI_FOR: Record<string, string> = {
  pointer: 'cffi has no pointer(): ffi.new("T *", value) makes one, ffi.addressof(cdata) points into one',
  byref: 'pass the ffi.new("T *") cell itself where ctypes passed byref(x)',
  cast: 'ffi.cast("T", x) for C values, ffi.from_buffer(b) for a pointer into Python bytes',
  sizeof: 'ffi.sizeof("T") or ffi.sizeof(cdata)',
  alignment: 'ffi.alignof("T")',
  addressof: 'ffi.addressof(cdata); int(ffi.cast("uintptr_t", p)) for the number',
  create_string_buffer: 'ffi.new("char[]", n_or_bytes), read with ffi.string or ffi.buffer',
  create_unicode_buffer: 'ffi.new("wchar_t[]", n_or_str)',
  string_at: 'ffi.string(p) or ffi.buffer(p, n)[:]',
  wstring_at: 'ffi.string(ffi.cast("wchar_t *", p))',
  memmove: 'ffi.memmove(dest, src, n)',
  memset: 'declare memset in the cdef, or ffi.buffer(p, n)[:] = bytes(n)',
  Structure: 'declare the struct in the cdef and make it with ffi.new("struct S *")',
  Union: 'declare the union in the cdef and make it with ffi.new("union U *")',
  POINTER: 'the C type "T *" in cffi\'s type strings',
  CFUNCTYPE: 'ffi.callback("ret(args)", fn), kept alive while C may call it',
  get_errno: 'ffi.errno',
  set_errno: 'ffi.errno = v',
  ArgumentError: 'cffi raises TypeError (or OverflowError) for a bad argument',
  CDLL: 'ffi.dlopen(path) once its functions are declared in the cdef',
};

/** The TODO for a ctypes name still used where no conversion rule applies. */
export function leftoverReason(name: string): string {
  const hint = CFFI_FOR[name] ?? (/^c_/.test(name) ? `a plain Python value where C takes it by value, ffi.new("T *", v) for a cell C writes into, "T" in cffi's type strings` : undefined);
  return `ctypes.${name} stays: no conversion rule covers this use, so this statement keeps ctypes (slow on PyPy); rewrite it with cffi${hint ? ` (${hint})` : ''}, then convert again`;
}

const MORE = / \(the same at \d+ more places? below\)$/;
const USED_WHERE = /^\S+ is used where ctypes stays \((.*)\)$/;
const CONSEQUENCE = /^\S+ (?:flows into \S+, which stays in ctypes|holds a value that stays in ctypes)$/;

/** A reason without the count of the places it also applies to. */
export const baseReason = (r: string): string => r.replace(MORE, '');

/** The cause behind a consequence: "x is used where ctypes stays (R)" is R's. */
function rootOf(reason: string): string {
  let r = reason;
  for (let m = USED_WHERE.exec(r); m; m = USED_WHERE.exec(r)) r = m[1]!;
  return r;
}

/**
 * One TODO per cause: items in document order, each cause's first place kept (saying how many more places
 * share it), with the cause's own words; none for a cause the text already has a TODO for; none for
 * "x flows into y, which stays in ctypes" or "y holds a value that stays in ctypes" beside another cause.
 */
export function oneTodoPerCause<T extends { reason: string; start: number }>(items: readonly T[], existing: readonly string[]): T[] {
  const has = (r: string): boolean => existing.some((e) => sameReason(baseReason(e), r));
  const kept = new Map<string, { item: T; more: number; own: boolean }>();
  // asked once, not per item (thousands of consequences in a long file)
  const anotherCause = items.some((i) => !CONSEQUENCE.test(i.reason)) || existing.length > 0;
  for (const item of [...items].sort((a, b) => a.start - b.start)) {
    // a value handed to or taken from a name that stays ctypes: that name's cause has (or had) the TODO
    if (CONSEQUENCE.test(item.reason) && anotherCause) continue;
    const root = rootOf(item.reason);
    if (has(root) || has(item.reason)) continue;
    const k = root.replace(/\s+/g, ' ').trim();
    const seen = kept.get(k);
    const own = root === item.reason;
    if (!seen) kept.set(k, { item: { ...item, reason: root }, more: 0, own });
    // at the cause itself rather than where a value it keeps in ctypes is made; its other places counted
    else if (own && !seen.own) Object.assign(seen, { item, own: true });
    else if (own) seen.more++;
  }
  return [...kept.values()].map(({ item, more }) => (more ? { ...item, reason: `${item.reason} (the same at ${more} more place${more > 1 ? 's' : ''} below)` } : item));
}
