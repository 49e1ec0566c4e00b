/**
 * Stage B's question: which converted foreign function a call reaches (in this module or imported), and
 * the parameter an argument lands on.
 */
import type { Node } from 'web-tree-sitter';
import { unparen } from '../../syntax';
import type { CType } from '../../typeNames';
import { within } from './moduleIndex';
import { scopeOf } from './syntax';
import type { ModulePlanner, ForeignDecl } from './planner';
import { libKey, libraryAt } from './libraries';
import { attributeKey } from './attributeDeclarations';

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
    return undefined;
  }
  if (callee.type === 'attribute') {
    const obj = callee.childForFieldName('object')!;
    const ref = libraryAt(pl, obj);
    const onLibrary = ref ? pl.project.attributeDecls.get(attributeKey(ref, callee.childForFieldName('attribute')!.text)) : undefined;
    if (onLibrary) return onLibrary.decl;
    const untyped = ref ? pl.project.untypedDecls.get(attributeKey(ref, callee.childForFieldName('attribute')!.text)) : undefined;
    if (untyped) return untyped;
    const k = libKey(obj);
    if (k && pl.libraries.has(k)) return pl.untyped.get(`${k}\0${callee.childForFieldName('attribute')!.text}`);
    const mod = obj.type === 'identifier' ? pl.b.modules.get(obj.text) : undefined;
    if (mod) return pl.project.planner(mod)?.plan.exported.get(callee.childForFieldName('attribute')!.text);
  }
  return undefined;
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

/** The converted foreign function n is a positional argument of, and its parameter there. */
function foreignArg(pl: ModulePlanner, n: Node): { decl: ForeignDecl; param: CType } | undefined {
  const list = n.parent;
  if (list?.type !== 'argument_list') return undefined;
  const call = list.parent!;
  const decl = calleeDecl(pl, call.childForFieldName('function')!);
  if (!decl) return undefined;
  const idx = list.namedChildren.filter((c) => c.type !== 'comment').findIndex((c) => c.startIndex === n.startIndex);
  if (list.namedChildren.some((c) => c.type === 'keyword_argument' || c.type === 'list_splat')) return undefined;
  const param = decl.params[idx];
  return param ? { decl, param } : undefined;
}

/** Is n passed directly to a function without argtypes (a `_CFunction`, which converts what it gets)? */
export function untypedArg(pl: ModulePlanner, n: Node): boolean {
  return !!foreignArg(pl, n)?.decl.untyped;
}
