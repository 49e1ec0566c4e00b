/**
 * Stage A, callback types written where they are applied: `@CFUNCTYPE(R, A…)` above a def and
 * `CFUNCTYPE(R, A…)(func)` → `_callback_type("R(A…)")`, the factory a named `CB = CFUNCTYPE(…)` becomes
 * (types.ts), so the callback receives its arguments as ctypes gave them.
 */
import type { Node } from 'web-tree-sitter';
import { callParts } from '../../syntax';
import { declare } from '../../typeNames';
import { pyString } from './syntax';
import type { ModulePlanner } from './planner';
import { callbackSignature } from './types';

/**
 * Only where the type is applied at once to one function: the decorator's expression, or the callee of a call
 * with one positional argument. The type object itself never reaches other code, so a factory that makes the
 * same C callback is all it was; any other inline `CFUNCTYPE(…)` is left for the output check to refuse.
 */
export function collectInlineCallbacks(pl: ModulePlanner): void {
  for (const n of pl.nodes.calls) {
    const parts = callParts(n);
    if (!parts || pl.ctypes(parts.callee) !== 'CFUNCTYPE' || parts.keywords.size || parts.splat) continue;
    if (!appliedAtOnce(n)) continue;
    const type = callbackSignature(pl, parts.args, '');
    if (!type) {
      pl.refuse(n, 'a callback type whose argument or result types have no cffi equivalent here');
      continue;
    }
    pl.consumed.push(n);
    pl.plan.helpers.add('callback');
    pl.plan.converted.callbacks++;
    pl.rewrite(n, () => `_callback_type(${pyString(declare(type, ''))})`);
  }
}

/** `@CFUNCTYPE(…)` as a decorator, or `CFUNCTYPE(…)(f)` with one positional argument. */
function appliedAtOnce(n: Node): boolean {
  const up = n.parent;
  if (up?.type === 'decorator') return true;
  if (up?.type !== 'call' || up.childForFieldName('function')?.id !== n.id) return false;
  const outer = callParts(up);
  return !!outer && outer.args.length === 1 && !outer.keywords.size && !outer.splat;
}
