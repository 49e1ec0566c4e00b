/**
 * Stage B, addresses of the cffi arrays the plan makes (arrays.ts): `addressof(a)` → the same int address,
 * `cast(a, c_void_p).value` → that int, `cast(a, POINTER(T))` read by index at once or through a name that lives
 * no longer than `a`, `c_T.from_address(addr).value` and `(c_T * n).from_address(addr)[:]` of such an address,
 * and `c_void_p(addressof(a))` cast back to a pointer and read by index. An int address keeps nothing alive in
 * either library; `ctypes.cast` keeps its source alive and `ffi.cast` does not, hence the rules on the name.
 */
import type { Node } from 'web-tree-sitter';
import { callParts, intLiteral, keyOf, unparen } from '../../syntax';
import { type CType, isIntegral, typeString } from '../../typeNames';
import { typeOf } from './types';
import { assignedName, isTarget, pyString, scopeOf } from './syntax';
import type { ModulePlanner, Rewrite } from './planner';
import { usesOf } from './values';

/** A number type whose items read the same through a ctypes and a cffi pointer (no bool, char or pointer). */
export function numberPrim(t: CType | undefined): (CType & { k: 'prim' }) | undefined {
  if (t?.k !== 'prim') return undefined;
  return (isIntegral(t) && t.ctypes !== 'c_bool') || t.ctypes === 'c_float' || t.ctypes === 'c_double' ? t : undefined;
}

/** `cast(x, POINTER(T))` with T a number type: the call's parts and T, else undefined. */
function pointerCast(pl: ModulePlanner, call: Node): { value: Node; to: CType & { k: 'prim' } } | undefined {
  const c = callParts(call);
  if (!c || c.keywords.size || c.splat || c.args.length !== 2 || pl.ctypes(c.callee) !== 'cast') return undefined;
  const tp = callParts(c.args[1]!);
  if (!tp || pl.ctypes(tp.callee) !== 'POINTER' || tp.args.length !== 1 || tp.keywords.size || tp.splat) return undefined;
  const to = numberPrim(typeOf(pl, tp.args[0]!));
  return to ? { value: c.args[0]!, to } : undefined;
}

/** `p[i]` read (an index, not a slice, not a store): what a ctypes and a cffi pointer read alike. */
function indexRead(n: Node): boolean {
  const p = n.parent;
  if (p?.type !== 'subscript' || p.childForFieldName('value')?.id !== n.id || isTarget(p) || p.parent?.type === 'delete_statement') return false;
  const subs = p.namedChildren.slice(1).filter((c) => c.type !== 'comment');
  return subs.length === 1 && subs[0]!.type !== 'slice';
}

/** Is u (a use of a name) `cast(u, POINTER(T))[i]`, read at once? */
export function castReadAtOnce(pl: ModulePlanner, u: Node): boolean {
  const call = u.parent?.type === 'argument_list' ? u.parent.parent : undefined;
  const c = call ? pointerCast(pl, call) : undefined;
  return !!c && c.value.id === u.id && indexRead(call!);
}

/**
 * One use u of a cffi array named by `target` (planned by arrays.ts) that takes its address: true when the use is
 * one of this file's, with its rewrites pushed; false leaves the use to the caller (which refuses it).
 */
export function arrayAddressUse(pl: ModulePlanner, u: Node, target: Node, rewrites: [Node, Rewrite][]): boolean {
  const call = u.parent?.type === 'argument_list' ? u.parent.parent! : undefined;
  const c = call ? callParts(call) : undefined;
  if (!c || c.keywords.size || c.splat || c.args[0]?.id !== u.id) return false;
  const f = pl.plan.ffi;
  const m = pl.ctypes(c.callee);
  const address = `int(${f}.cast("uintptr_t", ${u.text}))`;
  if (m === 'addressof' && c.args.length === 1) {
    rewrites.push([call!, () => address]);
    return true;
  }
  if (m === 'cast' && c.args.length === 2 && pl.ctypes(c.args[1]) === 'c_void_p') {
    // cast(a, c_void_p).value: the address (never None: the array is allocated)
    const up = call!.parent;
    if (up?.type !== 'attribute' || up.childForFieldName('object')?.id !== call!.id || up.childForFieldName('attribute')?.text !== 'value' || isTarget(up)) return false;
    rewrites.push([up, () => address]);
    return true;
  }
  if (!pointerCast(pl, call!)) return false;
  // planCast (casts.ts) rewrites the cast itself; here only whether its result outlives the array
  if (indexRead(call!)) return true;
  const name = assignedName(call!);
  if (!name || name.parent?.type !== 'assignment' || name.parent.childForFieldName('right')?.id !== call!.id) return false;
  return castResultUses(pl, name, target, rewrites);
}

/**
 * `p = cast(a, POINTER(T))`: ffi.cast keeps `a` alive no more, so p's uses must all run while the name `a` still holds
 * the array p points into: p and a assigned once, in the same scope, a's statement before p's in one block, every
 * use of p in a later statement of that block. The uses: items read by index, `sizeof(p)` (a pointer's size).
 */
function castResultUses(pl: ModulePlanner, p: Node, a: Node, rewrites: [Node, Rewrite][]): boolean {
  const uses = usesOf(pl, p);
  const pStatement = statementIn(p);
  const aStatement = statementIn(a);
  if (!uses || !pStatement || !aStatement || scopeOf(p).id !== scopeOf(a).id || pStatement.parent?.id !== aStatement.parent?.id || aStatement.startIndex >= pStatement.startIndex) return false;
  const block = pStatement.parent!;
  const later = block.namedChildren.filter((s) => s.startIndex >= pStatement.endIndex);
  const out: [Node, Rewrite][] = [];
  for (const u of uses) {
    if (scopeOf(u).id !== scopeOf(p).id || !later.some((s) => s.startIndex <= u.startIndex && u.endIndex <= s.endIndex)) return false;
    if (indexRead(u)) continue;
    const call = u.parent?.type === 'argument_list' ? u.parent.parent! : undefined;
    const c = call ? callParts(call) : undefined;
    if (c && c.args.length === 1 && !c.keywords.size && !c.splat && pl.ctypes(c.callee) === 'sizeof') {
      out.push([call!, () => `${pl.plan.ffi}.sizeof(${p.text})`]);
      continue;
    }
    return false;
  }
  rewrites.push(...out);
  return true;
}

/** The statement an assignment target's assignment is, when it is a statement of its own. */
function statementIn(target: Node): Node | undefined {
  const a = target.parent;
  return a?.type === 'assignment' && a.parent?.type === 'expression_statement' ? a.parent : undefined;
}

/**
 * An int address the plan made from a cffi array: `addressof(a)` already rewritten (arrays.ts), alone or plus or
 * minus an integer literal. Anything else handed to from_address (a float, None) raised in ctypes, where ffi.cast
 * may not.
 */
export function plannedAddress(pl: ModulePlanner, n: Node): boolean {
  const u = unparen(n);
  if (u.type === 'binary_operator' && (u.child(1)?.type === '+' || u.child(1)?.type === '-')) {
    return plannedAddress(pl, u.childForFieldName('left')!) && intLiteral(u.childForFieldName('right')) !== undefined;
  }
  const c = callParts(u);
  return !!c && pl.ctypes(c.callee) === 'addressof' && pl.plan.rewrites.has(keyOf(u));
}

/**
 * `c_T.from_address(addr).value` → `ffi.cast("T *", addr)[0]`; `(c_T * n).from_address(addr)[:]` →
 * `ffi.unpack(ffi.cast("T *", addr), n)`, `[i]` with a literal i in range → `ffi.cast("T *", addr)[i]`; addr a
 * planned address. True when planned; anything else is left (it stays ctypes, and the output check refuses it).
 */
export function planFromAddress(pl: ModulePlanner, call: Node): boolean {
  const c = callParts(call);
  const callee = c ? unparen(c.callee) : undefined;
  if (!c || callee?.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== 'from_address' || c.args.length !== 1 || c.keywords.size || c.splat) return false;
  if (!plannedAddress(pl, c.args[0]!)) return false;
  const owner = unparen(callee.childForFieldName('object')!);
  const f = pl.plan.ffi;
  const addr = c.args[0]!;
  const up = call.parent;
  const single = numberPrim(typeOf(pl, owner));
  if (single) {
    if (up?.type !== 'attribute' || up.childForFieldName('object')?.id !== call.id || up.childForFieldName('attribute')?.text !== 'value' || isTarget(up)) return false;
    pl.rewrite(up, (inner) => `${f}.cast(${pyString(`${typeString(single)} *`)}, ${inner(addr)})[0]`);
    return done(pl, owner);
  }
  if (owner.type !== 'binary_operator' || owner.child(1)?.type !== '*') return false;
  const of = numberPrim(typeOf(pl, owner.childForFieldName('left')!));
  const n = intLiteral(owner.childForFieldName('right'));
  if (!of || n === undefined || n < 0 || up?.type !== 'subscript' || up.childForFieldName('value')?.id !== call.id || isTarget(up)) return false;
  const subs = up.namedChildren.slice(1).filter((x) => x.type !== 'comment');
  const ptr = (inner: (x: Node) => string): string => `${f}.cast(${pyString(`${typeString(of)} *`)}, ${inner(addr)})`;
  if (subs.length === 1 && subs[0]!.type === 'slice' && subs[0]!.text.replace(/\s/g, '') === ':') {
    pl.rewrite(up, (inner) => `${f}.unpack(${ptr(inner)}, ${n})`);
    return done(pl, owner);
  }
  const k = subs.length === 1 ? intLiteral(subs[0]) : undefined;
  if (k === undefined || k < 0 || k >= n) return false;
  pl.rewrite(up, (inner) => `${ptr(inner)}[${k}]`);
  return done(pl, owner);
}

function done(pl: ModulePlanner, type: Node): boolean {
  pl.consumed.push(type);
  pl.plan.usesFfi = true;
  pl.plan.converted.casts++;
  return true;
}

/**
 * `v = c_void_p(addressof(a))` whose every use is `cast(v, POINTER(T))[i]`: a cffi `void *` of that address (an
 * int address in ctypes: nothing kept alive in either). True when planned. Not `c_void_p()` nor `c_void_p(None)`:
 * ctypes raised ValueError reading through NULL, cffi raises RuntimeError.
 */
export function planVoidAddress(pl: ModulePlanner, n: Node, args: Node[], uses: Node[]): boolean {
  const init = args[0];
  if (args.length !== 1 || !init || !plannedAddress(pl, init)) return false;
  if (!uses.length || !uses.every((u) => castReadAtOnce(pl, u))) return false;
  const f = pl.plan.ffi;
  pl.plan.usesFfi = true;
  pl.plan.converted.cells++;
  pl.rewrite(n, (inner) => `${f}.cast("void *", ${inner(init)})`);
  return true;
}
