/**
 * Stage B's question: which converted foreign function a call reaches (in this module or imported), and
 * the parameter an argument lands on.
 */
import type { Node } from 'web-tree-sitter';
import { dotted, unparen } from '../../syntax';
import type { CType } from '../../typeNames';
import { within } from './moduleIndex';
import { scopeOf } from './syntax';
import type { ModulePlanner, ForeignDecl } from './planner';
import { libKey, libraryAt } from './libraries';
import { attributeKey } from './attributeDeclarations';
import { heldKeyOf, instanceFunctionAt } from './heldLibraries';

/** The converted foreign function an expression calls, if any (in this module or imported). */
function calleeDecl(pl: ModulePlanner, callee: Node, seen = 0): ForeignDecl | undefined {
  callee = unparen(callee);
  if (seen > 4) return undefined;
  if (callee.type === 'identifier') {
    const local = localAlias(pl, callee);
    if (local) return calleeDecl(pl, local, seen + 1);
    const here = pl.plan.exported.get(callee.text);
    if (here) return here;
    const imp = pl.b.fromImports.get(callee.text);
    if (imp) return pl.project.planner(imp[0])?.plan.exported.get(imp[1]);
    // `from pkg.native import *` binds the module's public names, unless this module assigns the name itself
    if (pl.b.assigned.has(callee.text) || callee.text.startsWith('_') || pl.ctypes(callee)) return undefined;
    for (const m of pl.b.starModules) {
      const starred = pl.project.planner(m)?.plan.exported.get(callee.text);
      if (starred) return starred;
    }
    return undefined;
  }
  if (callee.type === 'attribute') {
    const held = instanceFunctionAt(pl, callee);
    if (held) return held;
    const obj = callee.childForFieldName('object')!;
    const ref = libraryAt(pl, obj);
    const onLibrary = ref ? pl.project.attributeDecls.get(attributeKey(ref, callee.childForFieldName('attribute')!.text)) : undefined;
    if (onLibrary) return onLibrary.decl;
    const untyped = ref ? pl.project.untypedDecls.get(attributeKey(ref, callee.childForFieldName('attribute')!.text)) : undefined;
    if (untyped) return untyped;
    const k = libKey(obj) ?? heldKeyOf(pl, obj);
    if (k && pl.libraries.has(k)) return pl.untyped.get(`${k}\0${callee.childForFieldName('attribute')!.text}`);
    const mod = moduleAt(pl, obj);
    if (mod) return pl.project.planner(mod)?.plan.exported.get(callee.childForFieldName('attribute')!.text);
  }
  return undefined;
}

/** The project module an expression names: `nat` (`import pkg.native as nat`) or `pkg.native` (`import pkg.native`). */
function moduleAt(pl: ModulePlanner, n: Node): string | undefined {
  const [head, ...rest] = dotted(n)?.split('.') ?? [];
  const mod = head ? pl.b.modules.get(head) : undefined;
  const name = mod && [mod, ...rest].join('.');
  return name && pl.project.planner(name) ? name : undefined;
}

/** `read = ffi.read_data` in the same function: the aliased expression. */
function localAlias(pl: ModulePlanner, id: Node): Node | undefined {
  const scope = scopeOf(id);
  if (scope.type !== 'function_definition') return undefined;
  let found: Node | undefined;
  for (const n of within(pl.nodes.identifiers.get(id.text) ?? [], scope.startIndex, scope.endIndex)) {
    const a = n.parent;
    if (a?.type === 'assignment' && a.childForFieldName('left')?.startIndex === n.startIndex) {
      if (found) return undefined;
      found = a.childForFieldName('right')!;
    }
  }
  return found && (found.type === 'attribute' || found.type === 'identifier') ? found : undefined;
}

/** The parameter type when n is a positional argument of a converted foreign call. */
export function foreignParam(pl: ModulePlanner, n: Node): CType | undefined {
  return foreignArg(pl, n)?.param;
}

/** The name of the converted foreign function n is a positional argument of, if any. */
export function foreignArgOf(pl: ModulePlanner, n: Node): string | undefined {
  return foreignArg(pl, n)?.decl.cname;
}

/** The converted foreign function n is a positional argument of, and its parameter there (none in a variadic function's `...` part). */
function foreignArg(pl: ModulePlanner, n: Node): { decl: ForeignDecl; param: CType | undefined } | undefined {
  const list = n.parent;
  if (list?.type !== 'argument_list') return undefined;
  const call = list.parent!;
  const decl = calleeDecl(pl, call.childForFieldName('function')!);
  if (!decl) return undefined;
  const idx = list.namedChildren.filter((c) => c.type !== 'comment').findIndex((c) => c.startIndex === n.startIndex);
  if (list.namedChildren.some((c) => c.type === 'keyword_argument' || c.type === 'list_splat')) return undefined;
  const param = decl.params[idx];
  if (param) return { decl, param };
  return decl.variadic && idx >= 0 ? { decl, param: undefined } : undefined;
}

/** The converted foreign function a call calls, if any. */
export function foreignCallee(pl: ModulePlanner, call: Node): ForeignDecl | undefined {
  return calleeDecl(pl, call.childForFieldName('function')!);
}

/** Is n an argument in the `...` part of a converted variadic function (`_cffi_variadic` passes it as ctypes did without argtypes)? */
export function variadicArg(pl: ModulePlanner, n: Node): boolean {
  const a = foreignArg(pl, n);
  return !!a && !a.param;
}

/** Is n passed directly where ctypes converted it by default: to a function without argtypes (a `_CFunction`), or in a variadic `...`? */
export function untypedArg(pl: ModulePlanner, n: Node): boolean {
  const a = foreignArg(pl, n);
  return !!a && (!!a.decl.untyped || !a.param);
}
