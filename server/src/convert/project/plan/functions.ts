/**
 * Stage A, foreign functions declared with argtypes: `f = lib.name` / `getattr(lib, "name")` / `lib["name"]`,
 * then `f.argtypes`, `f.restype`, `f.errcheck` in the same block → one `_cffi_function` statement; the cdef
 * declarations they make.
 */
import type { Node } from 'web-tree-sitter';
import { callParts, keyOf, stringLiteral, unparen } from '../../syntax';
import { type CType, declare } from '../../typeNames';
import { headName, within } from './moduleIndex';
import { pyString } from './syntax';
import type { ModulePlanner, ForeignDecl } from './planner';
import { typeOf } from './types';
import { type LibraryRef, libraryAt } from './libraries';
import { attributeKey, libraryHead, libraryReferences } from './attributeDeclarations';
import { prototypesFor } from '../../../analysis/prototypes';
import { attributesNamed, instanceFunctionKey } from './heldLibraries';

/**
 * `f = lib.name` / `getattr(lib, "name")` / `lib["name"]`, then `f.argtypes`, `f.restype`, `f.errcheck` in the same
 * block; `f = P(("name", lib))` for a `CFUNCTYPE` prototype P (its signature, a function object of its own). The
 * library may be another module's (`from .native import lib`, `nat.lib`): the cdef that declares `name` is then
 * that module's too. A later `f.errcheck = g` in the same block makes the function again with it.
 */
export function collectDirectDeclarations(pl: ModulePlanner): void {
  // libraryMember's right sides start with a library's name, getattr or a prototype
  const heads = new Set(['getattr', ...[...pl.libraries.keys()].map((k) => k.split(/[[.]/)[0]!), ...pl.prototypes.keys(), ...pl.b.fromImports.keys(), ...pl.b.modules.keys()]);
  for (const m of pl.b.starModules) for (const k of pl.project.planner(m)?.libraries.keys() ?? []) heads.add(k);
  const initBlocks = new Set([...pl.held.values()].flatMap((h) => (h.init ? [h.init.id] : [])));
  // `P = CFUNCTYPE(…)` inside a block, applied there (`f = P(("name", lib))`): goes when every application converts
  const locals = localPrototypes(pl);
  for (const name of locals.keys()) heads.add(name);
  const applied = new Map<Node, number>();
  for (const n of pl.nodes.blocks) {
    const stmts = n.namedChildren;
    // the block's `X.errcheck = …` statements by X, read once: a scan of the rest of the block per function was quadratic
    let errchecks: Map<string, number[]> | undefined;
    const errchecksOf = (name: string): number[] => {
      if (!errchecks) {
        errchecks = new Map();
        for (let j = 0; j < stmts.length; j++) {
          const a2 = stmts[j]!.type === 'expression_statement' ? stmts[j]!.namedChildren[0] : undefined;
          const l2 = a2?.type === 'assignment' ? a2.childForFieldName('left') : undefined;
          if (l2?.type !== 'attribute' || l2.childForFieldName('attribute')!.text !== 'errcheck') continue;
          const object = l2.childForFieldName('object')?.text;
          if (object === undefined) continue;
          const at = errchecks.get(object);
          if (at) at.push(j);
          else errchecks.set(object, [j]);
        }
      }
      return errchecks.get(name) ?? [];
    };
    for (let i = 0; i < stmts.length; i++) {
      const st = stmts[i]!;
      const a = st.type === 'expression_statement' ? st.namedChildren[0] : undefined;
      if (a?.type !== 'assignment') continue;
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (!left || !right) continue;
      // `self.f = self.lib.f` in `__init__` of the class whose one instance holds lib: the instance's function `obj.f`
      const inInit = left.type === 'attribute' && initBlocks.has(n.id);
      if (left.type !== 'identifier' && !inInit) continue;
      const head = headName(pl.mod, right);
      if (!inInit && head !== undefined && !heads.has(head) && !pl.namesCtypes(head)) continue;
      const found = libraryMember(pl, right) ?? prototypeApplication(pl, right, locals);
      if (!found) continue;
      const instanceKey = inInit ? instanceFunctionKey(pl, left, n) : undefined;
      if (inInit && !instanceKey) continue;
      // a class attribute: ctypes' function object is no descriptor, the converted Python function is (`W().f(x)` would pass self)
      if (n.parent?.type === 'class_definition') {
        pl.refuse(right, `${left.text} is bound in the body of class ${n.parent.childForFieldName('name')!.text}: converted, it would be a Python function, which the class's instances call as a method (with self)`);
        continue;
      }
      const group: Node[] = [st];
      const attrs = new Map<string, Node>();
      for (let j = i + 1; j < stmts.length; j++) {
        const s2 = stmts[j]!;
        const a2 = s2.type === 'expression_statement' ? s2.namedChildren[0] : undefined;
        const l2 = a2?.type === 'assignment' ? a2.childForFieldName('left') : undefined;
        if (l2?.type !== 'attribute' || l2.childForFieldName('object')?.text !== left.text) break;
        const which = l2.childForFieldName('attribute')!.text;
        if (which !== 'argtypes' && which !== 'restype' && which !== 'errcheck') break;
        attrs.set(which, a2!.childForFieldName('right')!);
        group.push(s2);
      }
      // without argtypes, `f = lib.name` is a use of lib.name as ctypes gives it (collectUntyped)
      if (!found.proto && !attrs.has('argtypes')) continue;
      const attributeDecl = found.proto ? undefined : pl.project.attributeDecls.get(attributeKey(found.ref, found.cname));
      if (attributeDecl) {
        pl.refuse(right, `${left.text} = ${right.text} is ${attributeDecl.spelled}, whose argtypes are set on the library too: ctypes shares one function object (and its argtypes, restype, errcheck) between them`);
        continue;
      }
      if (found.proto && (attrs.has('argtypes') || attrs.has('restype'))) {
        pl.refuse(group[1]!, `${left.text} is made by the prototype ${headName(pl.mod, right) ?? 'here'} and given other argtypes or restype: the plan follows one signature per function`);
        continue;
      }
      if (!found.ref.lib.loadedHere && found.ref.owner !== pl) {
        pl.refuse(right, `${found.ref.lib.key} is loaded by a function of another module and reached from a third one here: the plan follows declarations in the module that loads it`);
        continue;
      }
      const decl = found.proto ? declFromPrototype(pl, found.cname, found.proto, right) : withVariadic(pl, declFromAttributes(pl, found.cname, attrs.get('argtypes'), attrs.get('restype'), right), found.ref.lib.stem);
      if (!decl) continue;
      if (!declareFunction(found.ref.owner, decl, right) || (found.ref.owner !== pl && !declareFunction(pl, decl, right))) continue;
      pl.libraryUsesAllowed.add(keyOf(libraryHead(found.lib)));
      if (found.proto) pl.prototypeFunctions.push(right);
      if (found.local) applied.set(found.local.statement, (applied.get(found.local.statement) ?? 0) + 1);
      if (!found.proto && unparen(right).type !== 'subscript') pl.sharedFunctions.set(attributeKey(found.ref, found.cname), left.text);
      if (instanceKey) pl.instanceFunctions.set(instanceKey, decl);
      else pl.plan.exported.set(left.text, decl);
      const wrapper = wrapperOf(pl, decl);
      pl.plan.usesFfi = true;
      pl.plan.converted.functions++;
      const last = group[group.length - 1]!;
      const libNode = found.lib;
      const lib = found.ref.lib;
      const make = (err: Node | undefined) => (inner: (n: Node) => string) => `${left.text} = ${wrapper}(${inner(libNode)}${lib.wrapped ? '._cffi_lib' : ''}, ${pyString(found.cname)}${err ? `, ${inner(err)}` : ''})`;
      // the whole group becomes one statement, where the last attribute was set (everything it names exists there)
      pl.rewrite(last.namedChildren[0]!, make(attrs.get('errcheck')));
      pl.plan.deletions.push(...group.slice(0, -1));
      pl.declaringStatements.push(...group);
      for (const [which, v] of attrs) if (which !== 'errcheck') pl.consumed.push(v);
      // `f.errcheck = g` later in the block (after a `def g`): the function made again with it, if nothing took f before
      for (const j of errchecksOf(left.text)) {
        if (j < i + group.length) continue;
        const a2 = stmts[j]!.namedChildren[0]!;
        const uses = instanceKey ? attributesNamed(pl, left.childForFieldName('attribute')!.text).filter((x) => x.text === left.text) : pl.nodes.identifiers.get(left.text) ?? [];
        const between = within(uses, last.endIndex, stmts[j]!.startIndex);
        if (between.some((x) => x.parent?.type !== 'call' || x.parent.childForFieldName('function')?.id !== x.id)) break;
        pl.rewrite(a2, make(a2.childForFieldName('right')!));
        pl.declaringStatements.push(stmts[j]!);
      }
      i += group.length - 1;
    }
  }
  for (const p of locals.values()) {
    if (applied.get(p.statement) !== p.applications) continue;
    pl.plan.deletions.push(p.statement);
    pl.consumed.push(p.statement);
  }
}

interface LocalPrototype {
  statement: Node;
  type: CType & { k: 'func' };
  /** how many `P((…))` the block applies it in: the statement goes when the plan converts them all */
  applications: number;
}

/**
 * `P = CFUNCTYPE(R, A…)` as a statement of a block below the module's (a function's, `__init__`'s, a loop's), when
 * every other occurrence of the name P in the module is the callee of `P((…))` later in that same block, so nothing
 * else can read or bind it: P's signature, by name. Top-level prototypes are collectTypes' (types.ts).
 */
function localPrototypes(pl: ModulePlanner): Map<string, LocalPrototype> {
  const out = new Map<string, LocalPrototype>();
  for (const a of pl.nodes.assignments) {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    const st = a.parent;
    // not in a class body, where `C.P` reads it as an attribute (not an identifier the check below sees)
    if (left?.type !== 'identifier' || !right || st?.type !== 'expression_statement' || st.parent?.type !== 'block' || st.parent.parent?.type === 'class_definition') continue;
    const type = inlinePrototype(pl, unparen(right));
    if (type?.k !== 'func') continue;
    const others = (pl.nodes.identifiers.get(left.text) ?? []).filter((x) => x.startIndex !== left.startIndex);
    const applies = (x: Node): boolean => {
      const call = x.parent;
      if (call?.type !== 'call' || call.childForFieldName('function')?.id !== x.id) return false;
      const args = call.childForFieldName('arguments')?.namedChildren ?? [];
      const outer = call.parent?.type === 'assignment' && call.parent.childForFieldName('right')?.id === call.id ? call.parent.parent : undefined;
      return args.length === 1 && unparen(args[0]!).type === 'tuple' && outer?.type === 'expression_statement' && outer.parent?.id === st.parent!.id && outer.startIndex >= st.endIndex;
    };
    if (!others.length || !others.every(applies) || out.has(left.text)) {
      out.delete(left.text);
      continue;
    }
    out.set(left.text, { statement: st, type: { ...type, proto: left.text }, applications: others.length });
  }
  return out;
}

/** `P(("name", lib))` for a CFUNCTYPE prototype P: the function `name` of lib with P's signature. */
function prototypeApplication(pl: ModulePlanner, right: Node, locals: Map<string, LocalPrototype>): { lib: Node; cname: string; ref: LibraryRef; proto: CType & { k: 'func' }; local?: LocalPrototype } | undefined {
  const parts = callParts(unparen(right));
  if (!parts || parts.args.length !== 1 || parts.keywords.size || parts.splat) return undefined;
  const local = parts.callee.type === 'identifier' && !typeOf(pl, parts.callee) ? locals.get(parts.callee.text) : undefined;
  const t = local ? local.type : parts.callee.type === 'identifier' ? typeOf(pl, parts.callee) : inlinePrototype(pl, parts.callee);
  const pair = unparen(parts.args[0]!);
  if (t?.k !== 'func' || pair.type !== 'tuple' || pair.namedChildren.length !== 2) return undefined;
  const lit = stringLiteral(pair.namedChildren[0]!);
  const ref = libraryAt(pl, pair.namedChildren[1]!);
  if (!lit || lit.bytes || !ref) return undefined;
  return { lib: pair.namedChildren[1]!, cname: lit.value, ref, proto: t, ...(local ? { local } : {}) };
}

/** `CFUNCTYPE(restype, *argtypes)` written where it is applied. */
function inlinePrototype(pl: ModulePlanner, n: Node): CType | undefined {
  const c = n.type === 'call' ? callParts(n) : undefined;
  if (!c || pl.ctypes(c.callee) !== 'CFUNCTYPE' || c.keywords.size || c.splat || !c.args.length) return undefined;
  const ret = typeOf(pl, c.args[0]!, true);
  const args = c.args.slice(1).map((a) => typeOf(pl, a));
  if (!ret || args.some((a) => !a)) return undefined;
  return { k: 'func', proto: '', ret, args: args as CType[] };
}

function declFromPrototype(pl: ModulePlanner, cname: string, t: CType & { k: 'func' }, at: Node): ForeignDecl | undefined {
  if (t.ret.k === 'func' || t.args.some((p) => p.k === 'prim' && p.ctypes === 'c_longdouble') || (t.ret.k === 'prim' && t.ret.ctypes === 'c_longdouble')) {
    pl.refuse(at, `${cname}: this type does not cross the cffi boundary the way it crossed ctypes'`);
    return undefined;
  }
  return { cname, ret: t.ret, params: t.args };
}

function libraryMember(pl: ModulePlanner, right: Node): { lib: Node; cname: string; ref: LibraryRef; proto?: undefined; local?: undefined } | undefined {
  right = unparen(right);
  if (right.type === 'attribute') {
    const obj = right.childForFieldName('object')!;
    const ref = libraryAt(pl, obj);
    if (ref) return { lib: obj, cname: right.childForFieldName('attribute')!.text, ref };
  }
  if (right.type === 'subscript') {
    const obj = right.childForFieldName('value')!;
    const s = right.childForFieldName('subscript');
    const lit = s ? stringLiteral(s) : undefined;
    const ref = libraryAt(pl, obj);
    // lib["f"] is a fresh function object in ctypes; bound once to a name, it is the same as lib.f
    if (ref && lit && !lit.bytes) return { lib: obj, cname: lit.value, ref };
  }
  const parts = callParts(right);
  if (parts?.callee.text === 'getattr' && parts.args.length === 2) {
    const ref = libraryAt(pl, parts.args[0]!);
    const lit = stringLiteral(parts.args[1]!);
    if (ref && lit && !lit.bytes) return { lib: parts.args[0]!, cname: lit.value, ref };
  }
  return undefined;
}

export function declFromAttributes(pl: ModulePlanner, cname: string, argtypes: Node | undefined, restype: Node | undefined, at: Node): ForeignDecl | undefined {
  if (!argtypes) {
    // TODO(header prototypes): a function without argtypes takes its signature from the C header
    pl.refuse(at, `${cname} has no argtypes: ctypes guesses each argument's C type at every call, so the plan needs its prototype from the C header`);
    return undefined;
  }
  const list = unparen(argtypes);
  if (list.type !== 'list' && list.type !== 'tuple') {
    pl.refuse(argtypes, `the argtypes of ${cname} are computed at run time: the plan needs a literal list`);
    return undefined;
  }
  const params: CType[] = [];
  for (const item of list.namedChildren) {
    const t = typeOf(pl, item);
    if (!t) {
      pl.refuse(item, `argument type ${item.text} of ${cname} has no cffi equivalent in this plan`);
      return undefined;
    }
    params.push(t);
  }
  let ret: CType = { k: 'prim', ctypes: 'c_int', c: 'int' };
  if (restype) {
    const t = typeOf(pl, restype, true);
    if (!t) {
      pl.refuse(restype, `result type ${restype.text} of ${cname} has no cffi equivalent in this plan`);
      return undefined;
    }
    ret = t;
  }
  if (ret.k === 'func' || params.some((p) => p.k === 'prim' && (p.ctypes === 'c_longdouble'))) {
    pl.refuse(at, `${cname}: this type does not cross the cffi boundary the way it crossed ctypes'`);
    return undefined;
  }
  return { cname, ret, params };
}

/** A function whose C prototype is variadic, declared with argtypes for its fixed part: declared with `...`. */
export function withVariadic(pl: ModulePlanner, decl: ForeignDecl | undefined, stem: string | undefined): ForeignDecl | undefined {
  if (!decl) return decl;
  const proto = prototypesFor(stem, [decl.cname], pl.project.lookup).get(decl.cname);
  return proto?.variadic && decl.params.length > 0 && proto.params.length === decl.params.length ? { ...decl, variadic: true } : decl;
}

/** The runtime helper that makes a declared function callable as ctypes called it (and marks it used). */
export function wrapperOf(pl: ModulePlanner, decl: ForeignDecl): string {
  pl.plan.helpers.add(decl.variadic ? 'variadic' : 'function');
  return decl.variadic ? '_cffi_variadic' : '_cffi_function';
}

export function declareFunction(pl: ModulePlanner, decl: ForeignDecl, at: Node): boolean {
  const line = cdefLine(decl);
  const prior = pl.plan.functions.get(decl.cname);
  if (prior && cdefLine(prior) !== line) {
    pl.refuse(at, `${decl.cname} is declared twice with different signatures (${cdefLine(prior)} / ${line}); one cdef can hold only one`);
    return false;
  }
  pl.plan.functions.set(decl.cname, decl);
  return true;
}

export function cdefLine(d: ForeignDecl): string {
  const params = d.params.length ? [...d.params.map((p) => declare(p, '')), ...(d.variadic ? ['...'] : [])].join(', ') : d.variadic ? '...' : 'void';
  return `${declare(d.ret, `${d.cname}(${params})`)};`;
}

/**
 * `lib.f` anywhere but the declaration, for `f = lib.f` / `getattr(lib, "f")` the plan declared: ctypes hands out
 * one function object, so that `lib.f(…)` has the argtypes, restype and errcheck set through `f`; after conversion
 * only `f` has them, so each such use is a refusal (`lib["f"]` is a fresh object in ctypes: not concerned).
 */
export function refuseSharedFunctionObjects(pl: ModulePlanner, inDeclaration: (n: Node) => boolean): void {
  const shared = new Map<string, string>();
  for (const o of pl.project.planners.values()) for (const [k, by] of o.sharedFunctions) shared.set(k, by);
  if (!shared.size) return;
  for (const { node, ref } of libraryReferences(pl)) {
    const use = node.parent;
    if (use?.type !== 'attribute' || use.childForFieldName('object')?.id !== node.id) continue;
    const by = shared.get(attributeKey(ref, use.childForFieldName('attribute')!.text));
    if (!by || inDeclaration(use)) continue;
    pl.refuse(use, `${use.text} is the function object ${by} is bound to: ctypes shares it (and the argtypes, restype and errcheck set through ${by}), the plan converts ${by} only`);
  }
}

