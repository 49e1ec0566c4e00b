/**
 * Stage A, Structures and Unions with scalar fields whose instances the module makes, reads and writes field by
 * field: `struct S { … };` in the cdef, `S(…)` → `ffi.new("struct S *", …)`, `v.f` as it was (a cffi pointer to a
 * struct reads and writes its fields by name), `sizeof`/`alignment`/`S.f.offset`/`S.f.size` → `ffi.sizeof`/
 * `ffi.alignof`/`ffi.offsetof`; `_pack_ = N` puts the struct in a cdef of its own with cffi's `pack=N` (the same layout). Anything else done with the class or an instance leaves the struct as it was (no
 * refusal: a ctypes struct that meets no cffi value stays harmless; one that does is refused by the rules that see
 * it meet cffi, or by the output check).
 */
import type { Node } from 'web-tree-sitter';
import { callParts, intLiteral, keyOf, stringLiteral, unparen } from '../../syntax';
import { type CType, fitsCInteger, isIntegral, typeString } from '../../typeNames';
import { assignedName, isTarget, pyString, scopeOf } from './syntax';
import type { ModulePlanner, Rewrite } from './planner';
import { usesOf } from './values';
import { typeOf } from './types';

/** What a struct's uses need, recorded only when every use is one the plan rewrites. */
export interface Found {
  rewrites: [Node, Rewrite][];
  /** some value goes through `_c_integer` */
  integer: boolean;
}

export interface Field {
  name: string;
  type: CType & { k: 'prim' };
}

/** Scalar field types whose values cross between Python and the struct alike in ctypes and cffi. */
const SCALAR_FIELDS = new Set(['c_bool', 'c_char', 'c_byte', 'c_ubyte', 'c_short', 'c_ushort', 'c_int', 'c_uint', 'c_long', 'c_ulong', 'c_longlong', 'c_ulonglong', 'c_int8', 'c_int16', 'c_int32', 'c_int64', 'c_uint8', 'c_uint16', 'c_uint32', 'c_uint64', 'c_size_t', 'c_ssize_t', 'c_float', 'c_double']);

export function collectFieldStructs(pl: ModulePlanner): void {
  for (const st of pl.mod.root.namedChildren) {
    if (st.type !== 'class_definition' || pl.plan.rewrites.has(keyOf(st))) continue;
    const sup = st.childForFieldName('superclasses')?.namedChildren ?? [];
    const base = sup.length === 1 ? pl.ctypes(sup[0]) : undefined;
    if (base !== 'Structure' && base !== 'Union') continue;
    const nameNode = st.childForFieldName('name')!;
    const name = nameNode.text;
    if (pl.opaque.has(name)) continue;
    const body = bodyOf(pl, st);
    if (!body) continue;
    const fields = body.fields;
    // another module naming it (an import, an attribute, a comment) would meet a cffi struct: leave it
    if (namedElsewhere(pl, name)) continue;
    const cname = `${base === 'Union' ? 'union' : 'struct'} ${name}`;
    const found: Found = { rewrites: [], integer: false };
    const ok = (pl.nodes.identifiers.get(name) ?? []).every((u) => u.startIndex === nameNode.startIndex || classUse(pl, u, cname, fields, found));
    if (!ok) continue;
    for (const [n, r] of found.rewrites) pl.rewrite(n, r);
    if (found.integer) pl.plan.helpers.add('integer');
    pl.consumed.push(st);
    pl.plan.deletions.push(st);
    const decl = `${cname} { ${body.fields.map((f) => `${typeString(f.type)} ${f.name};`).join(' ')} };`;
    if (body.pack) pl.plan.packedStructs.push({ pack: body.pack, decl });
    else pl.plan.structs.push(decl);
    pl.plan.usesFfi = true;
  }
}

/** Does another module's text name this word (an import, an attribute, a comment)? */
function namedElsewhere(pl: ModulePlanner, name: string): boolean {
  const word = new RegExp(`(?<![A-Za-z_0-9])${name}(?![A-Za-z_0-9])`);
  return [...pl.project.planners.values()].some((o) => o !== pl && word.test(o.mod.text));
}

/** The class body: `_fields_` of (name, scalar type) pairs, `_pack_ = N` before it (cffi's `pack=N`, the same layout), a docstring, nothing else. */
function bodyOf(pl: ModulePlanner, st: Node): { fields: Field[]; pack?: number } | undefined {
  let fields: Field[] | undefined;
  let pack: number | undefined;
  for (const c of st.childForFieldName('body')?.namedChildren ?? []) {
    if (c.type === 'comment') continue;
    const a = c.type === 'expression_statement' ? c.namedChildren[0] : undefined;
    if (a?.type === 'string' && !fields && pack === undefined) continue;
    const left = a?.type === 'assignment' ? a.childForFieldName('left')?.text : undefined;
    if (left === '_pack_' && !fields && pack === undefined && ['1', '2', '4', '8', '16'].includes(a!.childForFieldName('right')?.text ?? '')) {
      pack = Number(a!.childForFieldName('right')!.text);
      continue;
    }
    if (a?.type !== 'assignment' || left !== '_fields_' || fields) return undefined;
    const list = unparen(a.childForFieldName('right')!);
    if (list.type !== 'list' && list.type !== 'tuple') return undefined;
    fields = [];
    for (const item of list.namedChildren) {
      const t = unparen(item);
      if (t.type !== 'tuple' || t.namedChildren.length !== 2) return undefined;
      const n = stringLiteral(t.namedChildren[0]!);
      const type = typeOf(pl, t.namedChildren[1]!);
      if (!n || n.bytes || !/^[A-Za-z_][A-Za-z_0-9]*$/.test(n.value) || type?.k !== 'prim' || !SCALAR_FIELDS.has(type.ctypes) || fields.some((f) => f.name === n.value)) return undefined;
      fields.push({ name: n.value, type });
    }
  }
  return fields?.length ? { fields, pack } : undefined;
}

/** One use of the class name: a construction, `sizeof(S)`, `alignment(S)`, `S.f.offset`, `S.f.size`. */
function classUse(pl: ModulePlanner, u: Node, cname: string, fields: Field[], out: Found): boolean {
  const f = pl.plan.ffi;
  const p = u.parent!;
  if (p.type === 'call' && p.childForFieldName('function')?.id === u.id) {
    const make = construction(pl, p, cname, fields, out);
    if (!make) return false;
    const up = p.parent;
    // S(…).f read at once
    if (up?.type === 'attribute' && up.childForFieldName('object')?.id === p.id && !isTarget(up) && fields.some((x) => x.name === up.childForFieldName('attribute')!.text)) {
      out.rewrites.push([p, make]);
      return true;
    }
    const target = assignedName(p);
    if (!target || target.parent?.type !== 'assignment' || target.parent.childForFieldName('right')?.id !== p.id) return false;
    const uses = usesOf(pl, target);
    // a module-level instance another module may read (`m.pt`) would reach it as a cffi pointer
    if (scopeOf(target).type === 'module' && namedElsewhere(pl, target.text)) return false;
    if (!uses || !uses.every((v) => scopeOf(v).id === scopeOf(target).id && instanceUse(pl, v, cname, fields, out))) return false;
    out.rewrites.push([p, make]);
    return true;
  }
  if (p.type === 'argument_list') {
    const c = callParts(p.parent!);
    const m = c ? pl.ctypes(c.callee) : undefined;
    if (!c || c.args.length !== 1 || c.keywords.size || c.splat || (m !== 'sizeof' && m !== 'alignment')) return false;
    out.rewrites.push([p.parent!, () => `${f}.${m === 'sizeof' ? 'sizeof' : 'alignof'}(${pyString(cname)})`]);
    return true;
  }
  // S.f.offset, S.f.size
  const fieldAttr = p.type === 'attribute' && p.childForFieldName('object')?.id === u.id ? p : undefined;
  const field = fieldAttr && fields.find((x) => x.name === fieldAttr.childForFieldName('attribute')!.text);
  const outer = fieldAttr?.parent;
  if (!field || outer?.type !== 'attribute' || outer.childForFieldName('object')?.id !== fieldAttr!.id || isTarget(outer)) return false;
  const what = outer.childForFieldName('attribute')!.text;
  if (what === 'offset') out.rewrites.push([outer, () => `${f}.offsetof(${pyString(cname)}, ${pyString(field.name)})`]);
  else if (what === 'size') out.rewrites.push([outer, () => `${f}.sizeof(${pyString(typeString(field.type))})`]);
  else return false;
  return true;
}

/** `S(a, b, y=c)`: `ffi.new("struct S *", [a, b])` or with a dict when keywords name fields; undefined when a value is not one cffi takes as ctypes did. */
function construction(pl: ModulePlanner, call: Node, cname: string, fields: Field[], out: Found): Rewrite | undefined {
  const parts = callParts(call);
  if (!parts || parts.splat || parts.args.length > fields.length) return undefined;
  const given: [Field, Node][] = parts.args.map((a, i) => [fields[i]!, a]);
  for (const [k, v] of parts.keywords) {
    const field = fields.find((x) => x.name === k);
    if (!field || given.some(([g]) => g.name === k)) return undefined;
    given.push([field, v]);
  }
  const values = given.map(([field, v]) => fieldValue(pl, field, v, out));
  if (values.some((v) => !v)) return undefined;
  const f = pl.plan.ffi;
  if (!given.length) return () => `${f}.new(${pyString(`${cname} *`)})`;
  return (inner) => {
    const texts = values.map((v) => v!(inner));
    const init = parts.keywords.size ? `{${given.map(([field], i) => `${pyString(field.name)}: ${texts[i]}`).join(', ')}}` : `[${texts.join(', ')}]`;
    return `${f}.new(${pyString(`${cname} *`)}, ${init})`;
  };
}

/** One use of an instance: `v.f` read, `v.f = value`, `sizeof(v)`. */
function instanceUse(pl: ModulePlanner, v: Node, cname: string, fields: Field[], out: Found): boolean {
  const p = v.parent!;
  if (p.type === 'attribute' && p.childForFieldName('object')?.id === v.id) {
    const field = fields.find((x) => x.name === p.childForFieldName('attribute')!.text);
    if (!field) return false;
    const asg = p.parent;
    if (!isTarget(p)) return asg?.type !== 'delete_statement';
    // a plain `v.f = value`: no augmented assignment (cffi raises where ctypes truncated), no tuple target
    if (asg?.type !== 'assignment' || asg.childForFieldName('left')?.id !== p.id || asg.childForFieldName('type')) return false;
    const right = asg.childForFieldName('right')!;
    const value = fieldValue(pl, field, right, out);
    if (!value) return false;
    out.rewrites.push([right, value]);
    return true;
  }
  if (p.type === 'argument_list') {
    const c = callParts(p.parent!);
    if (!c || c.args.length !== 1 || c.keywords.size || c.splat || pl.ctypes(c.callee) !== 'sizeof') return false;
    out.rewrites.push([p.parent!, () => `${pl.plan.ffi}.sizeof(${pyString(cname)})`]);
    return true;
  }
  return false;
}

/**
 * A value stored into a field, as cffi must get it to store what ctypes stored: an integer literal in range as it
 * is, another integer value through `_c_integer` (ints only, truncated to the C type as ctypes truncates);
 * floating values as they are; a `char` a one-byte bytes literal; a `_Bool` a literal True/False/0/1. A value
 * that names ctypes (a ctypes object) is none of these.
 */
export function fieldValue(pl: ModulePlanner, field: Field, v: Node, out: Found): Rewrite | undefined {
  const u = unparen(v);
  if (u.type === 'expression_list' || u.type === 'assignment' || namesCtypes(pl, u)) return undefined;
  const t = field.type;
  if (t.ctypes === 'c_char') {
    const s = stringLiteral(u);
    return s?.bytes && s.value.length === 1 ? (inner) => inner(v) : undefined;
  }
  if (t.ctypes === 'c_bool') return ['True', 'False', '0', '1'].includes(u.text) ? (inner) => inner(v) : undefined;
  if (t.ctypes === 'c_float' || t.ctypes === 'c_double') return u.type === 'string' ? undefined : (inner) => inner(v);
  if (!isIntegral(t)) return undefined;
  const lit = intLiteral(u);
  if (lit !== undefined && fitsCInteger(t.c, lit)) return (inner) => inner(v);
  out.integer = true;
  return (inner) => `_c_integer(${pyString(t.c)}, ${inner(v)})`;
}

/** Does the expression read a ctypes name (`c_int(5)`, `ctypes.sizeof(…)`)? */
function namesCtypes(pl: ModulePlanner, n: Node): boolean {
  const ids = n.type === 'identifier' ? [n] : n.descendantsOfType('identifier');
  return ids.some((id) => id && pl.namesCtypes(id.text) && !(id.parent?.type === 'attribute' && id.parent.childForFieldName('attribute')?.id === id.id));
}
