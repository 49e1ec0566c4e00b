/** What each variable and expression holds once converted (a Kind: T* cdata, array, struct value, callback, address), read from the plan's types; the rules render a use by the kind of its value, never by its text alone. */
import type { Node } from 'web-tree-sitter';
import { type FunctionDecl, type StructDecl, type StructField, functionKey } from '../readCtypes';
import { callParts, dotted, functionLocals, isStoreTarget, keyOf, unparen, walk } from '../syntax';
import { type CType, callbackSignature, isPrim } from '../typeNames';
import type { Kind, Rewriter } from './rewriter';
import { calledFunction } from './plan';
import { computeFrozen } from './staysCtypes';
import { dynamicArrayType, dynamicLengthIsWhole } from './buffers';
import { usedOnce, callbackParams, callbackDecoratorSig, protoType } from './callbacks';

export function scopeKeyFor(rw: Rewriter, n: Node, name: string): string {
  if (name.startsWith('self.')) {
    const cls = rw.p.input.enclosing(n, 'class_definition');
    return cls ? `${keyOf(cls)}|${name}` : `module|${name}`;
  }
  for (let fn = rw.p.input.enclosing(n, 'function_definition'); fn; fn = rw.p.input.enclosing(fn, 'function_definition')) {
    if (namesAssignedIn(rw, fn).has(name)) return `${keyOf(fn)}|${name}`;
  }
  return `module|${name}`;
}

export function namesAssignedIn(rw: Rewriter, fn: Node): Set<string> {
  const key = keyOf(fn);
  let set = rw.assignedIn.get(key);
  if (set) return set;
  set = functionLocals(fn);
  rw.assignedIn.set(key, set);
  return set;
}

/** Records the kinds of assigned variables, in text order; parameters take the kinds their callers pass. Call after plan(). */
export function inferKinds(rw: Rewriter): void {
  for (let round = 0; round < 3; round++) {
    rw.kinds.clear();
    rw.typed.clear();
    for (const [k, v] of rw.paramSeeds) rw.kinds.set(k, v);
    collectKindsOnce(rw);
    if (!inferParams(rw)) break;
  }
  // a name that holds ctypes values of different kinds is not followed: every value it holds stays ctypes
  for (const key of rw.typed) {
    if (rw.kinds.get(key) === 'conflict') rw.demote(`var:${key}`, `${key.slice(key.indexOf('|') + 1)} holds ctypes values of different types, so it stays in ctypes`);
  }
  computeFrozen(rw);
}

/** Seeds parameter kinds from calls `f(a, b)` of plain functions defined in this file; true when something changed. */
export function inferParams(rw: Rewriter): boolean {
  const defs = new Map<string, Node>();
  for (const n of rw.p.input.nodesOf('function_definition')) {
    if (rw.p.input.enclosing(n, 'class_definition')) continue;
    const name = n.childForFieldName('name')!.text;
    defs.set(name, defs.has(name) ? n : n);
  }
  const seen = new Map<string, Kind | 'conflict'>();
  for (const n of rw.p.input.nodesOf('call')) {
    const call = callParts(n);
    const name = call?.callee.type === 'identifier' ? call.callee.text : undefined;
    const def = name ? defs.get(name) : undefined;
    if (!call || !def || call.splat || call.keywords.size) continue;
    const params = (def.childForFieldName('parameters')?.namedChildren ?? []).map((p) => (p.type === 'identifier' ? p : p.childForFieldName('name'))).filter((p): p is Node => !!p && p.type === 'identifier');
    call.args.forEach((a, i) => {
      const prm = params[i];
      if (!prm) return;
      const key = `${keyOf(def)}|${prm.text}`;
      const k = kindOf(rw, a);
      const prev = seen.get(key);
      if (!seen.has(key)) seen.set(key, k ?? 'conflict');
      else if (prev === 'conflict' || !k || JSON.stringify(prev) !== JSON.stringify(k)) seen.set(key, 'conflict');
    });
  }
  let changed = false;
  for (const [k, v] of seen) {
    if (v === 'conflict') continue;
    if (JSON.stringify(rw.paramSeeds.get(k)) !== JSON.stringify(v)) {
      rw.paramSeeds.set(k, v);
      changed = true;
    }
  }
  return changed;
}

export function collectKindsOnce(rw: Rewriter): void {
  for (const n of rw.p.input.nodesOf('decorated_definition', 'call', 'assignment', 'for_statement', 'for_in_clause', 'augmented_assignment', 'with_item')) {
    if (n.type === 'decorated_definition') {
      const def = n.childForFieldName('definition');
      const sig = callbackDecoratorSig(rw, n);
      if (def?.type === 'function_definition' && sig) {
        const name = def.childForFieldName('name')!;
        setKind(rw, scopeKeyFor(rw, n, name.text), { k: 'callback', sig: sig.text });
        callbackParams(rw, def, sig.args);
      }
      continue;
    }
    if (n.type === 'call') {
      const call = callParts(n);
      const t = call && call.args.length === 1 ? protoType(rw, call.callee) : undefined;
      const fnName = t && call!.args[0]!.type === 'identifier' ? call!.args[0]!.text : undefined;
      const def = fnName ? functionDefNamed(rw, fnName) : undefined;
      if (t && def && dotted(call!.callee) && rw.p.prototypes.has(dotted(call!.callee)!)) {
        const needsPrologue = t.args.some((a) => isPrim(a, 'c_char_p', 'c_wchar_p', 'c_void_p', 'c_longdouble'));
        if (!needsPrologue || usedOnce(rw, fnName!)) {
          callbackParams(rw, def, t.args);
          rw.plainCallbacks.add(keyOf(n));
        }
      }
      continue;
    }
    if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (!left || !right) continue;
      const name = dotted(left);
      if ((left.type === 'pattern_list' || left.type === 'tuple_pattern') && (right.type === 'expression_list' || right.type === 'tuple') && left.namedChildren.length === right.namedChildren.length) {
        left.namedChildren.forEach((l, i) => {
          if (l.type === 'identifier') setKind(rw, scopeKeyFor(rw, l, l.text), kindOf(rw, right.namedChildren[i]!));
        });
        continue;
      }
      if (!name || !(left.type === 'identifier' || name.startsWith('self.'))) {
        // Tuple targets etc.: whatever they held is unknown now.
        for (const id of walk(left)) if (id.type === 'identifier' && isStoreTarget(id)) setKind(rw, scopeKeyFor(rw, id, id.text), undefined);
        continue;
      }
      if (n.parent?.type === 'expression_statement' && rw.isDeleted(n)) continue;
      setKind(rw, scopeKeyFor(rw, n, name), kindOf(rw, right));
    } else if ((n.type === 'for_statement' || n.type === 'for_in_clause') && n.childForFieldName('left')?.type === 'identifier' && n.childForFieldName('right')) {
      // `for it in items` over an array of structs: each item is a struct value
      const left = n.childForFieldName('left')!;
      const k = kindOf(rw, n.childForFieldName('right')!);
      setKind(rw, scopeKeyFor(rw, left, left.text), k?.k === 'array' && k.of.k === 'struct' ? { k: 'sval', type: k.of } : undefined);
    } else if (n.type === 'for_statement' || n.type === 'augmented_assignment' || n.type === 'with_item') {
      for (const id of walk(n.childForFieldName('left') ?? n)) if (id.type === 'identifier' && isStoreTarget(id)) setKind(rw, scopeKeyFor(rw, id, id.text), undefined);
    }
  }
}

export function setKind(rw: Rewriter, key: string, kind: Kind | undefined): void {
  if (kind && kind.k !== 'addr') rw.typed.add(key);
  const prev = rw.kinds.get(key);
  if (!rw.kinds.has(key)) {
    rw.kinds.set(key, kind ?? 'conflict');
    if (!kind) rw.kinds.delete(key), rw.kinds.set(key, 'conflict');
    if (!kind) rw.kinds.set(key, 'conflict');
    return;
  }
  if (prev === 'conflict' || !kind || !prev || JSON.stringify(prev) !== JSON.stringify(kind)) rw.kinds.set(key, 'conflict');
}

export function functionDefNamed(rw: Rewriter, name: string): Node | undefined {
  return functionDefsNamed(rw, name)[0];
}

/** Every `def NAME` of the round's tree in document order, read in one walk (a walk per name would be quadratic). */
const functionDefs = new WeakMap<Rewriter, { root: Node; byName: Map<string, Node[]> }>();
export function functionDefsNamed(rw: Rewriter, name: string): readonly Node[] {
  let ix = functionDefs.get(rw);
  if (!ix || ix.root !== rw.p.root) {
    ix = { root: rw.p.root, byName: new Map() };
    for (const n of rw.p.input.nodesOf('function_definition')) {
      const defName = n.childForFieldName('name')?.text;
      if (defName === undefined) continue;
      const list = ix.byName.get(defName);
      if (list) list.push(n);
      else ix.byName.set(defName, [n]);
    }
    functionDefs.set(rw, ix);
  }
  return ix.byName.get(name) ?? [];
}

/** What an expression evaluates to, in ctypes terms that carry over to cffi. */
export function kindOf(rw: Rewriter, n: Node): Kind | undefined {
  n = unparen(n);
  const key = keyOf(n);
  if (rw.computing.has(key)) return undefined;
  rw.computing.add(key);
  try {
    return kindOfUncached(rw, n);
  } finally {
    rw.computing.delete(key);
  }
}

export function kindOfUncached(rw: Rewriter, n: Node): Kind | undefined {
  if (n.type === 'identifier' || (n.type === 'attribute' && dotted(n)?.startsWith('self.'))) {
    const v = rw.varKind(n);
    if (v) return v;
  }
  if (n.type === 'attribute') {
    const obj = n.childForFieldName('object')!;
    const attr = n.childForFieldName('attribute')!.text;
    const ok = kindOf(rw, obj);
    if (attr === 'contents' && ok?.k === 'ptr') return valueKind(rw, ok.to);
    const field = fieldOf(rw, obj, attr);
    if (field) return valueKind(rw, field.type!);
    return undefined;
  }
  if (n.type === 'subscript') {
    const ok = kindOf(rw, n.childForFieldName('value')!);
    if (ok?.k === 'array') return valueKind(rw, ok.of);
    if (ok?.k === 'ptr') return valueKind(rw, ok.to);
    return undefined;
  }
  const call = callParts(n);
  if (!call) return undefined;
  const cn = rw.p.ctypesName(call.callee);
  if (cn !== undefined && !cn.includes('.')) {
    if (cn === 'create_string_buffer' || cn === 'c_buffer') return { k: 'array', of: { k: 'prim', ctypes: 'c_char', c: 'char' } };
    if (cn === 'create_unicode_buffer') return { k: 'array', of: { k: 'prim', ctypes: 'c_wchar', c: 'wchar_t' } };
    if (cn === 'pointer' && call.args[0]) {
      const inner = kindOf(rw, call.args[0]);
      if (inner?.k === 'ptr') return { k: 'ptr', to: inner.to, inst: false };
      if (inner?.k === 'sval') return { k: 'ptr', to: inner.type, inst: false };
      const t = ctorType(rw, call.args[0]);
      return t ? { k: 'ptr', to: t, inst: false } : undefined;
    }
    if (cn === 'cast' && call.args.length === 2) {
      const t = rw.p.typeOf(call.args[1]);
      if (t?.k === 'ptr') return { k: 'ptr', to: t.to, inst: false };
      return undefined;
    }
    if (cn === 'addressof') return { k: 'addr' };
    const t = rw.p.typeOf(call.callee);
    if (t?.k === 'prim') return { k: 'ptr', to: t, inst: true };
    return undefined;
  }
  // T.in_dll / from_address / from_buffer / from_buffer_copy
  if (call.callee.type === 'attribute') {
    const method = call.callee.childForFieldName('attribute')!.text;
    const t = rw.p.typeOf(call.callee.childForFieldName('object'));
    if (t && ['in_dll', 'from_address', 'from_buffer', 'from_buffer_copy'].includes(method)) {
      return t.k === 'array' ? { k: 'array', of: t.of } : { k: 'ptr', to: t, inst: true };
    }
    const dyn = dynamicArrayType(rw, call.callee.childForFieldName('object')!);
    if (dyn && method === 'from_buffer' && dynamicLengthIsWhole(rw, dyn, call.args)) return { k: 'array', of: dyn.of };
  }
  const ct = rw.p.typeOf(call.callee);
  if (ct?.k === 'struct') return { k: 'ptr', to: ct, inst: true };
  if (ct?.k === 'array') return { k: 'array', of: ct.of };
  const dyn = dynamicArrayType(rw, call.callee);
  if (dyn) return { k: 'array', of: dyn.of };
  if (ct?.k === 'ptr' && call.args.length === 0) return { k: 'ptr', to: ct.to, inst: false };
  if (ct?.k === 'func') return { k: 'callback', sig: callbackSignature(ct.ret, ct.args) };
  if (call.callee.type === 'identifier') {
    const def = functionDefNamed(rw, call.callee.text);
    if (def && !rw.p.input.enclosing(def, 'class_definition')) return returnKind(rw, def);
  }
  const f = calledFunction(rw, call.callee);
  const sig = f && rw.signatures.get(functionKey(f.lib.name, f.name));
  if (sig && (!sig.errcheckWrapper || errcheckReturnsResult(rw, f))) {
    if (sig.ret.k === 'ptr') return { k: 'ptr', to: sig.ret.to, inst: false };
    if (sig.ret.k === 'struct') return { k: 'sval', type: sig.ret };
    if (isPrim(sig.ret, 'c_void_p')) return { k: 'addr' };
  }
  return undefined;
}

/** The function's errcheck is a module-level def that returns its first parameter untouched (or raises): the checked call's value is the C result. */
export function errcheckReturnsResult(rw: Rewriter, f: FunctionDecl): boolean {
  const value = f.errcheck?.value;
  if (value?.type !== 'identifier') return false;
  const cached = rw.identityErrchecks.get(value.text);
  if (cached !== undefined) return cached;
  const def = functionDefNamed(rw, value.text);
  const first = def?.childForFieldName('parameters')?.namedChildren[0];
  const result = first?.type === 'identifier' ? first.text : undefined;
  const defs = functionDefsNamed(rw, value.text);
  let ok = defs.length === 1 && def!.parent?.type === 'module' && !!result;
  const visit = (n: Node): void => {
    for (const c of n.namedChildren) {
      if (!ok) return;
      if (c.type === 'function_definition' || c.type === 'class_definition' || c.type === 'lambda') {
        if (c.childForFieldName('name')?.text === result) ok = false;
        continue;
      }
      if (c.type === 'return_statement' && c.namedChildren[0]?.text !== result) ok = false;
      else if (c.type === 'yield' || c.type === 'global_statement' || c.type === 'nonlocal_statement') ok = false;
      else if (c.type === 'identifier' && c.text === result && isStoreTarget(c)) ok = false;
      else if ((c.type === 'named_expression' ? c.childForFieldName('name') : c.type === 'as_pattern' ? c.childForFieldName('alias') : undefined)?.text === result) ok = false;
      else visit(c);
    }
  };
  const body = def?.childForFieldName('body');
  // falling off the end returns None, which ctypes then hands out as the call's value
  const last = body?.namedChildren.filter((c) => c.type !== 'comment').pop();
  if (last?.type !== 'return_statement' && last?.type !== 'raise_statement') ok = false;
  if (ok && body) visit(body);
  rw.identityErrchecks.set(value.text, ok);
  return ok;
}

/** The kind a plain function returns, when all its `return` statements agree. */
export function returnKind(rw: Rewriter, def: Node): Kind | undefined {
  let out: Kind | undefined;
  let first = true;
  const visit = (n: Node): boolean => {
    for (const c of n.namedChildren) {
      if (c.type === 'function_definition' || c.type === 'class_definition' || c.type === 'lambda') continue;
      if (c.type === 'return_statement') {
        const v = c.namedChildren[0];
        const k = v ? kindOf(rw, v) : undefined;
        if (!k) return false;
        if (first) out = k;
        else if (JSON.stringify(out) !== JSON.stringify(k)) return false;
        first = false;
      } else if (!visit(c)) return false;
    }
    return true;
  };
  const body = def.childForFieldName('body');
  return body && visit(body) ? out : undefined;
}

export function valueKind(rw: Rewriter, t: CType): Kind | undefined {
  if (t.k === 'struct') return { k: 'sval', type: t };
  if (t.k === 'array') return { k: 'array', of: t.of };
  if (t.k === 'ptr') return { k: 'ptr', to: t.to, inst: false };
  return undefined;
}

/** The type a ctypes constructor call creates (`c_int(…)`, `S(…)`), if any. */
export function ctorType(rw: Rewriter, n: Node): CType | undefined {
  const call = callParts(n);
  if (!call) return undefined;
  const t = rw.p.typeOf(call.callee);
  return t && (t.k === 'prim' || t.k === 'struct' || t.k === 'array') ? t : undefined;
}

export function structOf(rw: Rewriter, t: CType | undefined): StructDecl | undefined {
  return t?.k === 'struct' && rw.convertedStructs.has(t.name) ? rw.p.structs.get(t.name) : undefined;
}

/** The field `attr` of the struct an expression holds (looking through anonymous members). */
export function fieldOf(rw: Rewriter, obj: Node, attr: string): StructField | undefined {
  const k = kindOf(rw, obj);
  const st = k?.k === 'ptr' ? structOf(rw, k.to) : k?.k === 'sval' ? structOf(rw, k.type) : undefined;
  return st ? findField(rw, st, attr) : undefined;
}

export function findField(rw: Rewriter, st: StructDecl, attr: string): StructField | undefined {
  const direct = st.fields?.find((f) => f.name === attr);
  if (direct) return direct;
  for (const an of st.anonymous) {
    const member = st.fields?.find((f) => f.name === an);
    const inner = structOf(rw, member?.type);
    const found = inner && findField(rw, inner, attr);
    if (found) return found;
  }
  return undefined;
}
