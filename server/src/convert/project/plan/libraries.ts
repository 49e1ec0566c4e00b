/**
 * Stage A, libraries: `CDLL(path)` / `cdll.LoadLibrary(path)` → `ffi.dlopen` (or `_Library`), factories in
 * another module (`load_lib()` gets `ffi=`); stage C: a library loaded elsewhere, or any reference to a library
 * the plan did not place, is a refusal.
 */
import type { Node } from 'web-tree-sitter';
import { callParts, dotted, keyOf, stringLiteral, unparen, walk } from '../../syntax';
import { stemOf } from '../../../analysis/workspace/evaluate';
import { within } from './moduleIndex';
import { DLOPEN_MODE_UNKNOWN, dlopenFlags } from '../../rewrite/libraries';
import { errnoOn } from '../../rewrite/errno';
import { stmtOfAssignment } from './syntax';
import { heldKeyOf, heldNodes, holderOfLoad, refuseUnresolvedHeld } from './heldLibraries';
import { libraryHead, libraryReferences as libraryReferencesOf } from './attributeDeclarations';
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
  /** Loaded with `use_errno=True` (errno.ts). */
  useErrno: boolean;
}

/** A library as some module reaches it: the module that loads it (`owner`) and the library there. */
export interface LibraryRef {
  owner: ModulePlanner;
  lib: Library;
}

/**
 * The library an expression names: one of this module's, or one another module of the project loads, reached
 * by `from .m import lib`, `from .m import *`, `m.lib` or `pkg.m.lib`.
 */
export function libraryAt(pl: ModulePlanner, n: Node): LibraryRef | undefined {
  n = unparen(n);
  const held = heldKeyOf(pl, n);
  if (held) return { owner: pl, lib: pl.libraries.get(held)! };
  const k = libKey(n);
  if (k) {
    const own = pl.libraries.get(k);
    if (own) return { owner: pl, lib: own };
    if (n.type !== 'identifier') return undefined;
    const imp = pl.b.fromImports.get(k);
    const from = (m: string, name: string): LibraryRef | undefined => {
      const owner = pl.project.planner(m);
      const lib = owner?.libraries.get(name);
      return owner && lib ? { owner, lib } : undefined;
    };
    if (imp) return from(imp[0], imp[1]);
    if (pl.b.assigned.has(k)) return undefined;
    for (const m of pl.b.starModules) {
      const r = from(m, k);
      if (r) return r;
    }
    return undefined;
  }
  if (n.type !== 'attribute') return undefined;
  const d = dotted(n);
  const [head, ...rest] = d?.split('.') ?? [];
  // another module's held library: `obj.lib` / `C.lib` after `from .m import obj` (or a star import of m)
  if (head && rest.length === 1 && n.childForFieldName('object')?.type === 'identifier') {
    const from = (m: string, name: string): LibraryRef | undefined => {
      const owner = pl.project.planner(m);
      const lib = owner?.held.has(`${name}.${rest[0]}`) ? owner.libraries.get(`${name}.${rest[0]}`) : undefined;
      return owner && lib ? { owner, lib } : undefined;
    };
    const imp = pl.b.fromImports.get(head);
    const imported = imp ? from(imp[0], imp[1]) : undefined;
    if (imported) return imported;
    if (!imp && !pl.b.assigned.has(head) && !pl.b.modules.has(head)) {
      for (const m of pl.b.starModules) {
        const r = from(m, head);
        if (r) return r;
      }
    }
  }
  const mod = head ? pl.b.modules.get(head) : undefined;
  if (!mod || !rest.length) return undefined;
  const owner = pl.project.planner([mod, ...rest.slice(0, -1)].join('.'));
  const lib = owner?.libraries.get(rest[rest.length - 1]!);
  if (owner && lib) return { owner, lib };
  // `pkg.lib` where pkg/__init__.py re-exports it (`from ._native import lib`)
  const re = owner ? reexported(pl, owner.mod.name, rest[rest.length - 1]!) : undefined;
  if (re) return re;
  // `m.obj.lib`, `pkg.m.C.lib`: a held library of module m
  if (rest.length < 2) return undefined;
  const heldOwner = pl.project.planner([mod, ...rest.slice(0, -2)].join('.'));
  const heldKey = rest.slice(-2).join('.');
  const heldLib = heldOwner?.held.has(heldKey) ? heldOwner.libraries.get(heldKey) : undefined;
  return heldOwner && heldLib ? { owner: heldOwner, lib: heldLib } : undefined;
}

/** The library module m re-exports as `name` (its `from ._native import lib`), with the module that loads it. */
function reexported(pl: ModulePlanner, m: string, name: string): LibraryRef | undefined {
  const d = pl.project.definingModule(m, name);
  if (!d || d[0] === m) return undefined;
  const owner = pl.project.planner(d[0]);
  const lib = owner?.libraries.get(d[1]);
  return owner && lib ? { owner, lib } : undefined;
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
    const holder = (load === 'CDLL' || load === 'cdll.LoadLibrary') && st ? holderOfLoad(pl, left, st) : undefined;
    if (typeof holder === 'string') {
      pl.refuse(right, holder);
      continue;
    }
    if ((load === 'CDLL' || load === 'cdll.LoadLibrary') && (key || holder) && st) {
      if (!holder && st.parent?.parent?.type === 'class_definition') {
        pl.refuse(right, `${key} is loaded in a class body: the plan follows libraries bound to module or function names`);
        continue;
      }
      // CDLL(name, mode=…, use_errno=…): ffi.dlopen's flags as the per-file engine makes them (rewrite/libraries.ts)
      const others = [...parts.keywords.keys()].filter((k) => k !== 'mode' && k !== 'use_errno');
      const modeNode = parts.keywords.get('mode') ?? parts.args[1];
      if (others.length || !parts.args.length || parts.args.length > 2 || (parts.args[1] && parts.keywords.has('mode')) || parts.splat) {
        pl.refuse(right, `${load}(…) with ${others.length ? others.join(', ') : 'these arguments'}: the plan loads a library by name or path, with mode and use_errno`);
        continue;
      }
      const flags = modeNode ? dlopenFlags(pl.ctypes(modeNode), pl.plan.ffi) : '';
      if (flags === undefined) {
        pl.refuse(modeNode!, DLOPEN_MODE_UNKNOWN);
        continue;
      }
      const lib: Library = { key: holder?.key ?? key!, statement: st, stem: stemOfLoad(parts.args[0]!), loadedHere: true, wrapped: false, useErrno: errnoOn(parts.keywords.get('use_errno')) };
      if (holder) pl.held.set(holder.key, holder.holder);
      pl.libraries.set(lib.key, lib);
      pl.plan.usesFfi = true;
      if (modeNode) pl.consumed.push(modeNode);
      const withFlags = flags ? `, ${flags}` : '';
      pl.rewrite(right, (inner) => (lib.wrapped ? `_Library(${inner(parts.args[0]!)}${withFlags})` : `${pl.plan.ffi}.dlopen(${inner(parts.args[0]!)}${withFlags})`));
      continue;
    }
    const factory = factoryFor(pl.project, pl, parts.callee);
    if (factory && key && st) {
      pl.libraries.set(key, { key, statement: st, loadedHere: false, wrapped: false, useErrno: false });
      pl.plan.usesFfi = true;
      const argList = parts.argList;
      pl.rewrite(argList, () => (parts.args.length || parts.keywords.size ? `${argList.text.slice(0, -1)}, ffi=${pl.plan.ffi})` : `(${pl.plan.ffi})`));
    }
  }
}

/** The nodes that name a library in this module (identifiers, or `_libraries['x']` subscripts). */
export function libraryNodes(pl: ModulePlanner, lib: Library): Node[] {
  if (pl.held.has(lib.key)) return heldNodes(pl, lib);
  return !lib.key.includes('[') ? pl.nodes.identifiers.get(lib.key) ?? [] : pl.nodes.subscripts.filter((n) => libKey(n) === lib.key);
}

/**
 * A library object loaded in another module and reached here (`from .native import lib`, `nat.lib`, a star
 * import): its cdef is that module's, so nothing this module declares or looks up on it could work, but
 * what attributeDeclarations.ts planned (`lib.f.argtypes = …` and the calls of such a function).
 */
export function refuseImportedLibraries(pl: ModulePlanner): void {
  refuseUnresolvedHeld(pl, (n) => !!libraryAt(pl, n));
  // another module's held library (`nat.native.lib`, `native.lib` from `from .m import native`): only what the plan placed
  for (const { node, ref } of libraryReferencesOf(pl)) {
    if (ref.owner === pl || !ref.owner.held.has(ref.lib.key)) continue;
    let head: Node = node;
    while (head.type === 'attribute') head = head.childForFieldName('object')!;
    if (!pl.libraryUsesAllowed.has(keyOf(head))) pl.refuse(node, `the library ${node.text} is held in ${ref.owner.mod.name} and used here: the plan converts a library only together with the uses in its own module`);
  }
  const libraryIn = (modName: string | undefined, name: string): boolean => !!modName && (!!pl.project.planner(modName)?.libraries.has(name) || !!reexported(pl, modName, name));
  const isImportName = (x: Node): boolean => x.parent?.type === 'dotted_name' || x.parent?.type === 'aliased_import' || x.parent?.type === 'import_from_statement';
  const refuse = (n: Node, name: string, modName: string): void => pl.refuse(n, `the library ${name} is loaded in ${modName} and used here: the plan converts a library only together with the uses in its own module`);
  for (const [local, [modName, name]] of pl.b.fromImports) {
    if (!libraryIn(modName, name)) continue;
    for (const x of pl.identifiers().get(local) ?? []) if (!isImportName(x) && !pl.libraryUsesAllowed.has(keyOf(x))) refuse(x, local, modName);
  }
  for (const modName of pl.b.starModules) {
    for (const name of pl.project.planner(modName)?.libraries.keys() ?? []) {
      if (pl.b.assigned.has(name) || pl.b.fromImports.has(name)) continue;
      for (const x of pl.identifiers().get(name) ?? []) if (!isImportName(x) && !pl.libraryUsesAllowed.has(keyOf(x))) refuse(x, name, modName);
    }
  }
  for (const [local, modName] of pl.b.modules) {
    for (const x of pl.identifiers().get(local) ?? []) {
      if (isImportName(x) || pl.libraryUsesAllowed.has(keyOf(x))) continue;
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
  const isId = !lib.key.includes('[') && !pl.held.has(lib.key);
  const candidates = libraryNodes(pl, lib);
  for (const n of candidates) {
    // a held library's `self.lib`: the plan allows a use by its head (`self`), as attributeDeclarations.ts records it
    if (pl.libraryUsesAllowed.has(keyOf(n)) || pl.libraryUsesAllowed.has(keyOf(libraryHead(n)))) continue;
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
