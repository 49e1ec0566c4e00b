/** Constructors of ctypes values: scalar boxes (`c_int(v)`) and struct/array initializers, only for types the plan converts. */
import type { Node } from 'web-tree-sitter';
import type { CtypesProgram } from '../readCtypes';
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
    rw.leave(x, BYTES_STORED);
    for (const sname of fieldOwners(rw.p).get(t) ?? []) rw.demote(`struct:${sname}`, BYTES_IN_FIELD);
    return rw.R(x);
  }
  if (isPrim(t, 'c_void_p')) return voidp(rw, rw.R(x));
  const k = kindOf(rw, x);
  if (t.k === 'struct' && k?.k === 'ptr' && k.inst) return `${rw.R(x)}[0]`;
  return rw.R(x);
}

const BYTES_STORED = 'ctypes keeps the bytes stored in a char* field alive; cffi needs an ffi.new("char[]", …) owned by something that outlives the struct';
const BYTES_IN_FIELD = 'bytes are stored in its char* field: ctypes keeps them alive, cffi needs an owner chosen by hand';

/** The structs with a field of each type object, in declaration order: one lookup per store, not a scan of every struct. */
const owners = new WeakMap<CtypesProgram, Map<CType, string[]>>();
function fieldOwners(p: CtypesProgram): Map<CType, string[]> {
  let m = owners.get(p);
  if (!m) {
    m = new Map();
    for (const [name, s] of p.structs) {
      for (const f of s.fields ?? []) {
        if (!f.type) continue;
        const list = m.get(f.type) ?? [];
        if (!list.includes(name)) list.push(name);
        m.set(f.type, list);
      }
    }
    owners.set(p, m);
  }
  return m;
}

/**
 * What the render of the first round would ask of the next one for structs built with bytes in a char* field
 * (initValue above: the struct stays ctypes, so does each statement that builds one), decided before the plan, so the
 * first round already plans them as ctypes instead of converting them once to learn it. Only where that render is
 * certain: every construction of the struct a plain `x = S(literal, …)` statement outside classes, no field of it
 * stored to, its fields C types of primitives only and no prototype naming it; anything else is left to the rounds.
 */
export function bytesInCharFields(p: CtypesProgram, demoted: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  if (!p.structs.size) return out;
  // read off the flat copy: no Node is made
  const t = p.input;
  const { f } = t;
  const constructions = new Map<string, number[]>();
  const storedFields = new Set<string>();
  for (let i = 0; i < t.count; i++) {
    if (!t.flat.isNamed(i)) continue;
    const type = t.type(i);
    if (type === 'assignment' || type === 'augmented_assignment') {
      const left = t.field(i, f.left);
      if (left >= 0 && t.type(left) === 'attribute') storedFields.add(t.textOf(t.field(left, f.attribute)));
      continue;
    }
    if (type !== 'call') continue;
    const ct = p.typeAt(t.field(i, f.function));
    if (ct?.k !== 'struct' || !p.structs.has(ct.name)) continue;
    const list = constructions.get(ct.name);
    if (list) list.push(i);
    else constructions.set(ct.name, [i]);
  }
  if (!constructions.size) return out;
  const inPrototypes = new Set<string>();
  for (const proto of p.prototypes.values()) for (const pt of [...(proto.ret ? [proto.ret] : []), ...(proto.args ?? [])]) for (const s of structsNamed(pt)) inPrototypes.add(s);
  const isLiteral = (i: number): boolean => {
    const u = t.unparen(i);
    if (t.type(u) === 'unary_operator') {
      const arg = t.field(u, f.argument);
      return arg >= 0 && isLiteral(arg);
    }
    return LITERALS.has(t.type(u));
  };
  for (const [name, calls] of constructions) {
    const s = p.structs.get(name)!;
    const fields = s.fields;
    if (!fields || s.human || s.anonymous.length || demoted.has(`struct:${name}`) || inPrototypes.has(name)) continue;
    if (!fields.every((fl) => fl.type && plainType(fl.type) && fl.bits === undefined)) continue;
    const charFields = fields.filter((fl) => isPrim(fl.type, 'c_char_p', 'c_wchar_p'));
    if (!charFields.length || charFields.some((fl) => storedFields.has(fl.name))) continue;
    const stores: number[] = [];
    const storedTypes = new Set<CType>();
    let certain = true;
    for (const i of calls) {
      const call = t.callParts(i);
      let st = i;
      while (t.parent(st) >= 0 && t.type(t.parent(st)) !== 'block' && t.type(t.parent(st)) !== 'module') st = t.parent(st);
      const a = t.assignmentOf(st);
      const plainCallee = !!call && (t.type(call.callee) === 'identifier' || t.type(call.callee) === 'attribute');
      if (!call || !plainCallee || call.splat || !a || a.right !== i || t.enclosingAt(st, 'class_definition') >= 0 || ![...call.args, ...call.keywords.values()].every(isLiteral)) {
        certain = false;
        break;
      }
      const values: [number, CType | undefined][] = [...call.args.map((v, k): [number, CType | undefined] => [v, fields[k]?.type]), ...[...call.keywords].map(([k, v]): [number, CType | undefined] => [v, fields.find((fl) => fl.name === k)?.type])];
      const bytes = values.filter(([v, vt]) => isPrim(vt, 'c_char_p', 'c_wchar_p') && t.type(t.unparen(v)) !== 'none');
      if (bytes.length) stores.push(st);
      for (const [, vt] of bytes) storedTypes.add(vt!);
    }
    if (!certain || !stores.length) continue;
    for (const st of stores) if (!demoted.has(`stmt:${t.keyAt(st)}`)) out.set(`stmt:${t.keyAt(st)}`, BYTES_STORED);
    for (const vt of storedTypes) for (const owner of fieldOwners(p).get(vt) ?? []) if (!demoted.has(`struct:${owner}`)) out.set(`struct:${owner}`, BYTES_IN_FIELD);
  }
  return out;
}

/** C types of primitives only (pointers to them, arrays of them): a struct of such fields the plan always declares. */
function plainType(t: CType): boolean {
  if (t.k === 'prim') return !!t.c && t.ctypes !== 'c_time_t';
  if (t.k === 'ptr') return plainType(t.to);
  if (t.k === 'array') return plainType(t.of);
  return false;
}

function structsNamed(t: CType): string[] {
  if (t.k === 'struct') return [t.name];
  if (t.k === 'ptr') return structsNamed(t.to);
  if (t.k === 'array') return structsNamed(t.of);
  if (t.k === 'func') return [t.ret, ...t.args].flatMap(structsNamed);
  return [];
}

const LITERALS = new Set(['integer', 'float', 'string', 'concatenated_string', 'none', 'true', 'false']);
