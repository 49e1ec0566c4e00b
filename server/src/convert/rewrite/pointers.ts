/** byref/pointer/addressof and untyped address arguments: the pointer a value gives depends on its kind (an instance, an array, a struct field). */
import type { Node } from 'web-tree-sitter';
import { callParts, intLiteral, unparen } from '../syntax';
import { isPrim } from '../typeNames';
import type { Rewriter } from './rewriter';
import { typeConvertible } from './plan';
import { kindOf, ctorType, fieldOf } from './kinds';
import { boxInit } from './instances';

export function voidp(rw: Rewriter, text: string): string {
  rw.helpers.add('voidp');
  return `_as_voidp(${text})`;
}

/** The cdata pointer to pass for `byref(x)` / `pointer(x)`. */
export function ptrOf(rw: Rewriter, x: Node): ((r: Rewriter) => string) | undefined {
  const u = unparen(x);
  const k = kindOf(rw, u);
  if (k?.k === 'ptr' && k.inst) return (r) => r.R(u);
  if (k?.k === 'array') return (r) => r.R(u);
  if (k?.k === 'sval') {
    // a field of a struct: its address through the parent, so that ffi.addressof gets a struct/array cdata
    return (r) => `${r.F}.addressof(${r.R(u)})`;
  }
  const ctor = ctorType(rw, u);
  if (ctor && typeConvertible(rw, ctor)) {
    if (ctor.k === 'prim') {
      const call = callParts(u)!;
      if (isPrim(ctor, 'c_char_p', 'c_wchar_p') && call.args.length) return undefined;
      return (r) => (call.args.length ? `${r.F}.new(${r.q(ctor.c.endsWith('*') ? ctor.c + '*' : ctor.c + ' *')}, ${boxInit(r, ctor, call.args[0]!)})` : `${r.F}.new(${r.q(ctor.c.endsWith('*') ? ctor.c + '*' : ctor.c + ' *')})`);
    }
    return (r) => r.R(u);
  }
  if (u.type === 'attribute') {
    const obj = u.childForFieldName('object')!;
    const attr = u.childForFieldName('attribute')!.text;
    if (fieldOf(rw, obj, attr)) return (r) => `${r.F}.addressof(${structRef(r, obj)}, ${r.q(attr)})`;
  }
  return undefined;
}

/** A struct-valued expression as something ffi.addressof accepts (`p[0]` for a pointer). */
export function structRef(rw: Rewriter, obj: Node): string {
  const k = kindOf(rw, obj);
  return k?.k === 'ptr' ? `${rw.R(obj)}[0]` : rw.R(obj);
}

/** An argument where ctypes took any address (memmove, string_at, cast source): cdata stays, ints are cast. */
/** A variable that holds a ctypes value the plan keeps in ctypes (demoted): no cffi call may take it. */
export function keptInCtypes(rw: Rewriter, x: Node): boolean {
  const v = rw.rawVar(unparen(x));
  return !!v && rw.demoted.has(v.token);
}

export function addressArg(rw: Rewriter, x: Node): (r: Rewriter) => string {
  const u = unparen(x);
  const call = callParts(u);
  const cn = call ? rw.p.ctypesName(call.callee) : undefined;
  if ((cn === 'byref' || cn === 'addressof' || cn === 'pointer') && call!.args[0]) {
    const ptr = ptrOf(rw, call!.args[0]);
    if (ptr) {
      const off = cn === 'byref' ? call!.args[1] : undefined;
      return off ? (r) => `${r.F}.cast("char *", ${ptr(r)}) + ${r.R(off)}` : ptr;
    }
  }
  const k = kindOf(rw, u);
  if (k?.k === 'ptr' || k?.k === 'array' || k?.k === 'callback') return (r) => r.R(u);
  if (k?.k === 'sval') return (r) => `${r.F}.addressof(${r.R(u)})`;
  if (u.type === 'string' || u.type === 'concatenated_string') return (r) => r.R(u);
  if (intLiteral(u) !== undefined || k?.k === 'addr') return (r) => `${r.F}.cast("void *", ${r.R(u)})`;
  return (r) => voidp(r, r.R(u));
}
