/**
 * Stage A, libraries: `CDLL(path)` / `cdll.LoadLibrary(path)` → `ffi.dlopen` (or `_Library`), factories in
 * another module (`load_lib()` gets `ffi=`); stage C: a library loaded elsewhere, or any reference to a library
 * the plan did not place, is a refusal.
 */
import type { Node } from 'web-tree-sitter';
import { callParts, dotted, keyOf, stringLiteral, unparen, walk } from '../../syntax';
import { stemOf } from '../../../analysis/workspace/evaluate';
import { within } from './moduleIndex';
import { stmtOfAssignment } from './syntax';
import type { ModulePlanner, ProjectPlanner } from './planner';

export interface Library {
  /** `libarchive`, `_libraries['magic']` (normalised text) */
  key: string;
  statement: Node;
  /** The name find_library takes (`sodium`), for the header lookup. */
  stem?: string;
  /** Loaded here by CDLL/LoadLibrary (not by a factory in another module). */
  loadedHere: boolean;
  /** Some function is used without argtypes (or `_name` is read): the library becomes a `_Library`. */
  wrapped: boolean;
}

export const libKey = (n: Node): string | undefined => {
  n = unparen(n);
  if (n.type === 'identifier') return n.text;
  if (n.type === 'subscript') {
    const v = n.childForFieldName('value');
    const s = n.childForFieldName('subscript');
    const lit = s ? stringLiteral(s) : undefined;
    if (v?.type === 'identifier' && lit && !lit.bytes) return `${v.text}[${JSON.stringify(lit.value)}]`;
  }
  return undefined;
};

/** The library name find_library would take, from the load expression (`find_library('sodium') or …`, `"libz.so.1"`). */
function stemOfLoad(arg: Node): string | undefined {
  for (const n of walk(arg)) {
    const c = n.type === 'call' ? callParts(n) : undefined;
    if (c && /(^|\.)find_library$/.test(c.callee.text) && c.args[0]) {
      const lit = stringLiteral(c.args[0]);
      if (lit && !lit.bytes) return lit.value;
    }
  }
  const lit = stringLiteral(unparen(arg));
  return lit && !lit.bytes ? stemOf(lit.value) : undefined;
}

export function collectLibraries(pl: ModulePlanner): void {
  for (const n of pl.nodes.assignments) {
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (!left || !right) continue;
    const parts = callParts(right);
    if (!parts) continue;
    const load = pl.ctypes(parts.callee);
    const key = libKey(left);
    const st = stmtOfAssignment(n);
    if ((load === 'CDLL' || load === 'cdll.LoadLibrary') && key && st) {
      if (st.parent?.parent?.type === 'class_definition') {
        pl.refuse(right, `${key} is loaded in a class body: the plan follows libraries bound to module or function names`);
        continue;
      }
      if (parts.keywords.size || parts.args.length !== 1 || parts.splat) {
        pl.refuse(right, `${load}(…) with ${parts.keywords.size ? [...parts.keywords.keys()].join(', ') : 'these arguments'}: the plan only loads a library by name or path`);
        continue;
      }
      const lib: Library = { key, statement: st, stem: stemOfLoad(parts.args[0]!), loadedHere: true, wrapped: false };
      pl.libraries.set(key, lib);
      pl.plan.usesFfi = true;
      pl.rewrite(right, (inner) => (lib.wrapped ? `_Library(${inner(parts.args[0]!)})` : `${pl.plan.ffi}.dlopen(${inner(parts.args[0]!)})`));
      continue;
    }
    const factory = factoryFor(pl.project, pl, parts.callee);
    if (factory && key && st) {
      pl.libraries.set(key, { key, statement: st, loadedHere: false, wrapped: false });
      pl.plan.usesFfi = true;
      const argList = parts.argList;
      pl.rewrite(argList, () => (parts.args.length || parts.keywords.size ? `${argList.text.slice(0, -1)}, ffi=${pl.plan.ffi})` : `(${pl.plan.ffi})`));
    }
  }
}

/** The nodes that name a library in this module (identifiers, or `_libraries['x']` subscripts). */
export function libraryNodes(pl: ModulePlanner, lib: Library): Node[] {
  return !lib.key.includes('[') ? pl.nodes.identifiers.get(lib.key) ?? [] : pl.nodes.subscripts.filter((n) => libKey(n) === lib.key);
}

/**
 * A library object loaded in another module and reached here (`from .native import lib`, `nat.lib`, a star
 * import): its cdef is that module's, so nothing this module declares or looks up on it could work.
 */
export function refuseImportedLibraries(pl: ModulePlanner): void {
  const libraryIn = (modName: string | undefined, name: string): boolean => !!modName && !!pl.project.planner(modName)?.libraries.has(name);
  const isImportName = (x: Node): boolean => x.parent?.type === 'dotted_name' || x.parent?.type === 'aliased_import' || x.parent?.type === 'import_from_statement';
  const refuse = (n: Node, name: string, modName: string): void => pl.refuse(n, `the library ${name} is loaded in ${modName} and used here: the plan converts a library only together with the uses in its own module`);
  for (const [local, [modName, name]] of pl.b.fromImports) {
    if (!libraryIn(modName, name)) continue;
    for (const x of pl.identifiers().get(local) ?? []) if (!isImportName(x)) refuse(x, local, modName);
  }
  for (const modName of pl.b.starModules) {
    for (const name of pl.project.planner(modName)?.libraries.keys() ?? []) {
      if (pl.b.assigned.has(name) || pl.b.fromImports.has(name)) continue;
      for (const x of pl.identifiers().get(name) ?? []) if (!isImportName(x)) refuse(x, name, modName);
    }
  }
  for (const [local, modName] of pl.b.modules) {
    for (const x of pl.identifiers().get(local) ?? []) {
      if (isImportName(x)) continue;
      // `nat.lib`, `pkg.native.lib`: the longest chain of module names, then a library of that module
      const parts: string[] = [];
      for (let top: Node = x; top.parent?.type === 'attribute' && top.parent.childForFieldName('object')?.startIndex === top.startIndex; top = top.parent) parts.push(top.parent.childForFieldName('attribute')!.text);
      for (let i = 0; i < parts.length; i++) {
        const m = [modName, ...parts.slice(0, i)].join('.');
        if (libraryIn(m, parts[i]!)) {
          refuse(x.parent!, `${[local, ...parts.slice(0, i + 1)].join('.')}`, m);
          break;
        }
      }
    }
  }
}

export interface Factory {
  mod: ModulePlanner;
  def: Node;
}

/** A function that returns a loaded ctypes library (`def load_lib(): … return ctypes.CDLL(name)`): it gets an `ffi` parameter. */
export function findFactories(project: ProjectPlanner): void {
  for (const p of project.planners.values()) {
    for (const def of p.mod.root.namedChildren) {
      if (def.type !== 'function_definition') continue;
      const returns = within(p.nodes.returns, def.startIndex, def.endIndex);
      const loads = returns.filter((r) => {
        const c = r.namedChildren[0] ? callParts(r.namedChildren[0]) : undefined;
        const m = c ? p.ctypes(c.callee) : undefined;
        return (m === 'CDLL' || m === 'cdll.LoadLibrary') && c!.args.length === 1 && !c!.keywords.size;
      });
      if (!loads.length) continue;
      const name = def.childForFieldName('name')!.text;
      project.factories.set(`${p.mod.name}.${name}`, { mod: p, def });
      const params = def.childForFieldName('parameters')!;
      p.plan.usesFfi = true;
      const ffiName = p.plan.ffi;
      p.rewrite(params, () => (params.namedChildren.length ? `${params.text.slice(0, -1)}, ffi=${ffiName})` : `(ffi=${ffiName})`));
      for (const r of loads) {
        const c = callParts(r.namedChildren[0]!)!;
        p.rewrite(r.namedChildren[0]!, (inner) => `ffi.dlopen(${inner(c.args[0]!)})`);
      }
      p.plan.notes.push(`${p.mod.name}.${name} loads the library with the cffi FFI its caller passes (ffi=…), so each module's cdef applies to its own library object`);
    }
  }
}

function factoryFor(project: ProjectPlanner, p: ModulePlanner, callee: Node): Factory | undefined {
  const d = dotted(callee);
  if (!d) return undefined;
  const [head, ...rest] = d.split('.');
  if (!rest.length) {
    const imp = p.b.fromImports.get(head!);
    return imp ? project.factories.get(`${imp[0]}.${imp[1]}`) : project.factories.get(`${p.mod.name}.${head}`);
  }
  const mod = p.b.modules.get(head!);
  return mod ? project.factories.get(`${mod}.${rest.join('.')}`) : undefined;
}

/** Every other reference to a library must be one the plan placed: each is a refusal with what it does. */
export function checkLibraryReferences(pl: ModulePlanner): void {
for (const lib of pl.libraries.values()) {
  const isId = !lib.key.includes('[');
  const candidates = isId ? pl.nodes.identifiers.get(lib.key) ?? [] : pl.nodes.subscripts.filter((n) => libKey(n) === lib.key);
  for (const n of candidates) {
    if (pl.libraryUsesAllowed.has(keyOf(n))) continue;
    if (n.parent?.type === 'attribute' && n.parent.childForFieldName('attribute')?.startIndex === n.startIndex) continue;
    if (isId && n.parent?.type === 'subscript') continue;
    if (lib.statement.startIndex <= n.startIndex && n.endIndex <= lib.statement.endIndex) continue;
    const p = n.parent;
    const hp = p?.type === 'argument_list' ? callParts(p.parent!) : undefined;
    if (hp && hp.callee.text === 'hasattr' && hp.args.length === 2 && hp.args[0]!.startIndex === n.startIndex) {
      const lit = stringLiteral(hp.args[1]!);
      if (lit && pl.plan.functions.has(lit.value)) continue;
      pl.refuse(p!.parent!, `hasattr(${lib.key}, …) for a function that is not declared: cffi answers only for declared names`);
      continue;
    }
    if (p?.type === 'attribute' && p.childForFieldName('object')?.startIndex === n.startIndex) {
      const attr = p.childForFieldName('attribute')!.text;
      if (attr.startsWith('_')) pl.refuse(p, `${lib.key}.${attr} is ctypes-only: a cffi library has no ${attr}`);
      else pl.refuse(p, `${lib.key}.${attr} used directly: the plan converts functions bound to a name with argtypes`);
      continue;
    }
    pl.refuse(n, `the library ${lib.key} is used here in a way the plan does not follow`);
  }
}
}
