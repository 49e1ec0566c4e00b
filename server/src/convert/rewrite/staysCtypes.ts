/** What must stay ctypes because it touches something that stays (a function without a signature, a demoted variable, struct or prototype): asked of the next round, so a cffi value never reaches ctypes code. */
import type { Node } from 'web-tree-sitter';
import { functionKey } from '../readCtypes';
import { callParts, dotted, keyOf, unparen, walk } from '../syntax';
import { type CType, fitsCInteger, isIntegral } from '../typeNames';
import { intLiteral, isStoreTarget } from '../syntax';
import type { Rewriter } from './rewriter';
import { planFunction, typeConvertible, calledFunction, structsIn, protosIn } from './plan';
import { scopeKeyFor, kindOf, errcheckReturnsResult } from './kinds';
import { callbackDecoratorSig } from './callbacks';

/** Ranges whose code stays ctypes this round: statements left for a human, values of variables kept in ctypes. */
export function computeFrozen(rw: Rewriter): void {
  const ctypesCallables = findCtypesCallables(rw);
  // a statement demoted by an earlier round, when this tree has it (frozen is only asked `has`: no walk order to keep)
  for (const token of rw.demoted.keys()) {
    const m = /^stmt:(\d+):(\d+):(.+)$/.exec(token);
    if (m && rw.p.input.hasNode(Number(m[1]), Number(m[2]), m[3]!)) rw.frozen.add(token.slice('stmt:'.length));
  }
  const input = rw.p.input;
  const { f } = input;
  // the names some demoted variable has (after its scope): an assignment to another name needs no scope looked up
  const demotedVars = new Set<string>();
  for (const token of rw.demoted.keys()) if (token.startsWith('var:')) demotedVars.add(token.slice(token.indexOf('|') + 1));
  // the calls and assignments of the flat copy in text order (nodesOf('call', 'assignment')), a Node only where one is read
  for (let i = 0; i < input.count; i++) {
    if (!input.flat.isNamed(i)) continue;
    const type = input.type(i);
    if (type === 'call') {
      // what a function that stays ctypes receives stays ctypes: a cffi value would reach it (ArgumentError)
      const call = input.callParts(i);
      if (call && staysCtypes(rw, call.callee, ctypesCallables)) {
        const argList = input.field(i, f.arguments);
        rw.frozen.add(input.keyAt(argList));
        rw.ctypesArguments.push([input.start(argList), input.end(argList)]);
      }
    } else if (type === 'assignment') {
      const right = input.field(i, f.right);
      const name = input.dotted(input.field(i, f.left));
      if (name && right >= 0 && demotedVars.has(name) && rw.demoted.has(`var:${scopeKeyFor(rw, input.node(i), name)}`)) rw.frozen.add(input.keyAt(right));
    }
  }
}

/** A foreign function without a cdef signature (it stays on the ctypes handle), or one a prototype made from `(name, lib)`: the callee at flat index `callee`, a Node made only for calledFunction. */
function staysCtypes(rw: Rewriter, callee: number, ctypesCallables: { names: Set<string>; attrs: Set<string> }): boolean {
  const input = rw.p.input;
  const name = input.dotted(callee);
  if (name && ctypesCallables.names.has(name)) return true;
  if (input.type(callee) === 'attribute' && ctypesCallables.attrs.has(input.textOf(input.field(callee, input.f.attribute)))) return true;
  const f = calledFunction(rw, input.node(callee));
  if (!f) return false;
  planFunction(rw, f);
  return !rw.signatures.has(functionKey(f.lib.name, f.name));
}

/** Names bound to a prototype instantiated from a library symbol (`P(("name", lib))`), and the attributes `self.f = P(…)` sets. */
export function findCtypesCallables(rw: Rewriter): { names: Set<string>; attrs: Set<string> } {
  const names = new Set<string>();
  const attrs = new Set<string>();
  const input = rw.p.input;
  // the assignments of the flat copy, in text order (nodesOf('assignment') without a Node each)
  for (let i = 0; i < input.count; i++) {
    if (!input.flat.isNamed(i) || input.type(i) !== 'assignment') continue;
    const a = input.parent(i) >= 0 ? input.assignmentOf(input.parent(i)) : undefined;
    const call = a ? input.callParts(input.unparen(a.right)) : undefined;
    const proto = call ? input.dotted(call.callee) : undefined;
    const name = a ? input.dotted(a.left) : undefined;
    if (name && proto && rw.p.prototypes.has(proto) && call!.args[0] !== undefined && input.type(input.unparen(call!.args[0])) === 'tuple') {
      names.add(name);
      // `self.f = P(…)` is called as `obj.f(…)` too
      if (name.startsWith('self.')) attrs.add(name.slice('self.'.length));
    }
  }
  return { names, attrs };
}

/**
 * Uses of a number cell's pointer (`p = pointer(x)`, `byref(x)`, a parameter or result holding one) where a cffi
 * `T *` does not behave as the ctypes object did: compared (two ctypes pointers to one cell are never equal, cffi's
 * compare by address; the cell itself is one object), stored through with an integer cffi may refuse (ctypes
 * truncates), re-pointed (`p.contents = …`), read as a ctypes object (`r._obj`, `isinstance`, `type`), or kept in a
 * list, tuple, set or dict the kinds do not follow. Each such statement is left ctypes, so what it names stays too.
 */
export function leavePointerUses(rw: Rewriter): void {
  const text = rw.p.input.text;
  if (!text.includes('pointer(') && !text.includes('byref(')) return;
  const cellPointer = (n: Node): Extract<CType, { k: 'prim' }> | undefined => {
    const u = unparen(n);
    let x = u;
    if (u.type === 'call') {
      const c = callParts(u);
      const m = c ? rw.p.ctypesName(c.callee) : undefined;
      if ((m !== 'byref' && m !== 'pointer') || !c!.args[0]) return undefined;
      x = unparen(c!.args[0]);
    } else if (u.type !== 'identifier') return undefined;
    const k = kindOf(rw, x);
    return k?.k === 'ptr' && k.to.k === 'prim' ? k.to : undefined;
  };
  const pointerCall = (n: Node): boolean => {
    const c = unparen(n).type === 'call' ? callParts(unparen(n)) : undefined;
    const m = c ? rw.p.ctypesName(c.callee) : undefined;
    return (m === 'byref' || m === 'pointer') && !!cellPointer(n);
  };
  const asObject = new Set(['isinstance', 'type', 'id', 'hash', 'repr', 'str']);
  for (const n of rw.p.input.nodesOf('comparison_operator', 'subscript', 'attribute', 'call', 'list', 'tuple', 'set', 'dictionary', 'pair')) {
    let why: string | undefined;
    if (n.type === 'comparison_operator') {
      const side = n.namedChildren.find((c) => cellPointer(c) && (unparen(c).type === 'call' || kindOf(rw, unparen(c))?.k === 'ptr'));
      if (side && (unparen(side).type === 'call' || !isValueCell(rw, unparen(side)))) why = `${side.text} is compared: ctypes compares two pointer objects by identity, cffi compares its pointers by address`;
    } else if (n.type === 'subscript') {
      const obj = n.childForFieldName('value')!;
      const t = obj.type === 'identifier' ? cellPointer(obj) : undefined;
      if (t && isStoreTarget(n)) {
        const right = n.parent?.type === 'assignment' && n.parent.childForFieldName('left')?.id === n.id ? n.parent.childForFieldName('right') : undefined;
        const lit = right ? intLiteral(right) : undefined;
        if (isIntegral(t) && (lit === undefined || !fitsCInteger(t.c, lit))) why = `${n.text} stores an integer cffi range-checks (ctypes truncated it)`;
      }
    } else if (n.type === 'attribute') {
      const obj = n.childForFieldName('object')!;
      const attr = n.childForFieldName('attribute')!.text;
      if (obj.type === 'identifier' && cellPointer(obj) && attr !== 'value' && (attr !== 'contents' || isStoreTarget(n))) {
        why = attr === 'contents' ? `${n.text} re-points a ctypes pointer; a cffi pointer cannot be re-pointed` : `${n.text} reads a ctypes object's attribute, which a cffi pointer does not have`;
      }
    } else if (n.type === 'call') {
      const c = callParts(n);
      if (c && c.callee.type === 'identifier' && asObject.has(c.callee.text) && c.args[0] && cellPointer(c.args[0])) why = `${c.callee.text}() of ${c.args[0].text} reads the ctypes object, not the value it points to`;
    } else {
      const el = n.namedChildren.find(pointerCall);
      if (el) why = `${el.text} is kept in a ${n.type === 'pair' ? 'dict' : n.type}, which the converter does not follow`;
    }
    if (why && !rw.isFrozen(n)) rw.leave(n, why);
  }
}

/**
 * `f(…, x, …)` of a plain function of the file with x (or `byref(x)`, `pointer(x)`) kept in ctypes: the parameter it
 * lands on holds a ctypes value, so what the function hands it to stays ctypes too (demotedNameIn, next round).
 */
export function demoteParameters(rw: Rewriter, n: Node): void {
  const call = callParts(n);
  if (!call || call.splat || call.callee.type !== 'identifier') return;
  const defs = rw.p.input.nodesOf('function_definition').filter((d) => d.childForFieldName('name')?.text === call.callee.text && !rw.p.input.enclosing(d, 'class_definition'));
  if (!defs.length) return;
  call.args.forEach((a, i) => {
    const v = demotedNameIn(rw, [a]);
    if (!v) return;
    for (const def of defs) {
      const prm = (def.childForFieldName('parameters')?.namedChildren ?? []).map((p) => (p.type === 'identifier' ? p : p.childForFieldName('name'))).filter((p): p is Node => !!p && p.type === 'identifier')[i];
      if (prm) rw.demote(`var:${keyOf(def)}|${prm.text}`, `${prm.text} is handed ${v.text}, which stays in ctypes`);
    }
  });
}

/** An argument that is a variable kept in ctypes (also inside `byref(x)`, `pointer(x)`), if any. */
export function demotedNameIn(rw: Rewriter, args: Node[]): { text: string } | undefined {
  if (!rw.demoted.size) return undefined;
  for (const a of args) {
    let u = unparen(a);
    const c = u.type === 'call' ? callParts(u) : undefined;
    const m = c ? rw.p.ctypesName(c.callee) : undefined;
    if ((m === 'byref' || m === 'pointer') && c!.args[0]) u = unparen(c!.args[0]);
    if (u.type === 'identifier' && rw.demoted.has(`var:${scopeKeyFor(rw, u, u.text)}`)) return { text: u.text };
  }
  return undefined;
}

/** A cell itself (`x = c_int()`): its `.value` is what code compares; only a pointer object to it is compared as one. */
function isValueCell(rw: Rewriter, n: Node): boolean {
  const k = kindOf(rw, n);
  return k?.k === 'ptr' && !!k.inst;
}

/** After a round: what else must stay in ctypes because it touches something that stays. */
export function propagateCtypes(rw: Rewriter): void {
  leavePointerUses(rw);
  const input = rw.p.input;
  const { flat, f } = input;
  const namesWithKinds = varsWithKinds(rw);
  // the variables a subtree names that would hold a ctypes value, read on the flat copy: a Node only for a name some kind has
  const ctypesVarsIn = (i: number): { token: string; text: string }[] => {
    const out: { token: string; text: string }[] = [];
    for (let c = i, end = flat.after[i]!; c < end; c++) {
      if (!flat.isNamed(c)) {
        c = flat.after[c]! - 1; // walk() reads named children only
        continue;
      }
      const t = input.type(c);
      if (t !== 'identifier' && t !== 'attribute') continue;
      const name = input.dotted(c);
      if (t === 'attribute' && !name?.startsWith('self.')) continue;
      const p = input.parent(c);
      if (p >= 0 && input.type(p) === 'attribute') {
        const attr = input.field(p, f.attribute);
        if (attr >= 0 && input.start(attr) === input.start(c)) continue;
      }
      if (!name || !namesWithKinds().has(name)) continue; // rawVar answers only for a name with a kind
      const v = rw.rawVar(input.node(c));
      if (v) out.push({ token: v.token, text: input.textOf(c) });
    }
    return out;
  };
  const nodes = (is: number[]): Node[] => is.map((i) => input.node(i));
  // names bound to a prototype instantiated from something (`P(("name", lib))`, `P(address)`), and decorated callbacks
  const { names: ctypesCallables, attrs: callableAttrs } = findCtypesCallables(rw);
  const decoratedDefs = rw.decoratedCallbacks;
  for (const n of input.nodesOf('decorated_definition')) {
    if (callbackDecoratorSig(rw, n)) {
      const name = n.childForFieldName('definition')?.childForFieldName('name')?.text;
      if (name) decoratedDefs.set(name, n);
    }
  }
  // the demoted statements' starts, and why each stays by its key: a node's cached key is looked up, no token made per node
  const demotedStatements = new Set<number>();
  const demotedWhyOf = new Map<string, string>();
  for (const [token, why] of rw.demoted) {
    if (!token.startsWith('stmt:')) continue;
    demotedStatements.add(Number(token.slice('stmt:'.length, token.indexOf(':', 'stmt:'.length))));
    demotedWhyOf.set(token.slice('stmt:'.length), why);
  }
  // the end of the demoted statement the walk is in, and why it stays
  let demotedEnd = -1;
  let demotedWhy = '';
  // every named node in walk() order (a pre-order walk of named children), on the flat copy
  for (let i = 0; i < flat.count; i++) {
    if (!flat.isNamed(i)) {
      i = flat.after[i]! - 1;
      continue;
    }
    const type = input.type(i);
    if (type === 'identifier') {
      const text = input.textOf(i);
      const proto = rw.p.prototypes.get(text);
      const def = decoratedDefs.get(text);
      if ((rw.convertedStructs.has(text) || (proto && !proto.human) || def) && rw.isFrozenAt(i) && !input.isStoreTarget(i)) {
        // code that stays ctypes names a struct class or a prototype: they stay ctypes too
        if (rw.convertedStructs.has(text)) rw.demote(`struct:${text}`, `${text} is used where ctypes stays`);
        if (proto && !proto.human) rw.demote(`proto:${text}`, `${text} is used where ctypes stays`);
        // a decorated callback handed to code that stays ctypes (a call to a ctypes function) stays a ctypes callback
        if (def && !(def.startIndex <= input.start(i) && input.end(i) <= def.endIndex)) rw.demote(`stmt:${keyOf(def)}`, `the callback ${text} is passed where ctypes stays`);
      }
    }
    if (demotedStatements.has(input.start(i))) {
      const why = demotedWhyOf.get(input.keyAt(i));
      if (why !== undefined) for (const v of ctypesVarsIn(i)) rw.demote(v.token, `${v.text} is used where ctypes stays (${why})`);
      if (why !== undefined && flat.after[i]! > demotedEnd) {
        demotedEnd = flat.after[i]!;
        demotedWhy = why;
      }
    }
    if (type === 'assignment') {
      const left = input.field(i, f.left);
      const right = input.field(i, f.right);
      const name = input.dotted(left);
      if (right < 0 || !name || !(input.type(left) === 'identifier' || name.startsWith('self.'))) continue;
      const leftToken = `var:${scopeKeyFor(rw, input.node(i), name)}`;
      const rightVars = ctypesVarsIn(right);
      if (rw.demoted.has(leftToken)) for (const v of rightVars) rw.demote(v.token, `${v.text} flows into ${name}, which stays in ctypes`);
      if (rightVars.some((v) => rw.demoted.has(v.token))) rw.demote(leftToken, `${name} holds a value that stays in ctypes`);
    }
    const call = type === 'call' ? input.callParts(i) : undefined;
    if (call || (type === 'attribute' && input.textOf(input.field(i, f.attribute)) === '__class__')) {
      // type(s) / s.__class__ of a struct value: a cdata's type is not the ctypes class
      const of = call ? (input.textOf(call.callee) === 'type' && call.args.length === 1 ? call.args[0]! : -1) : input.field(i, f.object);
      const k = of >= 0 ? kindOf(rw, input.node(of)) : undefined;
      const t = k?.k === 'sval' ? k.type : k?.k === 'ptr' ? k.to : undefined;
      if (t?.k === 'struct' && rw.convertedStructs.has(t.name)) rw.demote(`struct:${t.name}`, `the type of a ${t.name} value is read (${input.textOf(i)}): a cffi struct is not the ctypes class`);
      if (of >= 0 && !k) {
        // an errcheck that does not plainly return its result may hand out the struct: nothing says this is not one
        for (const sig of rw.signatures.values()) {
          const r = sig.ret.k === 'ptr' ? sig.ret.to : sig.ret;
          if (sig.errcheckWrapper && r.k === 'struct' && rw.convertedStructs.has(r.name) && !errcheckReturnsResult(rw, sig.fn)) rw.demote(`struct:${r.name}`, `the type of a value ${sig.fn.name}'s errcheck may return is read (${input.textOf(i)}): a cffi struct is not the ctypes class`);
        }
      }
    }
    if (call && ctypesCallables.size) {
      // `qsort = QSORT_PROTO(("qsort", libc))` stays a ctypes function: what it is handed stays ctypes
      const callee = input.dotted(call.callee);
      const attr = input.type(call.callee) === 'attribute' ? input.textOf(input.field(call.callee, f.attribute)) : undefined;
      if (callee && (ctypesCallables.has(callee) || (attr && callableAttrs.has(attr)))) {
        for (const a of call.args) {
          for (const v of ctypesVarsIn(a)) rw.demote(v.token, `${v.text} is passed to ${callee}, a ctypes function`);
        }
        demoteCallbacksIn(rw, nodes(call.args), callee);
      }
    }
    if (call && rw.demoted.size && input.type(call.callee) === 'identifier') demoteParameters(rw, input.node(i));
    if (call) {
      const fn = calledFunction(rw, input.node(call.callee));
      if (!fn) continue;
      const key = functionKey(fn.lib.name, fn.name);
      const vars = call.args.flatMap(ctypesVarsIn);
      if (rw.signatures.has(key) && !fn.lib.human) {
        // a demoted variable has no kind (ctypesVarsIn skips it): its token, looked up in its scope
        const stuck = vars.find((v) => rw.demoted.has(v.token)) ?? demotedNameIn(rw, nodes(call.args));
        if (stuck) rw.demote(`fn:${key}`, `${fn.name} is called with ${stuck.text}, which stays in ctypes`);
        // a statement that stays ctypes keeps its ctypes objects (`f(ctypes.cast(…))`): f must take them
        else if (i < demotedEnd && nodes(call.args).some((a) => walkHasCtypesName(rw, a))) rw.demote(`fn:${key}`, `${fn.name} is handed a ctypes object where ctypes stays (${demotedWhy})`);
      } else {
        // '~': a variable kept for a library left out on purpose is not a problem to report
        for (const v of vars) rw.demote(v.token, `${fn.lib.handle ? '~' : ''}${v.text} is passed to ${fn.name}, which stays in ctypes`);
        demoteCallbacksIn(rw, nodes(call.args), fn.name);
        for (const d of [fn.argtypes?.types, fn.restype?.type ? [fn.restype.type] : undefined]) {
          for (const t of d ?? []) for (const sname of structsIn(t)) if (rw.convertedStructs.has(sname)) rw.demote(`struct:${sname}`, `${sname} is used by ${fn.name}, which stays in ctypes`);
        }
      }
    }
  }
  // A field ctypes reads differently (bytes, int addresses, pointer objects) read from something the plan cannot type
  // (`it.name` for an `it` of unknown origin) would give a cdata: the structs with such a field stay ctypes.
  const special = new Map<string, string[]>();
  for (const name of rw.convertedStructs) {
    for (const fl of rw.p.structs.get(name)!.fields ?? []) {
      if (!fl.type || !readsDifferently(fl.type)) continue;
      special.set(fl.name, [...(special.get(fl.name) ?? []), name]);
    }
  }
  if (special.size) {
    for (const n of rw.p.input.nodesOf('attribute')) {
      const attr = n.childForFieldName('attribute')!.text;
      const owners = attr ? special.get(attr) : undefined;
      if (!owners) continue;
      const obj = n.childForFieldName('object')!;
      if (rw.p.structs.has(dotted(obj) ?? '')) continue; // S.field.offset: the class's descriptor
      const k = kindOf(rw, obj);
      const t = k?.k === 'sval' ? k.type : k?.k === 'ptr' ? k.to : undefined;
      if (t?.k === 'struct') continue;
      for (const o of owners) rw.demote(`struct:${o}`, `${n.text} reads the field ${attr} from a value the converter cannot follow; ctypes and cffi read a ${o}.${attr} differently`);
    }
  }
  // Types in the signatures of functions that stay in ctypes stay too.
  for (const f of rw.p.functions.values()) {
    if (rw.signatures.has(functionKey(f.lib.name, f.name))) continue;
    for (const t of [...(f.argtypes?.types ?? []), ...(f.restype?.type ? [f.restype.type] : [])]) {
      for (const sname of structsIn(t)) if (rw.convertedStructs.has(sname)) rw.demote(`struct:${sname}`, `${sname} is used by ${f.name}, which stays in ctypes`);
      for (const proto of protosIn(t)) if (!rw.p.prototypes.get(proto)?.human) rw.demote(`proto:${proto}`, `${proto} is used by ${f.name}, which stays in ctypes`);
    }
  }
  // Variables holding a struct, array or prototype that stays in ctypes
  for (const [key, k] of rw.kinds) {
    if (k === 'conflict' || rw.demoted.has(`var:${key}`)) continue;
    const t = k.k === 'ptr' ? k.to : k.k === 'array' ? k.of : k.k === 'sval' ? k.type : undefined;
    if (t && !typeConvertible(rw, t)) rw.demote(`var:${key}`, 'its type stays in ctypes');
  }
}

/** Whether a ctypes name (`ctypes.cast`, `c_int`) occurs in this expression. */
function walkHasCtypesName(rw: Rewriter, n: Node): boolean {
  for (const c of walk(n)) if ((c.type === 'identifier' || c.type === 'attribute') && rw.p.ctypesName(c) !== undefined) return true;
  return false;
}

/** The names (after the scope) of the variables some kind is recorded for, re-read when kinds grow. */
function varsWithKinds(rw: Rewriter): () => Set<string> {
  let names = new Set<string>();
  let size = -1;
  return () => {
    if (size !== rw.kinds.size) {
      names = new Set([...rw.kinds.keys()].map((key) => key.slice(key.indexOf('|') + 1)));
      size = rw.kinds.size;
    }
    return names;
  };
}

/** Callbacks handed to a function that stays ctypes stay ctypes callbacks: a decorated def, a prototype called in the argument. */
export function demoteCallbacksIn(rw: Rewriter, args: Node[], callee: string): void {
  for (const a of args) {
    for (const c of walk(a)) {
      const def = c.type === 'identifier' ? rw.decoratedCallbacks.get(c.text) : undefined;
      if (def) rw.demote(`stmt:${keyOf(def)}`, `the callback ${c.text} is passed to ${callee}, a ctypes function`);
      const inner = c.type === 'call' ? callParts(c) : undefined;
      const proto = inner && dotted(inner.callee);
      if (proto && rw.p.prototypes.has(proto) && !rw.p.prototypes.get(proto)!.human) rw.demote(`proto:${proto}`, `${proto} makes a callback passed to ${callee}, a ctypes function`);
    }
  }
}

/** Field types ctypes and cffi read as different Python values (bytes / int / pointer objects vs cdata). */
export function readsDifferently(t: CType): boolean {
  if (t.k === 'ptr') return true;
  if (t.k === 'array') return t.of.k === 'prim' && (t.of.c === 'char' || t.of.c === 'wchar_t');
  return t.k === 'prim' && ['c_char_p', 'c_wchar_p', 'c_void_p'].includes(t.ctypes);
}
