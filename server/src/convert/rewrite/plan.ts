/** The plan of a round: which structs, prototypes, type aliases and foreign functions become cdef declarations, with their signatures; every rule reads it, so it runs first (Rewriter.plan). */
import type { Node } from 'web-tree-sitter';
import { cTypedefs, lookupPrototype } from '../../data/cPrototypes';
import { cTypeFromString } from '../cTypeStrings';
import { type FunctionDecl, assignmentOf, functionKey, splitFunctionRef } from '../readCtypes';
import { callParts, dotted, isStoreTarget, keyOf, stringLiteral, unparen, walk } from '../syntax';
import { type CType, callbackSignature, declare, isPrim } from '../typeNames';
import type { Signature, Rewriter } from './rewriter';
import { wrapResult } from './calls';
import { errnoPolicy, findErrnoCalls } from './errno';

/** Decides what is converted: struct classes, prototypes, function signatures. Call once, first. */
export function planDeclarations(rw: Rewriter): void {
  for (const s of rw.p.structs.values()) {
    const why = s.human ?? rw.demoted.get(`struct:${s.name}`);
    if (why) rw.leave(s.node, why);
    else rw.convertedStructs.add(s.name);
  }
  // A struct whose fields use a struct left as ctypes cannot be declared either.
  for (let changed = true; changed; ) {
    changed = false;
    for (const name of [...rw.convertedStructs]) {
      const s = rw.p.structs.get(name)!;
      if (s.fields!.some((f) => !typeConvertible(rw, f.type!))) {
        rw.convertedStructs.delete(name);
        rw.leave(s.node, `${name} uses a type that stays in ctypes`);
        changed = true;
      }
    }
  }
  // `S._pack_ = …` and `S._anonymous_ = …` by struct name, read in one walk (in document order)
  const layoutStatements = new Map<string, Node[]>();
  if (rw.convertedStructs.size) {
    for (const st of rw.p.input.nodesOf('expression_statement')) {
      const a = assignmentOf(st);
      const owner = a && a.left.type === 'attribute' && ['_pack_', '_anonymous_'].includes(a.left.childForFieldName('attribute')!.text) ? dotted(a.left.childForFieldName('object')) : undefined;
      if (owner === undefined) continue;
      const list = layoutStatements.get(owner);
      if (list) list.push(st);
      else layoutStatements.set(owner, [st]);
    }
  }
  for (const s of rw.p.structs.values()) {
    if (!rw.convertedStructs.has(s.name)) continue;
    rw.deleteStatement(s.node.parent?.type === 'decorated_definition' ? s.node.parent : s.node);
    if (s.fieldsStatement) rw.deleteStatement(s.fieldsStatement);
    for (const st of layoutStatements.get(s.name) ?? []) rw.deleteStatement(st);
  }
  for (const proto of rw.p.prototypes.values()) {
    if (!proto.human) proto.human = rw.demoted.get(`proto:${proto.name}`) ?? paramflagsUse(rw, proto.name) ?? classUse(rw, proto.name);
    if (proto.human || !proto.ret || !proto.args || ![proto.ret, ...proto.args].every((t) => typeConvertible(rw, t))) {
      rw.leave(proto.statement, proto.human ?? 'this prototype uses a type that stays in ctypes');
      // a ctypes prototype needs ctypes types: the structs and callback types it names stay too
      for (const t of [...(proto.ret ? [proto.ret] : []), ...(proto.args ?? [])]) {
        for (const sname of structsIn(t)) if (rw.convertedStructs.has(sname)) rw.demote(`struct:${sname}`, `${sname} is used by the prototype ${proto.name}, which stays in ctypes`);
        for (const other of protosIn(t)) if (other !== proto.name && !rw.p.prototypes.get(other)?.human) rw.demote(`proto:${other}`, `${other} is used by the prototype ${proto.name}, which stays in ctypes`);
      }
      continue;
    }
    if (isPrim(proto.ret, 'c_char_p', 'c_wchar_p', 'c_void_p')) {
      rw.leave(proto.statement, 'a callback returning a pointer must keep the pointed-to memory alive: cffi does not do it for you');
      continue;
    }
    const a = assignmentOf(proto.statement)!;
    rw.replaced.set(keyOf(proto.statement), { node: proto.statement, text: `${a.left.text} = "${callbackSignature(proto.ret, proto.args)}"` });
  }
  for (const alias of rw.p.aliases.values()) if (typeConvertible(rw, alias.type)) rw.deleteStatement(alias.statement);
  const errnoCalls = findErrnoCalls(rw);
  const keepErrno = errnoCalls.length ? errnoPolicy(rw).keep : undefined;
  if (keepErrno) for (const n of errnoCalls) rw.leave(n, keepErrno);
  for (const lib of rw.p.libraries.values()) if (lib.human && !lib.handle) rw.leave(lib.statement, lib.human);
  for (const f of [...rw.p.functions.values()]) planFunction(rw, f);
  // Functions only ever referenced (called without argtypes, passed around): declared from the prototype table.
  for (const n of rw.p.input.nodesOf('attribute')) {
    if (isStoreTarget(n)) continue;
    const d = dotted(n);
    const ref = d ? splitFunctionRef(rw.p, d) : undefined;
    if (!ref || ref.lib.human || ref.name.startsWith('_')) continue;
    const f = calledFunction(rw, n);
    if (f) planFunction(rw, f);
  }
  for (const f of [...rw.p.functions.values()]) planFunction(rw, f);
}

export function paramflagsUse(rw: Rewriter, proto: string): string | undefined {
  let why: string | undefined;
  for (const n of tupleCalls(rw).get(proto) ?? []) {
    why = `${proto} is instantiated from a library symbol (with paramflags): that needs a hand-written wrapper around the cffi function`;
    rw.leave(n, why);
  }
  return why;
}

/** Calls `NAME((…), …)` whose first argument is a tuple, by callee, in document order: one walk per round. */
const tupleCallIndexes = new WeakMap<Rewriter, { root: Node; byCallee: Map<string, Node[]> }>();
function tupleCalls(rw: Rewriter): Map<string, Node[]> {
  let ix = tupleCallIndexes.get(rw);
  if (!ix || ix.root !== rw.p.root) {
    ix = { root: rw.p.root, byCallee: new Map() };
    for (const n of rw.p.input.nodesOf('call')) {
      const call = callParts(n);
      const name = call && call.args[0] && unparen(call.args[0]).type === 'tuple' ? dotted(call.callee) : undefined;
      if (name === undefined) continue;
      const list = ix.byCallee.get(name);
      if (list) list.push(n);
      else ix.byCallee.set(name, [n]);
    }
    tupleCallIndexes.set(rw, ix);
  }
  return ix.byCallee;
}

/** A prototype read as the ctypes class it is (`P.__name__`, `P.argtypes`, `isinstance(x, P)`): its cffi form, a signature string, has none of that. */
export function classUse(rw: Rewriter, proto: string): string | undefined {
  let why: string | undefined;
  for (const n of identifiersNamed(rw, proto)) {
    if (isStoreTarget(n)) continue;
    const p = n.parent!;
    const attribute = p.type === 'attribute' && p.childForFieldName('object')?.startIndex === n.startIndex;
    const call = p.type === 'argument_list' ? callParts(p.parent!) : undefined;
    const typeTest = !!call && /^(isinstance|issubclass)$/.test(dotted(call.callee) ?? '') && call.args[1]?.startIndex === n.startIndex;
    if (!attribute && !typeTest) continue;
    why ??= `${proto} is read as a ctypes class (${(attribute ? p : p.parent!).text.slice(0, 40)}), which a cffi callback type is not`;
    rw.leave(n, why);
  }
  return why;
}

export function planFunction(rw: Rewriter, f: FunctionDecl): void {
  if (rw.planned.has(f)) return;
  rw.planned.add(f);
  if (f.lib.human) return;
  const name = `${f.lib.name}.${f.name}`;
  const demotedWhy = rw.demoted.get(`fn:${functionKey(f.lib.name, f.name)}`);
  if (demotedWhy) {
    for (const d of [f.argtypes, f.restype, f.errcheck]) if (d) rw.leave(d.statement, demotedWhy);
    for (const n of refsOf(rw, f)) rw.leave(n, demotedWhy);
    return;
  }
  const reassigned = (f.argtypes?.count ?? 0) > 1 || (f.restype?.count ?? 0) > 1 || (f.errcheck?.count ?? 0) > 1;
  const firstCall = firstCallOffset(rw, f);
  const declaredAfterCall = [f.argtypes, f.restype, f.errcheck].some((d) => d && firstCall !== undefined && d.statement.startIndex > firstCall);
  const stmts = [f.argtypes, f.restype, f.errcheck].filter((d) => d) as { statement: Node }[];
  if (reassigned || declaredAfterCall) {
    const why = `the signature of ${name} changes while the program runs; a cdef has one signature per function`;
    for (const d of stmts) rw.leave(d.statement, why);
    return;
  }
  if (f.argtypes && !f.argtypes.types) {
    rw.leave(f.argtypes.statement, `the argtypes of ${name} could not be read`);
    return;
  }
  if (f.restype && !f.restype.type) {
    rw.leave(f.restype.statement, `the restype of ${name} could not be read`);
    return;
  }
  const proto = lookupPrototype(f.name);
  let params: CType[];
  let variadic = false;
  let typedefs: string[] = [];
  let formatIndex: number | undefined;
  let paramTexts: string[];
  if (f.argtypes?.types) {
    params = f.argtypes.types;
    if (!params.every((t) => typeConvertible(rw, t))) {
      rw.leave(f.argtypes.statement, `an argument type of ${name} stays in ctypes`);
      return;
    }
    paramTexts = params.map((t) => declare(t, ''));
    if (proto?.variadic && proto.params.length === params.length) {
      variadic = true;
      rw.notes.push(`${name} is variadic in C: declared with "..." and its extra arguments wrapped by their format`);
    }
  } else if (proto) {
    params = proto.params.map(cTypeFromString);
    paramTexts = [...proto.params];
    variadic = proto.variadic;
    typedefs = proto.params.flatMap((t) => typedefLines(t));
    rw.notes.push(`argtypes missing for ${name}: parameter types taken from the C prototype of ${f.name} in ${proto.header}`);
  } else {
    // one cause: the TODO goes to its declaration when it has one, else to its first use (format/todoText.ts)
    const why = `${name} has no argtypes and its C prototype is not in the built-in table, so cffi cannot declare it and its calls stay ctypes; set ${name}.argtypes and .restype as its C header declares them, then convert again`;
    for (const d of stmts) rw.leave(d.statement, why);
    for (const n of refsOf(rw, f)) rw.leave(n, why);
    return;
  }
  if (variadic) {
    const i = paramTexts.length - 1;
    if (i >= 0 && /char\s*\*$/.test(paramTexts[i]!.trim())) formatIndex = i;
  }
  let ret: CType;
  let retText: string;
  if (f.restype) {
    ret = f.restype.type!;
    if (!typeConvertible(rw, ret)) {
      rw.leave(f.restype.statement, `the result type of ${name} stays in ctypes`);
      return;
    }
    retText = declare(ret, '');
  } else {
    ret = { k: 'prim', ctypes: 'c_int', c: 'int' };
    retText = 'int';
    rw.notes.push(`restype missing for ${name}: declared int, as ctypes did${proto && proto.returns !== 'int' ? ` (C says ${proto.returns}; PB204's fix corrects it)` : ''}`);
  }
  const plist = [...paramTexts];
  if (variadic) plist.push('...');
  const cdef = ret.k === 'func' ? `${declare(ret, `${f.name}(${plist.join(', ') || 'void'})`)};` : `${retText}${retText.endsWith('*') ? '' : ' '}${f.name}(${plist.join(', ') || 'void'});`;
  const sig: Signature = { fn: f, ret, params, variadic, cdef, paramTexts, typedefs, formatIndex };
  if (f.errcheck) {
    if (f.lib.statement.parent?.type !== 'module' || f.errcheck.statement.parent?.type !== 'module') {
      rw.leave(f.errcheck.statement, `errcheck on ${name} outside module level needs a hand-written wrapper`);
      return;
    }
    sig.errcheckWrapper = `_${f.name}_checked`;
    const call = `${f.lib.name}.${f.name}(*args)`;
    const inner = wrapResult(rw, sig, call) ?? call;
    rw.replaced.set(keyOf(f.errcheck.statement), {
      node: f.errcheck.statement,
      text: `def ${sig.errcheckWrapper}(*args):  # errcheck, as ctypes applied it\n    return ${rw.p.text.slice(f.errcheck.value.startIndex, f.errcheck.value.endIndex)}(${inner}, ${sig.errcheckWrapper}, args)\n${sig.errcheckWrapper}.__name__ = ${JSON.stringify(f.name)}`,
    });
  }
  for (const d of [f.argtypes, f.restype]) if (d) rw.deleteStatement(d.statement);
  for (const t of [ret, ...params]) typedefs.push(...typedefsOf(rw, t));
  rw.signatures.set(functionKey(f.lib.name, f.name), sig);
}

export function typedefsOf(rw: Rewriter, t: CType): string[] {
  return typedefLines(declare(t, ''));
}

/** Can this type be spelled in the cdef (every struct in it converted, every prototype converted)? */
export function typeConvertible(rw: Rewriter, t: CType): boolean {
  switch (t.k) {
    case 'struct':
      return rw.convertedStructs.has(t.name) || !rw.p.structs.has(t.name);
    case 'ptr':
      return typeConvertible(rw, t.to);
    case 'array':
      return typeConvertible(rw, t.of);
    case 'func':
      if (t.proto && rw.p.prototypes.get(t.proto)?.human) return false;
      return [t.ret, ...t.args].every((a) => typeConvertible(rw, a));
    case 'prim':
      return !['c_time_t'].includes(t.ctypes) && !!t.c;
    default:
      return true;
  }
}

export function firstCallOffset(rw: Rewriter, f: FunctionDecl): number | undefined {
  return callsOf(rw, f, true)[0]?.startIndex;
}

export function refsOf(rw: Rewriter, f: FunctionDecl): Node[] {
  return [...callsOf(rw, f, false)];
}

/**
 * The calls of the round's tree, read once in document order and grouped by the foreign function they call,
 * so that planning stays linear in the number of functions. Read lazily, as far as a question needs:
 * calledFunction declares ad-hoc functions as it meets their first call, and reading only up to f's first
 * call keeps that order the same as a walk that stops there.
 */
interface CallIndex {
  readonly root: Node;
  readonly calls: readonly Node[];
  next: number;
  readonly byFunction: Map<FunctionDecl, Node[]>;
}
const callIndexes = new WeakMap<Rewriter, CallIndex>();

function callsOf(rw: Rewriter, f: FunctionDecl, firstOnly: boolean): readonly Node[] {
  let ix = callIndexes.get(rw);
  if (!ix || ix.root !== rw.p.root) {
    ix = { root: rw.p.root, calls: rw.p.input.nodesOf('call'), next: 0, byFunction: new Map() };
    callIndexes.set(rw, ix);
  }
  while (ix.next < ix.calls.length && !(firstOnly && ix.byFunction.has(f))) {
    const n = ix.calls[ix.next++]!;
    const fn = calledFunction(rw, n.childForFieldName('function')!);
    if (!fn) continue;
    const list = ix.byFunction.get(fn);
    if (list) list.push(n);
    else ix.byFunction.set(fn, [n]);
  }
  return ix.byFunction.get(f) ?? [];
}

/** The foreign function a callee expression names: `libc.f`, an alias `f`, `getattr(libc, "f")`. */
export function calledFunction(rw: Rewriter, callee: Node): FunctionDecl | undefined {
  callee = unparen(callee);
  const d = dotted(callee);
  if (d) {
    const ref = splitFunctionRef(rw.p, d);
    if (ref) return rw.p.functions.get(functionKey(ref.lib.name, ref.name)) ?? adHoc(rw, ref.lib.name, ref.name);
    if (callee.type === 'identifier') {
      const key = rw.p.functionAliases.get(d);
      if (key) return rw.p.functions.get(key) ?? adHoc(rw, ...(key.split('\u0000') as [string, string]));
    }
  }
  const call = callParts(callee);
  if (call && dotted(call.callee) === 'getattr' && call.args.length === 2) {
    const libName = dotted(call.args[0]);
    const s = stringLiteral(call.args[1]!);
    if (libName && s && rw.p.libraries.has(libName)) return rw.p.functions.get(functionKey(libName, s.value)) ?? adHoc(rw, libName, s.value);
  }
  if (callee.type === 'subscript') {
    const libName = dotted(callee.childForFieldName('value'));
    const s = stringLiteral(callee.childForFieldName('subscript')!);
    if (libName && s && rw.p.libraries.has(libName)) return rw.p.functions.get(functionKey(libName, s.value)) ?? adHoc(rw, libName, s.value);
  }
  return undefined;
}

/** A function called but never given argtypes/restype: its declaration comes from the prototype table. */
export function adHoc(rw: Rewriter, libName: string, name: string): FunctionDecl {
  const lib = rw.p.libraries.get(libName)!;
  const f: FunctionDecl = { lib, name };
  rw.p.functions.set(functionKey(libName, name), f);
  return f;
}

export function canDeclare(rw: Rewriter, name: string): boolean {
  return !!lookupPrototype(name);
}

/** The typedefs cffi does not predefine (time_t, div_t…) that a C type spelling needs, from the prototype table. */
export function typedefLines(ctype: string): string[] {
  const defs = cTypedefs();
  const out: string[] = [];
  for (const w of ctype.match(/[A-Za-z_]\w*/g) ?? []) {
    const def = defs.get(w);
    if (def !== undefined) out.push(`typedef ${def} ${w};`);
  }
  return out;
}

export function structsIn(t: CType): string[] {
  if (t.k === 'struct') return [t.name];
  if (t.k === 'ptr') return structsIn(t.to);
  if (t.k === 'array') return structsIn(t.of);
  if (t.k === 'func') return [t.ret, ...t.args].flatMap(structsIn);
  return [];
}

export function protosIn(t: CType): string[] {
  if (t.k === 'func') return [...(t.proto ? [t.proto] : []), ...[t.ret, ...t.args].flatMap(protosIn)];
  if (t.k === 'ptr') return protosIn(t.to);
  if (t.k === 'array') return protosIn(t.of);
  return [];
}

/** Identifiers by name, in document order (classUse asks per prototype): the input's index of them. */
function identifiersNamed(rw: Rewriter, name: string): readonly Node[] {
  return rw.p.input.identifiersNamed(name);
}
