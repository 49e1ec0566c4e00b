/** Calls: the dispatch over ctypes builtins and constructors, and foreign calls with their arguments converted as ctypes would (by value stays by value, byref/pointer become pointers) from the planned signature. */
import type { Node } from 'web-tree-sitter';
import { callbackFit } from '../callbackFit';
import { type FunctionDecl, functionKey } from '../readCtypes';
import { callParts, dotted, intLiteral, keyOf, stringLiteral, unparen } from '../syntax';
import { type CType, callbackSignature, isPrim, typeString } from '../typeNames';
import type { Signature, Rewriter } from './rewriter';
import { planFunction, typeConvertible, calledFunction } from './plan';
import { kindOf, ctorType } from './kinds';
import { loadRule } from './libraries';
import { voidp, ptrOf, addressArg, keptInCtypes } from './pointers';
import { sizeofRule, bufferRule, memsetRule, castRule, typeMethodRule, itemConverter, dynamicArrayType, dynamicLengthIsWhole, pointerArrayRule } from './buffers';
import { primCtorRule, initSuffix, initValue } from './instances';
import { errnoRule } from './errno';

export function callRule(rw: Rewriter, n: Node): ((r: Rewriter) => string) | undefined {
  const call = callParts(n);
  if (!call) return undefined;
  const F = rw.F;
  const cn = rw.p.ctypesName(call.callee);
  const a = call.args;
  if (cn !== undefined && (!cn.includes('.') || cn === 'cdll.LoadLibrary' || cn === 'windll.LoadLibrary')) {
    if (call.splat) return undefined;
    switch (cn) {
      case 'CDLL':
      case 'cdll.LoadLibrary':
      case 'WinDLL':
      case 'windll.LoadLibrary':
        return loadRule(rw, n);
      case 'byref':
      case 'pointer': {
        if (!a[0]) return undefined;
        const off = a[1];
        const ptr = ptrOf(rw, a[0]);
        if (ptr === undefined) return undefined;
        return off ? (r) => `(${F}.cast("char *", ${ptr(r)}) + ${r.R(off)})` : (r) => ptr(r);
      }
      case 'addressof': {
        const ptr = a[0] && ptrOf(rw, a[0]);
        return ptr ? (r) => `int(${F}.cast("uintptr_t", ${ptr(r)}))` : undefined;
      }
      case 'sizeof':
        return a[0] ? sizeofRule(rw, a[0]) : undefined;
      case 'alignment': {
        if (!a[0]) return undefined;
        const t = rw.p.typeOf(a[0]);
        if (t) return typeConvertible(rw, t) ? () => `${F}.alignof(${rw.q(typeString(t))})` : undefined;
        const k = kindOf(rw, a[0]);
        if (k?.k === 'ptr' && k.inst) return () => `${F}.alignof(${rw.q(typeString(k.to))})`;
        if (k?.k === 'array' || k?.k === 'sval') return (r) => `${F}.alignof(${F}.typeof(${r.R(a[0]!)}))`;
        return undefined;
      }
      case 'create_string_buffer':
      case 'c_buffer':
      case 'create_unicode_buffer':
        return bufferRule(rw, cn === 'create_unicode_buffer' ? 'wchar_t' : 'char', a, n);
      case 'string_at':
      case 'wstring_at': {
        // a buffer kept in ctypes (handed to a function that stays ctypes) is not cdata: string_at stays too
        if (!a[0] || keptInCtypes(rw, a[0])) return undefined;
        const ct = cn === 'string_at' ? 'char *' : 'wchar_t *';
        const addr = addressArg(rw, a[0]);
        return a[1] ? (r) => `${F}.unpack(${F}.cast("${ct}", ${addr(r)}), ${r.R(a[1]!)})` : (r) => `${F}.string(${F}.cast("${ct}", ${addr(r)}))`;
      }
      case 'memmove': {
        if (a.length !== 3 || keptInCtypes(rw, a[0]!) || keptInCtypes(rw, a[1]!)) return undefined;
        const d = addressArg(rw, a[0]!);
        const s = addressArg(rw, a[1]!);
        return (r) => `${F}.memmove(${d(r)}, ${s(r)}, ${r.R(a[2]!)})`;
      }
      case 'memset':
        return memsetRule(rw, n, a);
      case 'get_errno':
      case 'set_errno':
        return errnoRule(rw, n, cn, a);
      case 'cast':
        return a.length === 2 ? castRule(rw, n, a[0]!, a[1]!) : undefined;
      default: {
        const t = rw.p.typeOf(call.callee);
        if (t?.k === 'prim') return primCtorRule(rw, n, t, a);
        if (t?.k === 'ptr' && a.length === 0 && typeConvertible(rw, t)) return () => `${F}.cast(${rw.q(typeString(t))}, 0)`;
        return undefined;
      }
    }
  }
  const builtin = call.callee.type === 'identifier' ? call.callee.text : undefined;
  if (builtin && ['list', 'tuple', 'enumerate', 'iter', 'sorted', 'set'].includes(builtin) && call.args.length === 1) {
    const k = kindOf(rw, call.args[0]!);
    const conv = k?.k === 'array' ? itemConverter(rw, k.of) : undefined;
    if (conv) return (r) => { if (conv !== 'float') r.helpers.add(conv === '_address_or_none' ? 'address' : 'string'); return `${builtin}(map(${conv}, ${r.R(call.args[0]!)}))`; };
  }
  if ((builtin === 'bytes' || builtin === 'memoryview' || builtin === 'bytearray') && call.args.length === 1 && !call.keywords.size) {
    const k = kindOf(rw, call.args[0]!);
    if (k && (k.k === 'array' || k.k === 'sval' || (k.k === 'ptr' && k.inst))) {
      const buf = (r: Rewriter): string => `${F}.buffer(${k.k === 'sval' ? `${F}.addressof(${r.R(call.args[0]!)})` : r.R(call.args[0]!)})`;
      if (builtin === 'bytes') return (r) => `${buf(r)}[:]`;
      return (r) => `${builtin}(${buf(r)})`;
    }
  }
  // Struct/array/pointer constructors and prototype(pyfunc).
  const dyn = dynamicArrayType(rw, call.callee);
  if (dyn && !call.keywords.size && typeConvertible(rw, dyn.of)) {
    if (isPrim(dyn.of, 'c_char_p', 'c_wchar_p')) return pointerArrayRule(rw, dyn.of, (r) => r.R(dyn.length), call);
    if (!call.args.length && !call.splat) return (r) => `${F}.new(${rw.q(typeString(dyn.of) + '[]')}, ${r.R(dyn.length)})`;
  }
  const ct = rw.p.typeOf(call.callee);
  if (call.splat && ct?.k !== 'array') return undefined;
  if (ct && typeConvertible(rw, ct)) {
    if (ct.k === 'struct' && rw.convertedStructs.has(ct.name) && viewOfTemporary(rw, n, ct.name)) {
      // cffi's S(…).arr is a view that does not own the struct: the ffi.new owner is freed at once (PyPy read garbage)
      rw.demote(`struct:${ct.name}`, `${call.callee.text}(…).${n.parent!.childForFieldName('attribute')!.text} reads an array or struct inside a temporary ${ct.name}: cffi's view would not keep it alive (name the ${ct.name} first)`);
      return undefined;
    }
    if (ct.k === 'struct' && rw.convertedStructs.has(ct.name)) return (r) => `${F}.new(${rw.q(typeString({ k: 'ptr', to: ct }))}${initSuffix(r, ct, call.args, call.keywords)})`;
    if (ct.k === 'array' && isPrim(ct.of, 'c_char_p', 'c_wchar_p') && !call.keywords.size) return pointerArrayRule(rw, ct.of, () => String(ct.n), call);
    if (ct.k === 'array' && !call.keywords.size && call.splat && call.args.length === 0 && call.argList.namedChildren.length === 1 && call.argList.namedChildren[0]!.type === 'list_splat') {
      const inner = call.argList.namedChildren[0]!.namedChildren[0]!;
      return (r) => `${F}.new(${rw.q(typeString(ct))}, list(${r.R(inner)}))`;
    }
    if (ct.k === 'array' && !call.keywords.size) return (r) => `${F}.new(${rw.q(typeString(ct))}${call.args.length ? `, [${call.args.map((x) => initValue(r, x, ct.of)).join(', ')}]` : ''})`;
    if (ct.k === 'ptr' && call.args.length === 0) return () => `${F}.cast(${rw.q(typeString(ct))}, 0)`;
    if (ct.k === 'func' && call.args.length === 1) {
      const proto = dotted(call.callee);
      if (proto && rw.p.prototypes.has(proto) && rw.replaced.has(keyOf(rw.p.prototypes.get(proto)!.statement))) {
        if (!rw.plainCallbacks.has(keyOf(n)) && ct.args.some((t) => isPrim(t, 'c_char_p', 'c_wchar_p', 'c_void_p', 'c_longdouble'))) {
          rw.leave(n, `the callback ${call.args[0]!.text} receives char*/void* arguments, which cffi hands over as cdata: convert its body by hand (or use @${proto})`);
          rw.demote(`proto:${proto}`, `the callback ${call.args[0]!.text} receives char*/void* arguments as cdata in cffi: convert its body by hand`);
          return undefined;
        }
        return (r) => `${F}.callback(${proto}, ${r.R(call.args[0]!)})`;
      }
    }
  }
  // T.in_dll(lib, "name"), T.from_address(a), T.from_buffer(b), T.from_buffer_copy(b)
  if (call.callee.type === 'attribute') {
    const method = call.callee.childForFieldName('attribute')!.text;
    const t = rw.p.typeOf(call.callee.childForFieldName('object'));
    if (t && typeConvertible(rw, t)) {
      const r1 = typeMethodRule(rw, n, t, method, call.args);
      if (r1) return r1;
    }
    // (T * len(b)).from_buffer(b) for a one-byte T: the whole buffer as T[], shared as ctypes shares it
    const dynOf = dynamicArrayType(rw, call.callee.childForFieldName('object')!);
    if (dynOf && method === 'from_buffer' && dynamicLengthIsWhole(rw, dynOf, call.args) && typeConvertible(rw, dynOf.of) && !isPrim(dynOf.of, 'c_char_p', 'c_wchar_p', 'c_void_p')) {
      return (r) => `${F}.from_buffer(${rw.q(typeString(dynOf.of) + '[]')}, ${r.R(call.args[0]!)})`;
    }
  }
  const f = calledFunction(rw, call.callee);
  if (f) return foreignCallRule(rw, n, f, call.callee, call.args, call.keywords.size > 0);
  return undefined;
}

/** A name, `a.b` or `a[k]` of them with a literal or name key: read twice or cast, it is the same value. */
function sideEffectFree(n: Node): boolean {
  if (n.type === 'identifier') return true;
  if (n.type === 'attribute') return sideEffectFree(n.childForFieldName('object')!);
  if (n.type !== 'subscript') return false;
  const keys = n.namedChildren.slice(1);
  return sideEffectFree(n.childForFieldName('value')!) && keys.length === 1 && ['integer', 'string', 'identifier'].includes(keys[0]!.type);
}

/** `ffi.cast(param, cb)`; a value the kinds do not follow may be None, which ctypes passed as NULL and ffi.cast refuses. */
function castArg(r: Rewriter, param: string, x: Node, mayBeNone: boolean): string {
  return `${r.F}.cast(${r.q(param)}, ${r.R(x)}${mayBeNone ? ` or ${r.F}.NULL` : ''})`;
}

const callbackTypesOf = new WeakMap<Rewriter, { sig: string; proto?: string }[]>();

/** The C signatures of the callback types the input makes (`CFUNCTYPE(…)`, named or written where it is applied). */
function callbackTypes(rw: Rewriter): { sig: string; proto?: string }[] {
  let types = callbackTypesOf.get(rw);
  if (!types) {
    types = [];
    for (const c of rw.p.input.nodesOf('call')) {
      const callee = c.childForFieldName('function');
      if (!callee || !['CFUNCTYPE', 'WINFUNCTYPE'].includes(rw.p.ctypesName(callee) ?? '')) continue;
      const t = rw.p.typeOf(c);
      const left = c.parent?.type === 'assignment' && c.parent.childForFieldName('right')?.id === c.id ? c.parent.childForFieldName('left') : null;
      const proto = left?.type === 'identifier' && rw.p.prototypes.has(left.text) ? left.text : undefined;
      if (t?.k === 'func') types.push({ sig: callbackSignature(t.ret, t.args), proto });
    }
    callbackTypesOf.set(rw, types);
  }
  return types;
}

export function foreignCallRule(rw: Rewriter, n: Node, f: FunctionDecl, callee: Node, args: Node[], hasKeywords: boolean): ((r: Rewriter) => string) | undefined {
  const sig = rw.signatures.get(functionKey(f.lib.name, f.name));
  if (!sig) {
    planFunction(rw, f);
    const again = rw.signatures.get(functionKey(f.lib.name, f.name));
    if (!again) return undefined;
    return foreignCallRule(rw, n, f, callee, args, hasKeywords);
  }
  if (hasKeywords) return undefined;
  if (!sig.variadic && args.length !== sig.params.length) {
    rw.leave(n, `${f.name} is called with ${args.length} arguments but declared with ${sig.params.length}`);
    rw.demote(`fn:${functionKey(f.lib.name, f.name)}`, `${f.name} is called with ${args.length} arguments but declared with ${sig.params.length}`);
    return undefined;
  }
  let extraTypes: (string | undefined)[] = [];
  if (sig.variadic && args.length > sig.params.length) {
    const fmtNode = sig.formatIndex !== undefined ? args[sig.formatIndex] : undefined;
    const fmt = fmtNode ? stringLiteral(fmtNode) : undefined;
    const types = fmt ? formatArgTypes(fmt.value, /scanf/.test(f.name)) : undefined;
    if (!types || types.length !== args.length - sig.params.length) {
      const why = `the variadic arguments of ${f.name} need C types and ${fmt ? 'the format does not match the arguments' : 'the format is not a literal string'}: wrap each in ffi.cast/ffi.new by hand`;
      rw.leave(n, why);
      rw.demote(`fn:${functionKey(f.lib.name, f.name)}`, why);
      return undefined;
    }
    extraTypes = types;
  }
  // a callback whose prototype is not the parameter's own type: cast when only pointer types differ, else refuse
  const casts = new Map<number, string>();
  const unfollowed = new Set<number>();
  for (const [i, x] of args.entries()) {
    if (!(i < sig.params.length && sig.params[i]!.k === 'func')) continue;
    const k = kindOf(rw, x);
    if (k?.k !== 'callback') {
      // a value the kinds do not follow (a loop over a list of callbacks, a parameter) may be a callback of any type
      // the input makes; with argtypes ctypes took only the parameter's own prototype (else ArgumentError), so it fits
      if (f.argtypes || unparen(x).type === 'none') continue;
      const others = callbackTypes(rw).filter((c) => callbackFit(c.sig, sig.paramTexts[i]!) !== 'same');
      if (!others.length) continue;
      const plain = sideEffectFree(unparen(x));
      if (plain && others.every((c) => callbackFit(c.sig, sig.paramTexts[i]!) === 'cast')) {
        // only pointer types differ (the same ABI): cast it, NULL for None as ctypes passed it
        casts.set(i, sig.paramTexts[i]!);
        unfollowed.add(i);
        continue;
      }
      const differs = others.find((c) => callbackFit(c.sig, sig.paramTexts[i]!) === 'differs') ?? others[0]!;
      const why = `${x.text} passed to ${f.name} may be a callback of the type ${differs.sig}, which C calls as ${sig.paramTexts[i]}: declare the prototype as the C header does`;
      rw.leave(n, why);
      rw.demote(`fn:${functionKey(f.lib.name, f.name)}`, why);
      // the callbacks it may be stay ctypes with it (the kinds cannot follow them to this call)
      for (const c of others) if (c.proto) rw.demote(`proto:${c.proto}`, `${c.proto}'s callbacks may reach ${f.name}, which stays in ctypes`);
      return undefined;
    }
    const fit = callbackFit(k.sig, sig.paramTexts[i]!);
    const named = unparen(x).type === 'identifier' || unparen(x).type === 'attribute';
    if (fit === 'same') continue;
    if (fit === 'cast' && named) {
      casts.set(i, sig.paramTexts[i]!);
      continue;
    }
    const why = fit === 'cast'
      ? `the callback ${x.text} passed to ${f.name} has the type ${k.sig}, not the parameter's ${sig.paramTexts[i]}: cffi needs it cast, and a cast of a temporary callback does not keep it alive; bind it to a name first`
      : `the callback ${x.text} passed to ${f.name} has the type ${k.sig}, but C calls it as ${sig.paramTexts[i]}: declare the prototype as the C header does`;
    rw.leave(n, why);
    rw.demote(`fn:${functionKey(f.lib.name, f.name)}`, why);
    return undefined;
  }
  const errcheckAfter = sig.errcheckWrapper && f.errcheck && n.startIndex > f.errcheck.statement.endIndex;
  const resultUsed = n.parent?.type !== 'expression_statement';
  // A wchar_t* result may point into a str argument, which cffi converts into a temporary: keep it alive.
  const tempStr = isPrim(sig.ret, 'c_wchar_p', 'c_char_p') && resultUsed && !errcheckAfter
    ? args.map((x, i) => i < sig.params.length && isPrim(sig.params[i]!, 'c_wchar_p') && stringLiteral(x) !== undefined && !stringLiteral(x)!.bytes)
    : [];
  if (tempStr.some((b) => b)) {
    return (r) => {
      r.helpers.add('string');
      r.helpers.add('result');
      const rendered = args.map((x, i) => (tempStr[i] ? `${r.F}.new("wchar_t[]", ${r.R(x)})` : casts.has(i) ? castArg(r, casts.get(i)!, x, unfollowed.has(i)) : arg(r, x, sig.params[i]!)));
      return `_cstring_result(${r.R(callee)}, ${rendered.join(', ')})`;
    };
  }
  return (r) => {
    const rendered = args.map((x, i) => (casts.has(i) ? castArg(r, casts.get(i)!, x, unfollowed.has(i)) : i < sig.params.length ? arg(r, x, sig.params[i]!) : variadicArg(r, x, extraTypes[i - sig.params.length])));
    // an alias bound before the errcheck still names the raw function (one bound after it is the wrapper)
    const rawAlias = !!errcheckAfter && callee.type === 'identifier' && (rw.p.functionAliasAt.get(callee.text) ?? Infinity) < f.errcheck!.statement.startIndex;
    const calleeText = errcheckAfter && (callee.type !== 'identifier' || rawAlias) ? sig.errcheckWrapper! : r.R(callee);
    const call = `${calleeText}(${rendered.join(', ')})`;
    if (errcheckAfter || !resultUsed) return call;
    return wrapResult(r, sig, call) ?? call;
  };
}

/** Converts a result as ctypes handed it to Python (bytes or None for char*, int or None for void*). */
export function wrapResult(rw: Rewriter, sig: Signature, call: string): string | undefined {
  if (isPrim(sig.ret, 'c_char_p', 'c_wchar_p')) {
    rw.helpers.add('string');
    return `_cstring_or_none(${call})`;
  }
  if (isPrim(sig.ret, 'c_void_p')) {
    rw.helpers.add('address');
    return `_address_or_none(${call})`;
  }
  if (isPrim(sig.ret, 'c_longdouble')) return `float(${call})`;
  return undefined;
}

/** An argument for a parameter of C type t, as ctypes would have converted it. */
export function arg(rw: Rewriter, x: Node, t: CType): string {
  const u = unparen(x);
  const F = rw.F;
  if (u.type === 'none' && (t.k === 'ptr' || t.k === 'func' || isPrim(t, 'c_char_p', 'c_wchar_p', 'c_void_p'))) return `${F}.NULL`;
  const call = callParts(u);
  const cn = call ? rw.p.ctypesName(call.callee) : undefined;
  const k = kindOf(rw, u);
  if ((cn === 'byref' || cn === 'pointer') && call!.args[0]) {
    const ptr = ptrOf(rw, call!.args[0]);
    if (ptr) {
      const off = cn === 'byref' ? call!.args[1] : undefined;
      if (!off) return ptr(rw);
      const base = `${F}.cast("char *", ${ptr(rw)}) + ${rw.R(off)}`;
      return t.k === 'ptr' && !isPrim(t.to, 'c_char') ? `${F}.cast(${rw.q(typeString(t))}, ${base})` : base;
    }
  }
  if (t.k === 'prim' && !isPrim(t, 'c_char_p', 'c_wchar_p', 'c_void_p')) {
    const ctor = ctorType(rw, u);
    if (ctor?.k === 'prim' && call!.args.length === 1) return rw.R(call!.args[0]!);
    if (k?.k === 'ptr' && k.inst) return `${rw.R(u)}[0]`;
    const range = INT_RANGES[t.ctypes];
    const v = range ? evalInt(u) : undefined;
    if (range && v === undefined) rw.integerArguments.computed = true;
    // ctypes truncated an out-of-range constant silently; cffi would raise OverflowError
    if (v !== undefined && (v < range![0] || v > range![1])) {
      rw.integerArguments.wrapped = true;
      return `${F}.cast(${rw.q(t.c)}, ${rw.R(u)})`;
    }
    return rw.R(u);
  }
  if (isPrim(t, 'c_char_p', 'c_wchar_p')) {
    const ctor = ctorType(rw, u);
    if (ctor && isPrim(ctor, 'c_char_p', 'c_wchar_p') && call!.args.length === 1) return rw.R(call!.args[0]!);
    if (k?.k === 'ptr' && k.inst && isPrim(k.to, 'c_char_p', 'c_wchar_p')) return `${rw.R(u)}[0]`;
    if (k?.k === 'addr' || intLiteral(u) !== undefined) return `${F}.cast(${rw.q(typeString(t))}, ${rw.R(u)})`;
    return rw.R(u);
  }
  if (isPrim(t, 'c_void_p')) {
    if (k?.k === 'ptr' || k?.k === 'array' || k?.k === 'callback') return rw.R(u);
    if (k?.k === 'sval') return `${F}.addressof(${rw.R(u)})`;
    if (u.type === 'string' || u.type === 'concatenated_string') return rw.R(u);
    const ctor = ctorType(rw, u);
    if (ctor && ctor.k !== 'prim') return rw.R(u);
    if (intLiteral(u) !== undefined) return `${F}.cast("void *", ${rw.R(u)})`;
    return voidp(rw, rw.R(u));
  }
  if (t.k === 'ptr') {
    if (k?.k === 'ptr' || k?.k === 'array') return rw.R(u);
    if (k?.k === 'sval') return `${F}.addressof(${rw.R(u)})`;
    if (k?.k === 'addr' || intLiteral(u) !== undefined) return `${F}.cast(${rw.q(typeString(t))}, ${rw.R(u)})`;
    const ctor = ctorType(rw, u);
    if (ctor?.k === 'prim') {
      const p = ptrOf(rw, u);
      if (p) return p(rw);
    }
    return rw.R(u);
  }
  if (t.k === 'struct') {
    if (k?.k === 'ptr' && k.inst) return `${rw.R(u)}[0]`;
    const ctor = ctorType(rw, u);
    if (ctor?.k === 'struct') return `${rw.R(u)}[0]`;
    return rw.R(u);
  }
  return rw.R(u);
}

/** An argument in the `...` part: cffi wants cdata, typed by the format conversion. */
export function variadicArg(rw: Rewriter, x: Node, ctype: string | undefined): string {
  const u = unparen(x);
  const F = rw.F;
  const call = callParts(u);
  const cn = call ? rw.p.ctypesName(call.callee) : undefined;
  if ((cn === 'byref' || cn === 'pointer') && call!.args[0]) {
    const p = ptrOf(rw, call!.args[0]);
    if (p) return p(rw);
  }
  const ctor = ctorType(rw, u);
  const inner = ctor?.k === 'prim' && call!.args.length === 1 ? call!.args[0]! : undefined;
  const k = kindOf(rw, u);
  if (!inner && (k?.k === 'ptr' || k?.k === 'array' || k?.k === 'callback')) {
    if (k.k === 'ptr' && k.inst && k.to.k === 'prim' && ctype && ctype !== 'void *') return `${F}.cast(${rw.q(ctype)}, ${rw.R(u)}[0])`;
    return rw.R(u);
  }
  if (u.type === 'none') return `${F}.NULL`;
  if (!ctype) return rw.R(u);
  if (ctype === 'char *' || ctype === 'wchar_t *') {
    if (inner) return `${F}.new("${ctype.replace(' *', '[]')}", ${rw.R(inner)})`;
    return `${F}.new("${ctype.replace(' *', '[]')}", ${rw.R(u)})`;
  }
  return `${F}.cast(${rw.q(ctype)}, ${rw.R(inner ?? u)})`;
}

export const INT_RANGES: Record<string, [bigint, bigint]> = {
  c_byte: [-(2n ** 7n), 2n ** 7n - 1n], c_int8: [-(2n ** 7n), 2n ** 7n - 1n],
  c_ubyte: [0n, 2n ** 8n - 1n], c_uint8: [0n, 2n ** 8n - 1n],
  c_short: [-(2n ** 15n), 2n ** 15n - 1n], c_int16: [-(2n ** 15n), 2n ** 15n - 1n],
  c_ushort: [0n, 2n ** 16n - 1n], c_uint16: [0n, 2n ** 16n - 1n],
  c_int: [-(2n ** 31n), 2n ** 31n - 1n], c_int32: [-(2n ** 31n), 2n ** 31n - 1n],
  c_uint: [0n, 2n ** 32n - 1n], c_uint32: [0n, 2n ** 32n - 1n],
};

/** Folds small integer expressions (`2**32 + 7`, `-(2**32) - 5`, `1 << 20`). */
export function evalInt(n: Node): bigint | undefined {
  n = unparen(n);
  if (n.type === 'integer') {
    try {
      return BigInt(n.text.replace(/_/g, ''));
    } catch {
      return undefined;
    }
  }
  if (n.type === 'unary_operator') {
    const v = evalInt(n.childForFieldName('argument')!);
    const op = n.childForFieldName('operator')?.text ?? n.text[0];
    return v === undefined ? undefined : op === '-' ? -v : op === '+' ? v : op === '~' ? ~v : undefined;
  }
  if (n.type === 'binary_operator') {
    const l = evalInt(n.childForFieldName('left')!);
    const r = evalInt(n.childForFieldName('right')!);
    const op = n.childForFieldName('operator')!.text;
    if (l === undefined || r === undefined) return undefined;
    switch (op) {
      case '+': return l + r;
      case '-': return l - r;
      case '*': return l * r;
      case '**': return r >= 0n && r < 256n ? l ** r : undefined;
      case '<<': return r >= 0n && r < 256n ? l << r : undefined;
      case '|': return l | r;
      case '&': return l & r;
      default: return undefined;
    }
  }
  return undefined;
}

/** The C types of the variadic arguments a printf/scanf format consumes, or undefined when unreadable. */
export function formatArgTypes(fmt: string, scanf: boolean): string[] | undefined {
  const out: string[] = [];
  const re = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?(hh|h|ll|l|L|z|j|t|q)?([diouxXeEfFgGaAcspn%])/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(fmt))) {
    if (m.index !== consumed && fmt.slice(consumed, m.index).includes('%')) return undefined;
    consumed = m.index + m[0].length;
    const [, , width, prec, len = '', conv] = m;
    if (conv === '%') continue;
    if (scanf) {
      if (width === '*') continue; // assignment suppression
      out.push('void *');
      continue;
    }
    if (width === '*') out.push('int');
    if (prec === '*') out.push('int');
    const signed = 'di'.includes(conv!);
    const unsigned = 'ouxX'.includes(conv!);
    if (signed || unsigned) {
      const base = len === 'll' || len === 'q' ? 'long long' : len === 'l' ? 'long' : len === 'z' ? (signed ? 'ssize_t' : 'size_t') : len === 'j' ? 'intmax_t' : len === 't' ? 'ptrdiff_t' : 'int';
      out.push(unsigned && !['size_t', 'ptrdiff_t', 'intmax_t'].includes(base) ? `unsigned ${base}` : base === 'intmax_t' ? (signed ? 'intmax_t' : 'uintmax_t') : base);
    } else if ('eEfFgGaA'.includes(conv!)) out.push(len === 'L' ? 'long double' : 'double');
    else if (conv === 'c') out.push('int');
    else if (conv === 's') out.push(len === 'l' ? 'wchar_t *' : 'char *');
    else if (conv === 'p') out.push('void *');
    else return undefined; // %n
  }
  if (fmt.slice(consumed).includes('%')) return undefined;
  return out;
}

/** `S(…).f` where f is an array or a struct: a view into memory the temporary owns. */
function viewOfTemporary(rw: Rewriter, n: Node, struct: string): boolean {
  const p = n.parent;
  if (p?.type !== 'attribute' || p.childForFieldName('object')?.id !== n.id) return false;
  const field = rw.p.structs.get(struct)?.fields?.find((f) => f.name === p.childForFieldName('attribute')!.text);
  return field?.type?.k === 'array' || field?.type?.k === 'struct';
}
