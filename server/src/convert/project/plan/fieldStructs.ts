/**
 * Stage A (its end, after the functions), Structures and Unions with scalar and array fields whose instances the module makes, reads and writes field by
 * field: `struct S { … };` in the cdef, `S(…)` → `ffi.new("struct S *", …)`, `v.f` as it was (a cffi pointer to a
 * struct reads and writes its fields by name), `sizeof`/`alignment`/`S.f.offset`/`S.f.size` → `ffi.sizeof`/
 * `ffi.alignof`/`ffi.offsetof`; `_pack_ = N` puts the struct in a cdef of its own with cffi's `pack=N` (the same layout). Anything else done with the class or an instance leaves the struct as it was (no
 * refusal: a ctypes struct that meets no cffi value stays harmless; one that does is refused by the rules that see
 * it meet cffi, or by the output check).
 */
import type { Node } from 'web-tree-sitter';
import { callParts, intLiteral, keyOf, stringLiteral, unparen } from '../../syntax';
import { type CType, declare, fitsCInteger, isIntegral, prim, typeString } from '../../typeNames';
import { assignedName, isTarget, pyString, scopeOf } from './syntax';
import { within } from './moduleIndex';
import type { ModulePlanner, Rewrite } from './planner';
import { usesOf } from './values';
import { foreignParam, variadicArg } from './callees';
import { numberArrayType, readerCall } from './arrays';
import { typeOf } from './types';

/** What a struct's uses need, recorded only when every use is one the plan rewrites. */
export interface Found {
  rewrites: [Node, Rewrite][];
  /** some value goes through `_c_integer` */
  integer: boolean;
}

export interface Field {
  name: string;
  /** a scalar; an array of numbers (also of arrays of numbers, `(c_ubyte * 2) * 2`); `c_char * n` (read as bytes, as ctypes reads it) */
  type: CType & ({ k: 'prim' } | { k: 'array' });
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
    const decl = `${cname} { ${body.fields.map((f) => `${declare(f.type, f.name)};`).join(' ')} };`;
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
      const type = fieldType(pl, t.namedChildren[1]!);
      if (!n || n.bytes || !/^[A-Za-z_][A-Za-z_0-9]*$/.test(n.value) || !type || fields.some((f) => f.name === n.value)) return undefined;
      fields.push({ name: n.value, type });
    }
  }
  return fields?.length ? { fields, pack } : undefined;
}

/** A field's type: a scalar, `T * n` of a number type T (also `(T * m) * n`), `c_char * n`; n an integer literal. */
function fieldType(pl: ModulePlanner, n: Node): Field['type'] | undefined {
  const t = unparen(n);
  if (t.type === 'binary_operator' && t.child(1)?.type === '*') {
    const len = intLiteral(t.childForFieldName('right'));
    const left = unparen(t.childForFieldName('left')!);
    if (len === undefined || len <= 0) return undefined;
    if (pl.ctypes(left) === 'c_char') return { k: 'array', of: prim('c_char')!, n: len };
    const inner = left.type === 'binary_operator' ? fieldType(pl, left) : numberArrayType(pl, t) && typeOf(pl, left);
    if (!inner || (inner.k === 'array' && (inner.of.k !== 'prim' || inner.of.ctypes === 'c_char'))) return undefined;
    return { k: 'array', of: inner, n: len };
  }
  const type = typeOf(pl, t);
  return type?.k === 'prim' && SCALAR_FIELDS.has(type.ctypes) ? type : undefined;
}

/** One use of the class name: a construction, `sizeof(S)`, `alignment(S)`, `S.f.offset`, `S.f.size`. */
function classUse(pl: ModulePlanner, u: Node, cname: string, fields: Field[], out: Found): boolean {
  const f = pl.plan.ffi;
  const p = u.parent!;
  // an item of `(S * n)(S(…), …)`, which structArray plans with its array
  if (p.type === 'call' && p.childForFieldName('function')?.id === u.id && itemOfArray(u)) return true;
  if (p.type === 'call' && p.childForFieldName('function')?.id === u.id) {
    const make = construction(pl, p, cname, fields, out);
    if (!make) return false;
    const up = p.parent;
    // S(…).f read at once
    if (up?.type === 'attribute' && up.childForFieldName('object')?.id === p.id && !isTarget(up) && fieldAccess(pl, up, fields, out, true)) {
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
  if (arrayOf(u)) return structArray(pl, u, cname, fields, out);
  const at = structCast(pl, u, fields, out);
  if (at) {
    const [cast, value, deref] = at;
    pl.plan.helpers.add('structAt');
    out.rewrites.push([cast, (inner) => `_struct_at(${pyString(`${cname} *`)}, ${inner(value)})`]);
    out.rewrites.push([deref, (inner) => inner(cast)]);
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

/**
 * `cast(x, POINTER(S)).contents.f` or `cast(x, POINTER(S))[0].f`, a field read or stored at once (x an address,
 * None or a cffi pointer, naming no ctypes): the cast, x, and the `.contents`/`[0]` node. `_struct_at` raises
 * ctypes' ValueError at NULL; the field is read through the cffi pointer as through the ctypes struct.
 */
function structCast(pl: ModulePlanner, u: Node, fields: Field[], out: Found): [Node, Node, Node] | undefined {
  const ptr = u.parent?.type === 'argument_list' ? u.parent.parent : undefined;
  const pp = ptr && callParts(ptr);
  if (!pp || pp.args.length !== 1 || pp.keywords.size || pp.splat || pl.ctypes(pp.callee) !== 'POINTER') return undefined;
  const cast = ptr!.parent?.type === 'argument_list' ? ptr!.parent.parent : undefined;
  const cp = cast && callParts(cast);
  if (!cp || cp.args.length !== 2 || cp.keywords.size || cp.splat || pl.ctypes(cp.callee) !== 'cast' || cp.args[1]!.id !== ptr!.id) return undefined;
  const value = cp.args[0]!;
  if (namesCtypes(pl, value) || unparen(value).type === 'call') return undefined;
  const up = cast!.parent;
  let deref: Node | undefined;
  if (up?.type === 'attribute' && up.childForFieldName('object')?.id === cast!.id && up.childForFieldName('attribute')?.text === 'contents') deref = up;
  if (up?.type === 'subscript' && up.childForFieldName('value')?.id === cast!.id && up.childForFieldName('subscript')?.text === '0') deref = up;
  const f = deref?.parent;
  if (!deref || f?.type !== 'attribute' || f.childForFieldName('object')?.id !== deref.id) return undefined;
  return fieldAccess(pl, f, fields, out) ? [cast!, value, deref] : undefined;
}

/** `….f` of a struct (f an attribute node on it): a field read, or a plain store of a value cffi takes as ctypes did. */
function fieldAccess(pl: ModulePlanner, p: Node, fields: Field[], out: Found, temporary = false): boolean {
  const field = fields.find((x) => x.name === p.childForFieldName('attribute')!.text);
  if (!field) return false;
  const asg = p.parent;
  if (!isTarget(p)) return asg?.type !== 'delete_statement' && arrayFieldRead(pl, p, field, out, temporary);
  // a plain `v.f = value`: no augmented assignment (cffi raises where ctypes truncated), no tuple target
  if (asg?.type !== 'assignment' || asg.childForFieldName('left')?.id !== p.id || asg.childForFieldName('type')) return false;
  const right = asg.childForFieldName('right')!;
  const value = fieldValue(pl, field, right, out);
  if (!value) return false;
  out.rewrites.push([right, value]);
  return true;
}

/**
 * A read of an array field, where a cffi array answers as the ctypes one: `c_char * n` everywhere (ctypes gives
 * the bytes before the first NUL: `ffi.string`); an array of numbers through `len`, `list`, `sum`, … and
 * iteration, items at a literal index in range read or stored (stores as a field's), other items and slices read
 * as `list(v.f)[i]` (ctypes takes negative indices and gives lists for slices); a row of `(T * m) * n` at a
 * literal index, or each row of a comprehension over it, used only in those ways. Other reads (the array as a
 * value: printed, kept, handed on) stay ctypes.
 */
function arrayFieldRead(pl: ModulePlanner, p: Node, field: Field, out: Found, temporary: boolean): boolean {
  const t = field.type;
  if (t.k !== 'array') return true;
  const f = pl.plan.ffi;
  const obj = p.childForFieldName('object')!;
  const char = t.of.k === 'prim' && t.of.ctypes === 'c_char';
  if (temporary) {
    // S(…).f read at once: cffi frees the struct as soon as `.f` is read and the array points into it, so
    // _read_field reads it first (bytes for a char array, lists for the others: they read as ctypes' arrays do)
    if (!char && !arrayRead(pl, p, t, out, (inner) => inner(p))) return false;
    pl.plan.helpers.add('readField');
    out.rewrites.push([p, (inner) => `_read_field(${inner(obj)}, ${pyString(field.name)})`]);
    return true;
  }
  const at = (inner: (n: Node) => string): string => `${inner(obj)}.${field.name}`;
  if (char) {
    out.rewrites.push([p, (inner) => `${f}.string(${at(inner)})`]);
    return true;
  }
  return arrayRead(pl, p, t, out, (inner) => at(inner));
}

/** n (an expression giving a cffi array of type t, rendered by `text`) used only where it reads as the ctypes array. */
function arrayRead(pl: ModulePlanner, n: Node, t: CType & { k: 'array' }, out: Found, text: Rewrite): boolean {
  const up = n.parent;
  if (up?.type === 'argument_list' && readerCall(pl, up.parent!)) return t.of.k === 'prim' || callParts(up.parent!)!.callee.text === 'len';
  if ((up?.type === 'for_statement' || up?.type === 'for_in_clause') && up.childForFieldName('right')?.id === n.id) {
    if (t.of.k === 'prim') return true;
    // [list(row) for row in v.grid]: each row used only as a row
    const row = up.childForFieldName('left');
    const comp = up.parent;
    if (up.type !== 'for_in_clause' || row?.type !== 'identifier' || !comp) return false;
    const uses = comp.descendantsOfType('identifier').filter((x) => x && x.text === row.text && x.id !== row.id);
    return uses.every((x) => x && t.of.k === 'array' && arrayRead(pl, x, t.of, out, () => x.text));
  }
  if (up?.type !== 'subscript' || up.childForFieldName('value')?.id !== n.id || up.namedChildren.length !== 2) return false;
  const sub = up.childForFieldName('subscript')!;
  const k = intLiteral(sub);
  if (k !== undefined && k >= 0 && k < t.n) {
    if (t.of.k === 'array') return arrayRead(pl, up, t.of, out, (inner) => `${text(inner)}[${k}]`);
    if (!isTarget(up)) return up.parent?.type !== 'delete_statement';
    const asg = up.parent;
    if (asg?.type !== 'assignment' || asg.childForFieldName('left')?.id !== up.id || asg.childForFieldName('type')) return false;
    const right = asg.childForFieldName('right')!;
    const value = fieldValue(pl, { name: '', type: t.of as CType & { k: 'prim' } }, right, out);
    if (!value) return false;
    out.rewrites.push([right, value]);
    return true;
  }
  if (t.of.k !== 'prim' || isTarget(up) || up.parent?.type === 'delete_statement') return false;
  out.rewrites.push([up, (inner) => `list(${text(inner)})[${inner(sub)}]`]);
  return true;
}

/** `S(a, b, y=c)`: `ffi.new("struct S *", [a, b])` or with a dict when keywords name fields; undefined when a value is not one cffi takes as ctypes did. */
function construction(pl: ModulePlanner, call: Node, cname: string, fields: Field[], out: Found): Rewrite | undefined {
  // the initializer checks the arguments against the fields
  const init = initializer(pl, call, fields, out);
  if (!init) return undefined;
  const parts = callParts(call)!;
  const f = pl.plan.ffi;
  if (!parts.args.length && !parts.keywords.size) return () => `${f}.new(${pyString(`${cname} *`)})`;
  return (inner) => `${f}.new(${pyString(`${cname} *`)}, ${init(inner)})`;
}

/** The cffi initializer of `S(a, b, y=c)`'s values (`[a, b]`, a dict when keywords name fields, `[]` for `S()`). */
function initializer(pl: ModulePlanner, call: Node, fields: Field[], out: Found): Rewrite | undefined {
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
  return (inner) => {
    const texts = values.map((v) => v!(inner));
    return parts.keywords.size ? `{${given.map(([field], i) => `${pyString(field.name)}: ${texts[i]}`).join(', ')}}` : `[${texts.join(', ')}]`;
  };
}

/** `(S * n)` with n an integer literal, S the identifier u: the length. */
function arrayOf(u: Node): { type: Node; n: number } | undefined {
  const t = u.parent?.type === 'parenthesized_expression' ? u.parent : u;
  const b = t.parent;
  if (b?.type !== 'binary_operator' || b.child(1)?.type !== '*' || b.childForFieldName('left')?.id !== t.id) return undefined;
  const n = intLiteral(b.childForFieldName('right'));
  return n !== undefined && n > 0 ? { type: b, n } : undefined;
}

/**
 * `a = (S * n)(S(…), …)` (or `(S * n)()`): `ffi.new("struct S[n]", [init, …])`, when a is used only as the ctypes
 * array reads as a cffi one — handed to a converted function's pointer parameter, `len(a)`, `sizeof(a)`, its items
 * at a literal index or in a loop over it read and written field by field (an item shares the array's memory in
 * both, and `a` keeps it alive while it is read).
 */
function structArray(pl: ModulePlanner, u: Node, cname: string, fields: Field[], out: Found): boolean {
  const arr = arrayOf(u);
  let callee = arr?.type;
  while (callee?.parent?.type === 'parenthesized_expression') callee = callee.parent;
  const call = callee?.parent;
  if (!arr || call?.type !== 'call' || call.childForFieldName('function')?.id !== callee!.id) return false;
  const parts = callParts(call);
  if (!parts || parts.splat || parts.keywords.size || parts.args.length > arr.n) return false;
  const inits: Rewrite[] = [];
  for (const a of parts.args) {
    const ap = callParts(unparen(a));
    if (!ap || ap.callee.type !== 'identifier' || ap.callee.text !== u.text) return false;
    const init = initializer(pl, unparen(a), fields, out);
    if (!init) return false;
    inits.push(init);
  }
  const target = assignedName(call);
  if (!target || target.parent?.type !== 'assignment' || target.parent.childForFieldName('right')?.id !== call.id) return false;
  if (scopeOf(target).type === 'module' && namedElsewhere(pl, target.text)) return false;
  const uses = usesOf(pl, target);
  if (!uses || !uses.every((v) => scopeOf(v).id === scopeOf(target).id && arrayUse(pl, v, arr.n, fields, out))) return false;
  const decl = pyString(`${cname}[${arr.n}]`);
  out.rewrites.push([call, (inner) => `${pl.plan.ffi}.new(${decl}${inits.length ? `, [${inits.map((i) => i(inner)).join(', ')}]` : ''})`]);
  return true;
}

/** `S(…)` given as an item of `(S * n)(…)`: planned with the array. */
function itemOfArray(u: Node): boolean {
  const call = u.parent;
  const list = call?.type === 'call' ? call.parent : undefined;
  const outer = list?.type === 'argument_list' ? list.parent : undefined;
  const callee = outer?.type === 'call' ? unparen(outer.childForFieldName('function')!) : undefined;
  return callee?.type === 'binary_operator' && callee.child(1)?.type === '*' && unparen(callee.childForFieldName('left')!).text === u.text;
}

/** One use of an array of structs (see structArray). */
function arrayUse(pl: ModulePlanner, v: Node, n: number, fields: Field[], out: Found): boolean {
  const p = v.parent!;
  if (p.type === 'argument_list') {
    const c = callParts(p.parent!);
    if (c && c.args.length === 1 && !c.keywords.size && !c.splat && pl.ctypes(c.callee) === 'sizeof') {
      out.rewrites.push([p.parent!, () => `${pl.plan.ffi}.sizeof(${v.text})`]);
      return true;
    }
    if (c && c.callee.type === 'identifier' && c.callee.text === 'len' && readerCall(pl, p.parent!)) return true;
    const param = foreignParam(pl, v);
    const takes = param?.k === 'prim' ? param.ctypes === 'c_void_p' : param?.k === 'ptr';
    return !!takes && !variadicArg(pl, v);
  }
  if (p.type === 'subscript' && p.childForFieldName('value')?.id === v.id && p.namedChildren.length === 2) {
    const k = intLiteral(p.childForFieldName('subscript')!);
    const a = p.parent;
    return k !== undefined && k >= 0 && k < n && a?.type === 'attribute' && a.childForFieldName('object')?.id === p.id && fieldAccess(pl, a, fields, out);
  }
  if ((p.type === 'for_statement' || p.type === 'for_in_clause') && p.childForFieldName('right')?.id === v.id) {
    const item = p.childForFieldName('left');
    if (item?.type !== 'identifier') return false;
    const scope = p.type === 'for_in_clause' ? p.parent! : scopeOf(p);
    // (another loop over the array binding the same name is that loop's use)
    const overArray = (x: Node): boolean => (x.parent?.type === 'for_statement' || x.parent?.type === 'for_in_clause') && x.parent.childForFieldName('left')?.id === x.id && x.parent.childForFieldName('right')?.text === v.text;
    const uses = within(pl.nodes.identifiers.get(item.text) ?? [], scope.startIndex, scope.endIndex).filter((x) => x.id !== item.id && !overArray(x));
    return uses.every((x) => {
      const a = x.parent;
      return a?.type === 'attribute' && a.childForFieldName('object')?.id === x.id && fieldAccess(pl, a, fields, out);
    });
  }
  return false;
}

/**
 * One use of an instance: `v.f` read, `v.f = value`, `sizeof(v)`, `addressof(v)` (the same int address), and its
 * address handed to a converted foreign function's pointer parameter, `byref(v)`, `pointer(v)`,
 * `cast(byref(v) | pointer(v), c_void_p)` (the cffi pointer v is: C sees the same struct).
 */
function instanceUse(pl: ModulePlanner, v: Node, cname: string, fields: Field[], out: Found): boolean {
  const p = v.parent!;
  if (p.type === 'attribute' && p.childForFieldName('object')?.id === v.id) return fieldAccess(pl, p, fields, out);
  if (p.type === 'argument_list') {
    const call = p.parent!;
    const c = callParts(call);
    const m = c && c.args.length === 1 && !c.keywords.size && !c.splat ? pl.ctypes(c.callee) : undefined;
    if (m === 'sizeof') {
      out.rewrites.push([call, () => `${pl.plan.ffi}.sizeof(${pyString(cname)})`]);
      return true;
    }
    if (m === 'addressof') {
      out.rewrites.push([call, () => `int(${pl.plan.ffi}.cast("uintptr_t", ${v.text}))`]);
      return true;
    }
    if (m !== 'byref' && m !== 'pointer') return false;
    // cast(byref(v), c_void_p) handed on as the argument: the cast is v too
    const outer = call.parent?.type === 'argument_list' ? call.parent.parent : undefined;
    const oc = outer && callParts(outer);
    const voidCast = oc && oc.args.length === 2 && !oc.keywords.size && !oc.splat && pl.ctypes(oc.callee) === 'cast' && oc.args[0]!.id === call.id && pl.ctypes(oc.args[1]) === 'c_void_p';
    const arg = voidCast ? outer! : call;
    const param = foreignParam(pl, arg);
    const takes = param?.k === 'prim' ? param.ctypes === 'c_void_p' : param?.k === 'ptr' && (param.to.k === 'void' || (param.to.k === 'struct' && `${param.to.union ? 'union' : 'struct'} ${param.to.name}` === cname));
    if (!takes || variadicArg(pl, arg)) return false;
    out.rewrites.push([arg, () => v.text]);
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
  if (t.k === 'array') {
    // a bytes literal that fits a char array (cffi writes it and a NUL when there is room, as ctypes does); no other array value
    const s = t.of.k === 'prim' && t.of.ctypes === 'c_char' ? stringLiteral(u) : undefined;
    return s?.bytes && s.value.length <= t.n && !s.value.includes('\0') ? (inner) => inner(v) : undefined;
  }
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
