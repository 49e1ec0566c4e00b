/** Constructors of ctypes values: scalar boxes (`c_int(v)`) and struct/array initializers, only for types the plan converts. */
import type { Node } from 'web-tree-sitter';
import { callParts, unparen } from '../syntax';
import { type CType, isPrim } from '../typeNames';
import type { Rewriter } from './rewriter';
import { kindOf } from './kinds';
import { INT_RANGES, evalInt } from './calls';
import { voidp } from './pointers';

export function primCtorRule(rw: Rewriter, n: Node, t: CType & { k: 'prim' }, a: Node[]): ((r: Rewriter) => string) | undefined {
  // c_int(v).value → the value as ctypes would have truncated it.
  const parent = n.parent;
  const F = rw.F;
  if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.text === 'value') return undefined; // handled by the attribute rule
  if (isPrim(t, 'c_char_p', 'c_wchar_p')) {
    if (a.length === 0) return () => `${F}.new(${rw.q(t.c + '*')})`;
    return undefined; // a pointer to a Python bytes object: left to the argument rules or a human
  }
  if (isPrim(t, 'c_void_p')) {
    if (a.length === 0) return () => `${F}.new("void **")`;
    return (r) => `${F}.new("void **", ${F}.cast("void *", ${r.R(a[0]!)}))`;
  }
  if (a.length === 0) return () => `${F}.new(${rw.q(t.c + ' *')})`;
  if (a.length !== 1) return undefined;
  return (r) => `${F}.new(${rw.q(t.c + ' *')}, ${boxInit(r, t, a[0]!)})`;
}

/** The initial value for `ffi.new("T *", v)`: wrapped in ffi.cast when ctypes would have truncated it. */
export function boxInit(rw: Rewriter, t: CType & { k: 'prim' }, v: Node): string {
  const range = INT_RANGES[t.ctypes];
  const lit = unparen(v);
  if (range && (lit.type === 'integer' || lit.type === 'unary_operator' || lit.type === 'binary_operator')) {
    const val = evalInt(lit);
    if (val === undefined || val < range[0] || val > range[1]) return `${rw.F}.cast(${rw.q(t.c)}, ${rw.R(v)})`;
  }
  if (t.ctypes === 'c_bool') return `bool(${rw.R(v)})`;
  return rw.R(v);
}

/** The text after the type in `ffi.new("struct S *"…)`: the initializer, if any. */
export function initSuffix(rw: Rewriter, t: CType & { k: 'struct' }, args: Node[], keywords: Map<string, Node>): string {
  if (!args.length && !keywords.size) return '';
  return `, ${structInit(rw, t, args, keywords)}`;
}

export function structInit(rw: Rewriter, t: CType & { k: 'struct' }, args: Node[], keywords: Map<string, Node>): string {
  const st = rw.p.structs.get(t.name)!;
  const fields = st.fields!;
  if (!keywords.size && !st.anonymous.length) return `[${args.map((x, i) => initValue(rw, x, fields[i]?.type)).join(', ')}]`;
  const entries: string[] = [];
  args.forEach((x, i) => entries.push(`${rw.q(fields[i]?.name ?? '?')}: ${initValue(rw, x, fields[i]?.type)}`));
  for (const [k, v] of keywords) entries.push(`${rw.q(k)}: ${initValue(rw, v, fields.find((f) => f.name === k)?.type)}`);
  return `{${entries.join(', ')}}`;
}

/** A value inside an ffi.new initializer for a member of type t. */
export function initValue(rw: Rewriter, x: Node, t: CType | undefined): string {
  const u = unparen(x);
  if (!t) return rw.R(x);
  const call = callParts(u);
  const ct = call ? rw.p.typeOf(call.callee) : undefined;
  if (call && ct?.k === 'struct' && t.k === 'struct' && rw.convertedStructs.has(ct.name)) return structInit(rw, ct, call.args, call.keywords);
  if (call && ct?.k === 'array' && !call.keywords.size) return `[${call.args.map((a) => initValue(rw, a, ct.of)).join(', ')}]`;
  if (call && ct?.k === 'prim' && call.args.length === 1 && !isPrim(ct, 'c_char_p', 'c_wchar_p', 'c_void_p')) return rw.R(call.args[0]!);
  if (u.type === 'none' && (t.k === 'ptr' || t.k === 'func' || isPrim(t, 'c_char_p', 'c_wchar_p', 'c_void_p'))) return `${rw.F}.NULL`;
  if ((u.type === 'tuple' || u.type === 'list') && t.k === 'array') return `[${u.namedChildren.map((a) => initValue(rw, a, t.of)).join(', ')}]`;
  if (isPrim(t, 'c_char_p', 'c_wchar_p') && u.type !== 'none') {
    rw.leave(x, 'ctypes keeps the bytes stored in a char* field alive; cffi needs an ffi.new("char[]", …) owned by something that outlives the struct');
    for (const sname of rw.p.structs.keys()) if (rw.p.structs.get(sname)!.fields?.some((f) => f.type === t)) rw.demote(`struct:${sname}`, 'bytes are stored in its char* field: ctypes keeps them alive, cffi needs an owner chosen by hand');
    return rw.R(x);
  }
  if (isPrim(t, 'c_void_p')) return voidp(rw, rw.R(x));
  const k = kindOf(rw, x);
  if (t.k === 'struct' && k?.k === 'ptr' && k.inst) return `${rw.R(x)}[0]`;
  return rw.R(x);
}
