/** errno: `ctypes.get_errno/set_errno` become `ffi.errno` only when every library that sees errno becomes cffi (the plan's libraries and handles). */
import type { Node } from 'web-tree-sitter';
import { keyOf } from '../syntax';
import type { Rewriter } from './rewriter';

/**
 * ctypes.get_errno() reads ctypes' own copy of errno, which only calls through a `use_errno=True` library
 * or prototype update; ffi.errno sees every cffi call. So ffi.errno is equivalent only when every library
 * is loaded with use_errno and becomes cffi; when none is (and no prototype asks for it), ctypes' copy
 * never sees C and the errno calls stay ctypes; anything between refuses the file (errnoRefusal).
 */
export function errnoPolicy(rw: Rewriter): ErrnoPolicy {
  if (rw.errnoPolicyCache) return rw.errnoPolicyCache;
  const libs = [...new Set(rw.p.libraries.values())];
  const prototypeErrno = rw.p.input.nodesOf('keyword_argument').some((n) => n.childForFieldName('name')?.text === 'use_errno' && errnoOn(n.childForFieldName('value') ?? undefined) && !libs.some((l) => l.load.startIndex <= n.startIndex && n.endIndex <= l.load.endIndex));
  rw.errnoPolicyCache = errnoPolicyOf(libs.map((l) => ({ useErrno: errnoOn(l.keywords.get('use_errno')), staysCtypes: !!(l.human || l.handle) })), prototypeErrno);
  return rw.errnoPolicyCache;
}

export type ErrnoPolicy = { keep?: string; refuse?: string };

/** Is `use_errno=` given a true value (a literal other than False, 0, None)? */
export const errnoOn = (kw: Node | null | undefined): boolean => !!kw && !/^(False|0|None)$/.test(kw.text);

/**
 * The rule above for a set of libraries (both engines ask it): `keep` when none sees errno (ctypes' copy never
 * sees C's), `refuse` when only some do or some stay ctypes, {} when ffi.errno is ctypes.get_errno().
 */
export function errnoPolicyOf(libs: readonly { useErrno: boolean; staysCtypes: boolean }[], prototypeErrno: boolean): ErrnoPolicy {
  const withErrno = libs.filter((l) => l.useErrno);
  if (!withErrno.length && !prototypeErrno) return { keep: `ctypes.get_errno/set_errno stay: ${libs.length ? 'the library is' : 'the libraries are'} loaded without use_errno=True, so ctypes' errno never sees C's; ffi.errno would` };
  if (prototypeErrno || withErrno.length < libs.length || libs.some((l) => l.staysCtypes)) return { refuse: 'ctypes.get_errno() sees only the calls of use_errno=True libraries and prototypes, some of which stay ctypes here: ffi.errno would see other calls' };
  return {};
}

/** Why the file cannot convert for its errno reads: ffi.errno in the output while some foreign calls stay ctypes. */
export function findErrnoCalls(rw: Rewriter): Node[] {
  // a call whose callee reaches ctypes.get_errno/set_errno spells the name somewhere in the text (its import, at least)
  if (!rw.p.text.includes('_errno')) return [];
  return rw.p.input.nodesOf('call').filter((n) => /^[gs]et_errno$/.test(rw.p.ctypesName(n.childForFieldName('function')) ?? ''));
}

export function errnoRefusal(rw: Rewriter): string | undefined {
  const calls = findErrnoCalls(rw);
  if (!calls.length) return undefined;
  const policy = errnoPolicy(rw);
  if (policy.keep) return undefined;
  if (policy.refuse) return policy.refuse;
  if (rw.handles.size) return `ctypes.get_errno() would become ffi.errno while ${[...rw.handles].join(', ')} keeps functions in ctypes, whose errno ffi.errno does not see`;
  if (calls.some((n) => !rw.errnoRewritten.has(keyOf(n)))) return 'a ctypes.get_errno/set_errno call stays ctypes here while its library becomes cffi: ctypes\' errno would no longer see the calls';
  return undefined;
}

/** `get_errno()` → `ffi.errno`, `set_errno(v)` as a statement → `ffi.errno = v`, when the errno policy allows it. */
export function errnoRule(rw: Rewriter, n: Node, cn: 'get_errno' | 'set_errno', a: Node[]): ((r: Rewriter) => string) | undefined {
  const F = rw.F;
  const policy = errnoPolicy(rw);
  if (policy.keep || policy.refuse) return undefined;
  const done = () => rw.errnoRewritten.add(keyOf(n));
  if (cn === 'get_errno') return a.length === 0 ? () => (done(), `${F}.errno`) : undefined;
  if (a.length === 1 && n.parent?.type === 'expression_statement') return (r) => (done(), `${F}.errno = ${r.R(a[0]!)}`);
  return undefined;
}
