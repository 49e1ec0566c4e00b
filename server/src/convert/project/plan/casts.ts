/**
 * Stage B, casts: `cast(x, c_void_p)` (`_void_pointer`), `cast(p, POINTER(T))`, `cast(p, POINTER(c_char * n))[0]`
 * (`ffi.buffer`).
 */
import type { Node } from 'web-tree-sitter';
import { callParts, intLiteral, keyOf, unparen } from '../../syntax';
import { pyString } from './syntax';
import type { ModulePlanner, Rewrite } from './planner';
import { assignedName, isTarget, scopeOf } from './syntax';
import { within } from './moduleIndex';
import { type CType, fitsCInteger, isIntegral } from '../../typeNames';
import { foreignParam, variadicArg } from './callees';
import { usesOf } from './values';
import { typeOf } from './types';

export function planCast(pl: ModulePlanner, n: Node, value: Node, type: Node): void {
  const f = pl.plan.ffi;
  // planned with what it casts (fieldStructs.ts: a converted struct's address, the struct at an address)
  if (pl.plan.rewrites.has(keyOf(n))) return;
  if (pl.ctypes(type) === 'c_void_p') {
    // `cast(a, c_void_p).value` of a cffi array is its address already (addresses.ts): the cast is not rendered
    if (n.parent?.type === 'attribute' && pl.plan.rewrites.has(keyOf(n.parent))) return;
    pl.plan.helpers.add('voidPointer');
    pl.plan.usesFfi = true;
    pl.plan.converted.casts++;
    pl.rewrite(n, (inner) => `_void_pointer(${inner(value)})`);
    return;
  }
  const tp = callParts(type);
  if (tp && pl.ctypes(tp.callee) === 'POINTER' && tp.args.length === 1) {
    const to = unparen(tp.args[0]!);
    // cast(p, POINTER(c_char * n))[0]: the n bytes at p
    if (to.type === 'binary_operator' && to.child(1)?.type === '*' && pl.ctypes(to.childForFieldName('left')) === 'c_char') {
      const sub = n.parent;
      const count = to.childForFieldName('right')!;
      if (sub?.type === 'subscript' && sub.childForFieldName('value')?.startIndex === n.startIndex && sub.childForFieldName('subscript')?.text === '0') {
        pl.plan.helpers.add('pointer');
        pl.plan.usesFfi = true;
        pl.plan.converted.casts++;
        pl.plan.notes.push(`${pl.mod.name}: cast(p, POINTER(c_char * n))[0] becomes ffi.buffer(p, n): the same bytes through bytes(), slicing and the buffer protocol; a ctypes array's .raw/.value are not there`);
        pl.rewrite(sub, (inner) => `${f}.buffer(${f}.cast("char *", _as_pointer(${inner(value)})), ${inner(count)})`);
        return;
      }
    }
    const t = typeOf(pl, to);
    if (t && t.k === 'prim') {
      const reads = pointerUses(pl, n, t);
      if (!reads) return pl.refuse(n, `cast(…, ${type.text}) is used here in a way the plan does not rewrite (a ctypes pointer's .contents, slices and stores are not a cffi pointer's)`);
      for (const [node, r] of reads) pl.rewrite(node, r);
      pl.plan.helpers.add('pointer');
      pl.plan.usesFfi = true;
      pl.plan.converted.casts++;
      pl.rewrite(n, (inner) => `${f}.cast(${pyString(`${t.c} *`)}, _as_pointer(${inner(value)}))`);
      return;
    }
  }
  pl.refuse(n, `cast to ${type.text}: no cffi rewrite in this plan`);
}

/**
 * The uses of a `cast(p, POINTER(T))` result (T a number type) that a cffi `T *` gives alike: an item read at an
 * index (not a slice: ctypes gives a list), `.contents.value` read (`[0]`, added to the rewrites), handed to a
 * converted foreign call, measured by `sizeof`; through a name assigned once, each of its uses. Undefined for any other use.
 */
function pointerUses(pl: ModulePlanner, n: Node, t: Extract<CType, { k: 'prim' }>): [Node, Rewrite][] | undefined {
  const out: [Node, Rewrite][] = [];
  const ok = (u: Node, name: string | undefined): boolean => {
    const a = u.parent!;
    if (a.type === 'parenthesized_expression') return false;
    if (a.type === 'subscript' && a.childForFieldName('value')?.id === u.id) {
      const subs = a.childrenForFieldName('subscript');
      if (subs.length !== 1 || subs[0]!.type === 'slice' || a.parent?.type === 'delete_statement') return false;
      if (!isTarget(a)) return true;
      // a store: a pointer or a float as it is; an integer only a literal in range (ctypes truncates, cffi raises)
      const asg = a.parent;
      if (asg?.type !== 'assignment' || asg.childForFieldName('left')?.id !== a.id) return false;
      const lit = intLiteral(asg.childForFieldName('right'));
      return !isIntegral(t) || (lit !== undefined && fitsCInteger(t.c, lit));
    }
    if (a.type === 'attribute' && a.childForFieldName('attribute')?.text === 'contents') {
      const v = a.parent;
      if (v?.type !== 'attribute' || v.childForFieldName('attribute')?.text !== 'value' || isTarget(v) || v.parent?.type === 'delete_statement') return false;
      out.push([v, name === undefined ? (inner) => `${inner(u)}[0]` : () => `${name}[0]`]);
      return true;
    }
    // sizeof(p): a pointer's size (addresses.ts rewrites it for an array's cast; otherwise ctypes stays and the check refuses)
    const sz = a.type === 'argument_list' ? callParts(a.parent!) : undefined;
    if (sz && sz.args.length === 1 && pl.ctypes(sz.callee) === 'sizeof') return true;
    const p = foreignParam(pl, u);
    return p?.k === 'ptr' || (p?.k === 'prim' && p.ctypes === 'c_void_p') || variadicArg(pl, u);
  };
  const target = assignedName(n);
  if (target) {
    const uses = usesOf(pl, target) ?? usesAfter(pl, target);
    return uses?.every((u) => ok(u, target.text)) ? out : undefined;
  }
  return ok(n, undefined) ? out : undefined;
}

/**
 * `p = cast(p, POINTER(T))` rebinding a parameter or an earlier value, as a statement of its function's own block:
 * the reads of p after it, when nothing binds p again there and no nested function reads it.
 */
function usesAfter(pl: ModulePlanner, target: Node): Node[] | undefined {
  const st = target.parent?.type === 'assignment' ? target.parent.parent : undefined;
  const scope = scopeOf(target);
  if (st?.type !== 'expression_statement' || scope.type !== 'function_definition' || st.parent?.id !== scope.childForFieldName('body')?.id) return undefined;
  const out: Node[] = [];
  for (const id of within(pl.nodes.identifiers.get(target.text) ?? [], st.endIndex, scope.endIndex)) {
    if (id.parent?.type === 'attribute' && id.parent.childForFieldName('attribute')?.id === id.id) continue;
    if (id.parent?.type === 'keyword_argument' && id.parent.childForFieldName('name')?.id === id.id) continue;
    if (isTarget(id) || scopeOf(id).id !== scope.id || ['global_statement', 'nonlocal_statement', 'delete_statement'].includes(id.parent!.type)) return undefined;
    out.push(id);
  }
  return out;
}
