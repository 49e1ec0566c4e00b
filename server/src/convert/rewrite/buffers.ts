/** Buffers, strings, casts and memory: create_string_buffer, memset/memmove, cast, sizeof, in_dll/from_address/from_buffer, char* arrays; each reads the kind or planned type of its operand. */
import type { Node } from 'web-tree-sitter';
import { callParts, dotted, intLiteral, stringLiteral, unparen } from '../syntax';
import { type CType, isPrim, typeString } from '../typeNames';
import type { Rewriter } from './rewriter';
import { typeConvertible } from './plan';
import { kindOf, ctorType, scopeKeyFor } from './kinds';
import { ptrOf, addressArg } from './pointers';

export function sizeofRule(rw: Rewriter, x: Node): ((r: Rewriter) => string) | undefined {
  const F = rw.F;
  const t = rw.p.typeOf(x);
  if (t) return typeConvertible(rw, t) ? () => `${F}.sizeof(${rw.q(typeString(t))})` : undefined;
  const k = kindOf(rw, x);
  if (k?.k === 'ptr') return () => `${F}.sizeof(${rw.q(typeString(k.inst ? k.to : { k: 'ptr', to: k.to }))})`;
  if (k?.k === 'array' || k?.k === 'sval') return (r) => `${F}.sizeof(${r.R(x)})`;
  const ctor = ctorType(rw, x);
  if (ctor && typeConvertible(rw, ctor)) return () => `${F}.sizeof(${rw.q(typeString(ctor))})`;
  return undefined;
}

export function bufferRule(rw: Rewriter, ct: 'char' | 'wchar_t', a: Node[], n: Node): ((r: Rewriter) => string) | undefined {
  const F = rw.F;
  if (a.length === 1) return (r) => `${F}.new("${ct}[]", ${r.R(a[0]!)})`;
  if (a.length === 2) {
    const size = intLiteral(a[1]);
    if (size === undefined) {
      // exactly `size` bytes holding init, as ctypes makes it: a bytearray of that length, shared
      if (ct === 'char') return (r) => `${F}.from_buffer("char[]", bytearray(${r.R(a[0]!)}.ljust(${r.R(a[1]!)}, b"\\0")))`;
      rw.leave(n, 'a unicode buffer with an initial value and a computed size: give ffi.new a literal length by hand');
      return undefined;
    }
    return (r) => `${F}.new("${ct}[${size}]", ${r.R(a[0]!)})`;
  }
  return undefined;
}

export function memsetRule(rw: Rewriter, n: Node, a: Node[]): ((r: Rewriter) => string) | undefined {
  if (a.length !== 3) return undefined;
  if (n.parent?.type !== 'expression_statement') {
    rw.leave(n, 'the result of memset is used: there is no ffi.memset; declare memset in the cdef by hand');
    return undefined;
  }
  const F = rw.F;
  const d = addressArg(rw, a[0]!);
  const k = kindOf(rw, a[0]!);
  const isCharArray = k?.k === 'array' && isPrim(k.of, 'c_char');
  const c = unparen(a[1]!);
  const lit = intLiteral(c);
  let fill: (r: Rewriter) => string;
  if (lit !== undefined && lit >= 0 && lit < 256) fill = () => `b"\\x${lit.toString(16).padStart(2, '0')}"`;
  else {
    const ordCall = callParts(c);
    const s = ordCall && dotted(ordCall.callee) === 'ord' && ordCall.args.length === 1 ? stringLiteral(ordCall.args[0]!) : undefined;
    if (s && s.value.length === 1 && s.value.charCodeAt(0) < 128 && /[ -~]/.test(s.value) && !/["\\]/.test(s.value)) fill = () => `b"${s.value}"`;
    else fill = (r) => `bytes([(${r.R(c)}) & 0xFF])`;
  }
  return (r) => {
    const count = r.R(a[2]!);
    const countExpr = /^\w+$/.test(count) ? count : `(${count})`;
    return `${F}.buffer(${isCharArray ? d(r) : `${F}.cast("char *", ${d(r)})`}, ${count})[:] = ${fill(r)} * ${countExpr}`;
  };
}

export function castRule(rw: Rewriter, n: Node, src: Node, target: Node): ((r: Rewriter) => string) | undefined {
  const F = rw.F;
  const t = rw.p.typeOf(target);
  if (!t || !typeConvertible(rw, t)) return undefined;
  if (!(t.k === 'ptr' || isPrim(t, 'c_void_p', 'c_char_p', 'c_wchar_p'))) return undefined;
  const s = unparen(src);
  const srcCall = callParts(s);
  if (srcCall && !['byref', 'pointer', 'addressof'].includes(rw.p.ctypesName(srcCall.callee) ?? '')) {
    rw.leave(n, 'ctypes.cast keeps its source alive, ffi.cast does not: store the source in a variable that lives as long as the result');
    return undefined;
  }
  if (keptCtypes(rw, s)) {
    rw.leave(n, `${s.text} stays in ctypes, and ffi.cast takes no ctypes object: the cast stays ctypes`);
    return undefined;
  }
  if (holdsPythonBuffer(rw, s)) {
    rw.leave(n, `ctypes.cast of a bytes, str or bytearray object (${s.text}): ffi.cast takes cdata or an address, not a Python buffer (ffi.from_buffer does, without ctypes' NUL terminator and keep-alive): convert it by hand`);
    return undefined;
  }
  const sp = castSource(rw, s);
  const ts = rw.q(typeString(t));
  return (r) => `${F}.cast(${ts}, ${sp(r)})`;
}

/** A variable whose value stays a ctypes object (demoted): no cffi operation may take it. */
export function keptCtypes(rw: Rewriter, s: Node): boolean {
  const v = rw.rawVar(unparen(s));
  return !!v && rw.demoted.has(v.token);
}

const BUFFER_BUILTINS = new Set(['bytes', 'bytearray', 'memoryview', 'str']);

/**
 * Whether `s` is a Python bytes/str/bytearray object: a literal, `bytes(…)`, a slice or concatenation of
 * one, or a name of this scope bound to one. ctypes.cast accepts those (c_void_p.from_param); ffi.cast raises.
 */
export function holdsPythonBuffer(rw: Rewriter, s: Node, depth = 0): boolean {
  s = unparen(s);
  if (s.type === 'string' || s.type === 'concatenated_string') return true;
  if (s.type === 'binary_operator') return holdsPythonBuffer(rw, s.childForFieldName('left')!, depth) || holdsPythonBuffer(rw, s.childForFieldName('right')!, depth);
  if (s.type === 'subscript') return holdsPythonBuffer(rw, s.childForFieldName('value')!, depth);
  const call = callParts(s);
  if (call) return call.callee.type === 'identifier' && BUFFER_BUILTINS.has(call.callee.text) || (call.callee.type === 'attribute' && ['encode', 'tobytes'].includes(call.callee.childForFieldName('attribute')!.text));
  if (s.type !== 'identifier' || depth > 3) return false;
  const scope = scopeKeyFor(rw, s, s.text);
  for (const id of rw.p.input.identifiersNamed(s.text)) {
    const a = id.parent;
    if (a?.type !== 'assignment' || a.childForFieldName('left')?.id !== id.id) continue;
    const right = a.childForFieldName('right');
    if (right && scopeKeyFor(rw, id, s.text) === scope && holdsPythonBuffer(rw, right, depth + 1)) return true;
  }
  return false;
}

export function castSource(rw: Rewriter, s: Node): (r: Rewriter) => string {
  const k = kindOf(rw, s);
  const call = callParts(s);
  const cn = call ? rw.p.ctypesName(call.callee) : undefined;
  if (cn === 'addressof' || cn === 'pointer') {
    const ptr = call!.args[0] && ptrOf(rw, call!.args[0]);
    if (ptr) return ptr;
  }
  if (k?.k === 'sval') return (r) => `${r.F}.addressof(${r.R(s)})`;
  if (s.type === 'none') return (r) => `${r.F}.NULL`;
  return (r) => r.R(s);
}

export function typeMethodRule(rw: Rewriter, n: Node, t: CType, method: string, a: Node[]): ((r: Rewriter) => string) | undefined {
  const F = rw.F;
  const ptr = rw.q(typeString(t.k === 'array' ? t : { k: 'ptr', to: t }));
  switch (method) {
    case 'in_dll': {
      const libName = a[0] && dotted(a[0]);
      const s = a[1] && stringLiteral(a[1]);
      if (!libName || !s || !rw.p.libraries.has(libName) || t.k === 'array') return undefined;
      const why = rw.p.libraries.get(libName)!.human;
      if (why) {
        // the library stays ctypes: ffi.addressof needs a cffi library
        rw.leave(n, `${libName} stays ctypes (${why}), so its variable stays a ctypes in_dll value`);
        return undefined;
      }
      rw.externs.set(s.value, t);
      return (r) => `${F}.addressof(${r.R(a[0]!)}, ${rw.q(s.value)})`;
    }
    case 'from_address':
      return a.length === 1 ? (r) => `${F}.cast(${ptr}, ${r.R(a[0]!)})` : undefined;
    case 'from_buffer':
      if (a.length !== 1) {
        rw.leave(n, 'from_buffer with an offset: slice the buffer or use ffi.from_buffer on a memoryview by hand');
        return undefined;
      }
      return (r) => `${F}.from_buffer(${ptr}, ${r.R(a[0]!)})`;
    case 'from_buffer_copy':
      if (a.length !== 1) return undefined;
      if (t.k === 'array') return (r) => `${F}.new(${ptr}, list(${F}.from_buffer(${ptr}, ${r.R(a[0]!)})))`;
      return (r) => `${F}.new(${ptr}, ${F}.from_buffer(${ptr}, ${r.R(a[0]!)})[0])`;
    default:
      return undefined;
  }
}

/** The helper that turns an item of a T array into what ctypes handed out, if it differs. */
export function itemConverter(rw: Rewriter, of: CType): string | undefined {
  if (isPrim(of, 'c_char_p', 'c_wchar_p')) return '_cstring_or_none';
  if (isPrim(of, 'c_void_p')) return '_address_or_none';
  if (isPrim(of, 'c_longdouble')) return 'float';
  return undefined;
}

/** `(T * n)` with a length computed at run time. */
export function dynamicArrayType(rw: Rewriter, callee: Node): { of: CType; length: Node } | undefined {
  const u = unparen(callee);
  if (u.type !== 'binary_operator' || u.childForFieldName('operator')?.text !== '*') return undefined;
  const left = u.childForFieldName('left')!;
  const right = u.childForFieldName('right')!;
  const of = rw.p.typeOf(left);
  if (!of || of.k === 'void' || rw.p.typeOf(right)) return undefined;
  return { of, length: right };
}

/** `(T * len(b)).from_buffer(b)` for a one-byte T and a named b: the array spans the whole buffer, as `ffi.from_buffer("T[]", b)` does. */
export function dynamicLengthIsWhole(rw: Rewriter, dyn: { of: CType; length: Node }, args: Node[]): boolean {
  if (args.length !== 1) return false;
  const buf = unparen(args[0]!);
  if (!dotted(buf)) return false;
  const lenOf = (x: Node): boolean => {
    const c = callParts(unparen(x));
    return !!c && c.callee.type === 'identifier' && c.callee.text === 'len' && c.args.length === 1 && unparen(c.args[0]!).text === buf.text;
  };
  const oneByte = dyn.of.k === 'prim' && ['c_char', 'c_byte', 'c_ubyte', 'c_int8', 'c_uint8'].includes(dyn.of.ctypes);
  return oneByte && lenOf(dyn.length);
}

/** An array of char* filled from bytes: ctypes kept the bytes alive, so the array keeps its copies alive. */
export function pointerArrayRule(rw: Rewriter, of: CType, length: (r: Rewriter) => string, call: { args: Node[]; splat: boolean; argList: Node }): ((r: Rewriter) => string) | undefined {
  const items = call.argList.namedChildren.filter((c) => c.type !== 'comment');
  if (call.splat && !(items.length === 1 && items[0]!.type === 'list_splat')) return undefined;
  const ts = rw.q(typeString(of) + '[]');
  return (r) => {
    r.helpers.add('pointerArray');
    const init = call.splat ? r.R(items[0]!.namedChildren[0]!) : `[${items.map((x) => r.R(x)).join(', ')}]`;
    return `_new_pointer_array(${ts}, ${length(r)}, ${init})`;
  };
}
