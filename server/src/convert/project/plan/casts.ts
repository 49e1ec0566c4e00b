/**
 * Stage B, casts: `cast(x, c_void_p)` (`_void_pointer`), `cast(p, POINTER(T))`, `cast(p, POINTER(c_char * n))[0]`
 * (`ffi.buffer`).
 */
import type { Node } from 'web-tree-sitter';
import { callParts, keyOf, unparen } from '../../syntax';
import { assignedName, isTarget, pyString, scopeOf } from './syntax';
import { within } from './moduleIndex';
import { usesOf } from './values';
import type { ModulePlanner } from './planner';
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
      const odd = unlikeCffiPointer(pl, n);
      if (odd) {
        pl.refuse(odd, `${odd.text} reads the ctypes pointer that cast(…, ${type.text}) makes in a way a cffi pointer does not (cffi has no .contents, and a slice of it is no list)`);
        return;
      }
      pl.plan.helpers.add('pointer');
      pl.plan.usesFfi = true;
      pl.plan.converted.casts++;
      const cast = (inner: (n: Node) => string): string => `${f}.cast(${pyString(`${t.c} *`)}, _as_pointer(${inner(value)}))`;
      // cast(p, POINTER(T)).contents.value read at once: the item p points to
      const contents = contentsValue(n);
      if (contents) pl.rewrite(contents, (inner) => `${cast(inner)}[0]`);
      else pl.rewrite(n, cast);
      return;
    }
  }
  pl.refuse(n, `cast to ${type.text}: no cffi rewrite in this plan`);
}

/** `p.contents.value` read (not stored, not deleted): the `.value` node. */
function contentsValue(p: Node): Node | undefined {
  const c = p.parent;
  if (c?.type !== 'attribute' || c.childForFieldName('object')?.id !== p.id || c.childForFieldName('attribute')?.text !== 'contents') return undefined;
  const v = c.parent;
  if (v?.type !== 'attribute' || v.childForFieldName('object')?.id !== c.id || v.childForFieldName('attribute')?.text !== 'value') return undefined;
  return isTarget(v) || v.parent?.type === 'delete_statement' ? undefined : v;
}

/**
 * A use of the pointer `cast(…, POINTER(T))` gives (the cast itself, or a name it is assigned to) that a cffi
 * `T *` does not answer as ctypes did: `.contents` but `.contents.value` read, a slice (ctypes gives a list).
 */
function unlikeCffiPointer(pl: ModulePlanner, n: Node): Node | undefined {
  const target = assignedName(n);
  const scope = target && scopeOf(target);
  const uses = target ? usesOf(pl, target) ?? within(pl.nodes.identifiers.get(target.text) ?? [], scope!.startIndex, scope!.endIndex) : [n];
  for (const u of uses) {
    const p = u.parent;
    if (p?.type === 'attribute' && p.childForFieldName('object')?.id === u.id) {
      if (p.childForFieldName('attribute')?.text === 'contents' && !(u.id === n.id && contentsValue(n))) return p;
    }
    if (p?.type === 'subscript' && p.childForFieldName('value')?.id === u.id && p.childForFieldName('subscript')?.type === 'slice') return p;
  }
  return undefined;
}
