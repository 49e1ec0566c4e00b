/**
 * Stage B, casts: `cast(x, c_void_p)` (`_void_pointer`), `cast(p, POINTER(T))`, `cast(p, POINTER(c_char * n))[0]`
 * (`ffi.buffer`).
 */
import type { Node } from 'web-tree-sitter';
import { callParts, keyOf, unparen } from '../../syntax';
import { pyString } from './syntax';
import type { ModulePlanner } from './planner';
import { typeOf } from './types';

export function planCast(pl: ModulePlanner, n: Node, value: Node, type: Node): void {
  const f = pl.plan.ffi;
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
      pl.plan.helpers.add('pointer');
      pl.plan.usesFfi = true;
      pl.plan.converted.casts++;
      pl.rewrite(n, (inner) => `${f}.cast(${pyString(`${t.c} *`)}, _as_pointer(${inner(value)}))`);
      return;
    }
  }
  pl.refuse(n, `cast to ${type.text}: no cffi rewrite in this plan`);
}
