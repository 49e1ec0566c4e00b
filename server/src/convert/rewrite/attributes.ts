/** What is done with values: `.value`/`.raw`/`.contents`, struct fields (reads, stores, offsets), subscripts, `lib["f"]`; each follows the kind of the object and the plan's struct fields. */
import type { Node } from 'web-tree-sitter';
import { functionKey, splitFunctionRef, structType } from '../readCtypes';
import { callParts, dotted, intLiteral, isStoreTarget, stringLiteral, unparen } from '../syntax';
import { type CType, fitsCInteger, isFloating, isIntegral, isPrim, typeString } from '../typeNames';
import type { Rewriter } from './rewriter';
import { calledFunction } from './plan';
import { kindOf, ctorType, structOf, fieldOf } from './kinds';
import { arg } from './calls';
import { castSource, holdsPythonBuffer, keptCtypes } from './buffers';
import { constructedValue } from '../constructedValue';

export function attributeRule(rw: Rewriter, n: Node): ((r: Rewriter) => string) | undefined {
  const obj = n.childForFieldName('object')!;
  const attr = n.childForFieldName('attribute')!.text;
  const F = rw.F;
  const store = isStoreTarget(n);
  // S.field.offset / .size
  if ((attr === 'offset' || attr === 'size') && obj.type === 'attribute') {
    const sName = dotted(obj.childForFieldName('object'));
    const st = sName ? rw.p.structs.get(sName) : undefined;
    const fieldName = obj.childForFieldName('attribute')!.text;
    const field = st && rw.convertedStructs.has(st.name) ? st.fields!.find((f) => f.name === fieldName) : undefined;
    if (st && field && !store) {
      const ts = rw.q(typeString(structType(st)));
      // an anonymous member has no name in C: its offset is its first field's
      const inner = st.anonymous.includes(fieldName) ? structOf(rw, field.type)?.fields?.[0]?.name : undefined;
      return attr === 'offset' ? () => `${F}.offsetof(${ts}, ${rw.q(inner ?? fieldName)})` : () => `${F}.sizeof(${rw.q(typeString(field.type!))})`;
    }
  }
  if (attr === 'value') {
    const call = callParts(obj);
    const ct = call ? rw.p.typeOf(call.callee) : undefined;
    const cn = call ? rw.p.ctypesName(call.callee) : undefined;
    // c_int(v).value: the value, truncated as ctypes would
    if (call && ct?.k === 'prim' && cn !== undefined && call.args.length <= 1 && !call.keywords.size && !call.splat && !store) {
      const v = call.args[0];
      if (constructedValue(ct, v, (x) => x.text, (s) => s, F) !== undefined) return (r) => constructedValue(ct, v, (x) => r.R(x), (s) => r.q(s), F)!;
    }
    if (call && cn === 'cast' && call.args.length === 2 && !store) {
      const t = rw.p.typeOf(call.args[1]);
      const s = unparen(call.args[0]!);
      const sc = callParts(s);
      if (sc && !['byref', 'pointer', 'addressof'].includes(rw.p.ctypesName(sc.callee) ?? '')) return undefined;
      if (holdsPythonBuffer(rw, s) || keptCtypes(rw, s)) return undefined; // castRule leaves the cast itself
      const src = castSource(rw, s);
      if (isPrim(t, 'c_void_p')) return (r) => { r.helpers.add('address'); return `_address_or_none(${F}.cast("void *", ${src(r)}))`; };
      if (isPrim(t, 'c_char_p')) return (r) => { r.helpers.add('string'); return `_cstring_or_none(${F}.cast("char *", ${src(r)}))`; };
    }
    const k = kindOf(rw, obj);
    if (k?.k === 'ptr' && k.inst && k.to.k === 'prim') {
      if (store) {
        if (isPrim(k.to, 'c_char_p', 'c_wchar_p')) return storeCharP(rw, n);
        if (isPrim(k.to, 'c_void_p')) return (r) => `${r.R(obj)}[0]`;
        return (r) => `${r.R(obj)}[0]`;
      }
      if (isPrim(k.to, 'c_char_p', 'c_wchar_p')) return (r) => { r.helpers.add('string'); return `_cstring_or_none(${r.R(obj)}[0])`; };
      if (isPrim(k.to, 'c_void_p')) return (r) => { r.helpers.add('address'); return `_address_or_none(${r.R(obj)}[0])`; };
      if (isPrim(k.to, 'c_longdouble')) return (r) => `float(${r.R(obj)}[0])`;
      return (r) => `${r.R(obj)}[0]`;
    }
    // p.contents.value
    if (obj.type === 'attribute' && obj.childForFieldName('attribute')!.text === 'contents') {
      const pk = kindOf(rw, obj.childForFieldName('object')!);
      if (pk?.k === 'ptr' && pk.to.k === 'prim') return (r) => `${r.R(obj.childForFieldName('object')!)}[0]`;
    }
    if (k?.k === 'array' && (isPrim(k.of, 'c_char') || isPrim(k.of, 'c_wchar'))) {
      if (store) return undefined; // handled by the assignment rule
      return (r) => `${F}.string(${r.R(obj)})`;
    }
  }
  if (attr === 'raw') {
    const k = kindOf(rw, obj);
    if (k?.k === 'array' && isPrim(k.of, 'c_char') && !store) return (r) => `${F}.buffer(${r.R(obj)})[:]`;
  }
  if (attr === 'contents') {
    const k = kindOf(rw, obj);
    if (k?.k === 'ptr') return (r) => `${r.R(obj)}[0]`;
  }
  // Field reads that ctypes converted to Python values.
  const field = fieldOf(rw, obj, attr);
  if (field && !store) {
    const t = field.type!;
    const objText = (r: Rewriter): string => {
      // p.contents.f → p.f
      if (obj.type === 'attribute' && obj.childForFieldName('attribute')!.text === 'contents' && kindOf(rw, obj.childForFieldName('object')!)?.k === 'ptr') return r.R(obj.childForFieldName('object')!);
      return r.R(obj);
    };
    if (field.bits === undefined && t.k === 'array' && (isPrim(t.of, 'c_char') || isPrim(t.of, 'c_wchar'))) return (r) => `${F}.string(${objText(r)}.${attr})`;
    if (isPrim(t, 'c_char_p', 'c_wchar_p')) return (r) => { r.helpers.add('string'); return `_cstring_or_none(${objText(r)}.${attr})`; };
    if (isPrim(t, 'c_void_p')) return (r) => { r.helpers.add('address'); return `_address_or_none(${objText(r)}.${attr})`; };
    if (isPrim(t, 'c_longdouble')) return (r) => `float(${objText(r)}.${attr})`;
    if (obj.type === 'attribute' && obj.childForFieldName('attribute')!.text === 'contents') return (r) => `${objText(r)}.${attr}`;
  }
  if (field && store && obj.type === 'attribute' && obj.childForFieldName('attribute')!.text === 'contents' && kindOf(rw, obj.childForFieldName('object')!)?.k === 'ptr') {
    return (r) => `${r.R(obj.childForFieldName('object')!)}.${attr}`;
  }
  // A ctypes library attribute the cdef cannot provide.
  const d = dotted(n);
  if (d && !store) {
    const f = calledFunction(rw, n);
    const sig = f && rw.signatures.get(functionKey(f.lib.name, f.name));
    if (sig?.errcheckWrapper && f!.errcheck && n.startIndex > f!.errcheck.statement.endIndex) return () => sig.errcheckWrapper!;
    const ref = splitFunctionRef(rw.p, d);
    if (ref && !ref.lib.human && (ref.name.startsWith('_') || /^\d/.test(ref.name))) rw.leave(n, `${d} is a ctypes library internal with no cffi equivalent`);
  }
  return undefined;
}

export function storeCharP(rw: Rewriter, n: Node): ((r: Rewriter) => string) | undefined {
  const a = n.parent!;
  const right = a.childForFieldName('right');
  if (right && unparen(right).type === 'none') return (r) => `${r.R(n.childForFieldName('object')!)}[0]`;
  rw.leave(n, 'storing bytes through a char* needs memory that outlives the statement: keep an ffi.new("char[]", …) alive by hand');
  return undefined;
}

export function subscriptRule(rw: Rewriter, n: Node): ((r: Rewriter) => string) | undefined {
  const value = n.childForFieldName('value')!;
  const index = n.childForFieldName('subscript');
  if (!index) return undefined;
  const libName = dotted(value);
  if (libName && rw.p.libraries.has(libName) && stringLiteral(index) && !isStoreTarget(n)) {
    const f = calledFunction(rw, n);
    const sig = f && rw.signatures.get(functionKey(f.lib.name, f.name));
    if (sig?.errcheckWrapper && f!.errcheck && n.startIndex > f!.errcheck.statement.endIndex) return () => sig.errcheckWrapper!;
    return (r) => `getattr(${r.R(value)}, ${index.text})`;
  }
  const k = kindOf(rw, value);
  const store = isStoreTarget(n);
  if (k?.k === 'ptr' && !store && index.type !== 'slice') {
    // reading through a pointer: ctypes converted char*/void*/long double items to Python values
    if (isPrim(k.to, 'c_char_p', 'c_wchar_p')) return (r) => { r.helpers.add('string'); return `_cstring_or_none(${r.splice(n)})`; };
    if (isPrim(k.to, 'c_void_p')) return (r) => { r.helpers.add('address'); return `_address_or_none(${r.splice(n)})`; };
    if (isPrim(k.to, 'c_longdouble')) return (r) => `float(${r.splice(n)})`;
  }
  if (k?.k !== 'array') return undefined;
  const F = rw.F;
  const isChar = isPrim(k.of, 'c_char');
  if (index.type === 'slice') {
    if (store) {
      if (isChar) return (r) => `${F}.buffer(${r.R(value)})[${r.R(index)}]`;
      return undefined;
    }
    if (isChar) return (r) => `${F}.buffer(${r.R(value)})[${r.R(index)}]`;
    if (index.text.replace(/\s/g, '') === ':') return (r) => `list(${r.R(value)})`;
    return (r) => `list(${r.R(value)})[${r.R(index)}]`;
  }
  const lit = intLiteral(index);
  if (lit !== undefined && lit < 0) return (r) => `${r.R(value)}[len(${r.R(value)}) - ${-lit}]`;
  if (!store) {
    if (isPrim(k.of, 'c_longdouble')) return (r) => `float(${r.splice(n)})`;
    if (isPrim(k.of, 'c_char_p', 'c_wchar_p')) return (r) => { r.helpers.add('string'); return `_cstring_or_none(${r.splice(n)})`; };
    if (isPrim(k.of, 'c_void_p')) return (r) => { r.helpers.add('address'); return `_address_or_none(${r.splice(n)})`; };
  }
  return undefined;
}

export function assignmentRule(rw: Rewriter, n: Node): ((r: Rewriter) => string) | undefined {
  const left = n.childForFieldName('left');
  const right = n.childForFieldName('right');
  if (left?.type === 'subscript' && right && !n.childForFieldName('type')) {
    // a[i] = v on an array of integers (also an array field): truncated as ctypes truncates
    const k = kindOf(rw, left.childForFieldName('value')!);
    const index = left.childForFieldName('subscript');
    if (k?.k === 'array' && k.of.k === 'prim' && index?.type !== 'slice') return integerFieldStore(rw, left, right, k.of);
    return undefined;
  }
  if (!left || !right || left.type !== 'attribute') return undefined;
  const obj = left.childForFieldName('object')!;
  const attr = left.childForFieldName('attribute')!.text;
  const F = rw.F;
  if (attr === 'value') {
    const k = kindOf(rw, obj);
    const store = cellStore(rw, k, obj, right, undefined);
    if (store) return store;
    if (k?.k === 'array' && (isPrim(k.of, 'c_char') || isPrim(k.of, 'c_wchar'))) {
      // buf.value = b"…": ctypes writes the bytes and a NUL, and raises when they do not fit
      const nul = isPrim(k.of, 'c_char') ? 'b"\\0"' : '"\\0"';
      return (r) => `${r.R(obj)}[0:len(${r.R(right)}) + 1] = ${r.R(right)} + ${nul}`;
    }
  }
  if (attr === 'raw') {
    const k = kindOf(rw, obj);
    if (k?.k === 'array' && isPrim(k.of, 'c_char')) return (r) => `${F}.buffer(${r.R(obj)})[0:len(${r.R(right)})] = ${r.R(right)}`;
  }
  const field = fieldOf(rw, obj, attr);
  if (field) {
    const t = field.type!;
    const u = unparen(right);
    if (isPrim(t, 'c_char_p', 'c_wchar_p')) {
      if (u.type === 'none') return (r) => `${r.R(left)} = ${F}.NULL`;
      rw.leave(n, 'storing bytes in a char* field: ctypes keeps them alive, cffi does not; keep an ffi.new("char[]", …) alive as long as the struct');
      const k = kindOf(rw, obj);
      const st = k?.k === 'ptr' ? k.to : k?.k === 'sval' ? k.type : undefined;
      if (st?.k === 'struct') rw.demote(`struct:${st.name}`, 'bytes are stored in its char* field: ctypes keeps them alive, cffi needs an owner chosen by hand');
      return undefined;
    }
    if (t.k === 'ptr' || t.k === 'func' || isPrim(t, 'c_void_p')) {
      if (u.type === 'none') return (r) => `${r.R(left)} = ${F}.NULL`;
      if (isPrim(t, 'c_void_p')) return (r) => `${r.R(left)} = ${arg(r, right, t)}`;
      if (t.k === 'ptr') return (r) => `${r.R(left)} = ${arg(r, right, t)}`;
    }
    if (t.k === 'struct' || t.k === 'prim') {
      const k = kindOf(rw, right);
      if (t.k === 'struct' && k?.k === 'ptr' && k.inst) return (r) => `${r.R(left)} = ${r.R(right)}[0]`;
      const ctor = ctorType(rw, right);
      if (ctor?.k === 'prim' && callParts(right)!.args.length === 1) return (r) => `${r.R(left)} = ${r.R(callParts(right)!.args[0]!)}`;
      if (t.k === 'prim') return integerFieldStore(rw, left, right, t);
    }
  }
  return undefined;
}

/**
 * `s.f = v` for an integer or `_Bool` field (or `a[i] = v` for such an array's item): ctypes truncates (stores the truth), cffi raises OverflowError; so a
 * value other than a literal in range goes through `_c_integer` (`bool` for a `_Bool`), as a cell's store does.
 * Until session 11 `s.x = 2 ** 40 + 3` became an OverflowError in this engine.
 */
function integerFieldStore(rw: Rewriter, left: Node, right: Node, t: CType & { k: 'prim' }): ((r: Rewriter) => string) | undefined {
  const bool = isPrim(t, 'c_bool');
  if (!bool && !isIntegral(t)) return undefined;
  if (bool) return ['True', 'False', '0', '1'].includes(unparen(right).text) ? undefined : (r) => `${r.R(left)} = bool(${r.R(right)})`;
  const lit = intLiteral(right);
  if (lit !== undefined && fitsCInteger(t.c, lit)) return undefined;
  return (r) => {
    r.helpers.add('integer');
    return `${r.R(left)} = _c_integer(${r.q(t.c)}, ${r.R(right)})`;
  };
}

/**
 * `x.value = v` / `x.value op= v` on a cell (`x = ffi.new("T *")`): ctypes truncates an integer to the C type and
 * stores any object's truth in a `c_bool`, where cffi raises OverflowError; so an integer store other than a
 * literal in range goes through `_c_integer` (ctypes' TypeError for a non-int too), a `_Bool` one through `bool`.
 * Undefined when the plain `x[0] = v` stores what ctypes stored.
 */
function cellStore(rw: Rewriter, k: ReturnType<typeof kindOf>, obj: Node, right: Node, op: string | undefined): ((r: Rewriter) => string) | undefined {
  if (k?.k !== 'ptr' || !k.inst || k.to.k !== 'prim') return undefined;
  const t = k.to;
  const bool = isPrim(t, 'c_bool');
  if (!bool && !isIntegral(t)) return undefined;
  if (op === undefined) {
    if (bool && ['True', 'False', '0', '1'].includes(unparen(right).text)) return undefined;
    const lit = intLiteral(right);
    if (!bool && lit !== undefined && fitsCInteger(t.c, lit)) return undefined;
  }
  const value = (r: Rewriter): string => (op === undefined ? r.R(right) : `${r.R(obj)}[0] ${op} (${r.R(right)})`);
  if (bool) return (r) => `${r.R(obj)}[0] = bool(${value(r)})`;
  return (r) => {
    r.helpers.add('integer');
    return `${r.R(obj)}[0] = _c_integer(${r.q(t.c)}, ${value(r)})`;
  };
}

/** `x.value op= v` on a cell: as `cellStore` (`/=` and other augmented stores on other objects: undefined). */
export function augmentedAssignmentRule(rw: Rewriter, n: Node): ((r: Rewriter) => string) | undefined {
  const left = n.childForFieldName('left');
  const right = n.childForFieldName('right');
  const op = left && right ? n.text.slice(left.endIndex - n.startIndex, right.startIndex - n.startIndex).trim() : undefined;
  if (!left || !right || left.type !== 'attribute' || left.childForFieldName('attribute')!.text !== 'value' || !op?.endsWith('=') || op === '/=') return undefined;
  const obj = left.childForFieldName('object')!;
  return cellStore(rw, kindOf(rw, obj), obj, right, op.slice(0, -1));
}
