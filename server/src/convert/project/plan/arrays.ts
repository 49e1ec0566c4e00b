/**
 * Stage B, arrays of numbers: `(c_int * n)(a, b, …)`, `(c_double * n)(*values)`, `(c_int * n)()` → a cffi array
 * (`ffi.new("int[n]", …)`), when every use is one whose result is the same on both: handed to a converted
 * foreign call's pointer parameter, `len`, `list`, `sum`, iteration, `sizeof`, items read (a ctypes array takes
 * negative indices and gives lists for slices: `list(a)[i]`), items stored at a literal index; their addresses
 * (`addressof`, `cast`, `from_address`) are addresses.ts's.
 */
import type { Node } from 'web-tree-sitter';
import { callParts, intLiteral, unparen } from '../../syntax';
import { type CType, isIntegral, typeString } from '../../typeNames';
import { typeOf } from './types';
import { assignedName, isTarget, pyString } from './syntax';
import type { ModulePlanner, Rewrite } from './planner';
import { foreignParam, untypedArg } from './callees';
import { usesOf } from './values';
import { arrayAddressUse } from './addresses';

/** `(c_T * n)` with T a number type and n an integer literal: the element type and the length, else undefined. */
export function numberArrayType(pl: ModulePlanner, callee: Node): { of: CType; n: number } | undefined {
  const t = unparen(callee);
  if (t.type !== 'binary_operator' || t.child(1)?.type !== '*') return undefined;
  const n = intLiteral(t.childForFieldName('right'));
  const of = typeOf(pl, t.childForFieldName('left')!);
  if (n === undefined || n < 0 || !of || of.k !== 'prim') return undefined;
  const number = (isIntegral(of) && of.ctypes !== 'c_bool') || of.ctypes === 'c_float' || of.ctypes === 'c_double';
  return number ? { of, n } : undefined;
}

/** Functions whose result from a ctypes array of numbers and from a cffi one are the same. */
const READERS = new Set(['len', 'list', 'sum', 'min', 'max', 'sorted', 'tuple']);

export function planNumberArray(pl: ModulePlanner, call: Node, type: { of: CType; n: number }): void {
  const parts = callParts(call)!;
  const f = pl.plan.ffi;
  const decl = pyString(`${typeString(type.of)}[${type.n}]`);
  const argList = parts.argList.namedChildren.filter((c) => c.type !== 'comment');
  if (parts.keywords.size || argList.some((a) => a.type === 'dictionary_splat') || (parts.splat && argList.length !== 1)) {
    pl.refuse(call, `${call.text.slice(0, 60)}: an array made with keywords or several splats, which the plan does not rewrite`);
    return;
  }
  const make: Rewrite = (inner) => {
    if (!argList.length) return `${f}.new(${decl})`;
    if (parts.splat) return `${f}.new(${decl}, list(${inner(argList[0]!.namedChildren[0]!)}))`;
    return `${f}.new(${decl}, [${argList.map((a) => inner(a)).join(', ')}])`;
  };
  const planned = (): void => {
    pl.consumed.push(parts.callee);
    pl.plan.usesFfi = true;
    pl.plan.converted.cells++;
  };
  // used at once: `(c_int * 2)()[5]` (IndexError on both), `list((c_int * 3)(1, 2))`
  const up = call.parent;
  if (up?.type === 'subscript' && up.childForFieldName('value')?.id === call.id && !isTarget(up)) {
    planned();
    pl.rewrite(up, (inner) => `list(${make(inner)})[${inner(up.childForFieldName('subscript')!)}]`);
    return;
  }
  if (up?.type === 'argument_list' && readerCall(pl, up.parent!)) {
    planned();
    pl.rewrite(call, make);
    return;
  }
  const target = assignedName(call);
  const uses = target ? usesOf(pl, target) : undefined;
  if (!target || !uses) {
    pl.refuse(call, `a ctypes array ${parts.callee.text} the plan cannot follow`);
    return;
  }
  const rewrites: [Node, Rewrite][] = [];
  for (const u of uses) {
    const p = u.parent!;
    if (p.type === 'subscript' && p.childForFieldName('value')?.id === u.id && p.namedChildren.length === 2) {
      const sub = p.childForFieldName('subscript')!;
      const k = intLiteral(sub);
      if (k !== undefined && k >= 0 && k < type.n) continue; // the same item, and the same store
      if (!isTarget(p)) {
        rewrites.push([p, (inner) => `list(${target.text})[${inner(sub)}]`]);
        continue;
      }
    }
    if (p.type === 'argument_list') {
      if (arrayAddressUse(pl, u, target, rewrites)) continue;
      const param = foreignParam(pl, u);
      if (param?.k === 'ptr' || (param?.k === 'prim' && param.ctypes === 'c_void_p') || untypedArg(pl, u)) continue;
      if (readerCall(pl, p.parent!)) continue;
      const c = callParts(p.parent!);
      if (c && pl.ctypes(c.callee) === 'sizeof' && c.args.length === 1) {
        rewrites.push([p.parent!, () => `${f}.sizeof(${target.text})`]);
        continue;
      }
    }
    // `for v in a`, `[v * 2 for v in a]`: the items, as numbers on both
    if ((p.type === 'for_statement' || p.type === 'for_in_clause') && p.childForFieldName('right')?.id === u.id) continue;
    pl.refuse(u, `${target.text} (a ctypes array) is used here in a way the plan does not rewrite`);
    return;
  }
  planned();
  for (const [node, r] of rewrites) pl.rewrite(node, r);
  pl.rewrite(call, make);
}

export function readerCall(pl: ModulePlanner, call: Node): boolean {
  const c = callParts(call);
  return !!c && c.callee.type === 'identifier' && READERS.has(c.callee.text) && c.args.length === 1 && !c.keywords.size && !c.splat && !pl.b.assigned.has(c.callee.text);
}
