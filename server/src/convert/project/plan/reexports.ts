/**
 * Names a package re-exports (issue #12): `pkg/__init__.py` says `from ._native import lib` (or
 * `from ._native import *`) and a module reads `from pkg import lib` or `from . import lib`. Python binds the
 * importing module's name to the object `_native` made, so the plan binds it there too: the import's entry in
 * `Bindings.fromImports` names the module that defines the name, and a star import of a package that star-imports
 * another module reaches that module's names as well (`Bindings.starModules`). Followed only where certain: the
 * re-exporting module binds the name by that import alone (no assignment, def or class of its own), and a star
 * chain is followed only through modules without `__all__`.
 */
import type { Node } from 'web-tree-sitter';
import type { Bindings } from './bindings';
import type { ModuleNodes } from './moduleIndex';

export interface ModuleNames {
  b: Bindings;
  nodes: ModuleNodes;
}

const MAX_DEPTH = 16;

/** The module that defines `name` as module m exports it, following re-exports; undefined when m does not bind it by an import. */
export function definingModule(all: ReadonlyMap<string, ModuleNames>, m: string, name: string, depth = 0): [string, string] | undefined {
  const x = all.get(m);
  if (!x || depth > MAX_DEPTH) return undefined;
  const b = x.b;
  if (b.assigned.has(name) || b.modules.has(name)) return [m, name];
  if ((x.nodes.identifiers.get(name) ?? []).some(rebinds)) return undefined;
  const imp = b.fromImports.get(name);
  if (imp) return definingModule(all, imp[0], imp[1], depth + 1) ?? imp;
  // `from .x import *` in m: the one star module that defines the name (none certain when two do, or m has __all__)
  if (b.assigned.has('__all__') || b.ctypes.has(name)) return undefined;
  const found = b.starModules.map((s) => definingModule(all, s, name, depth + 1)).filter((d): d is [string, string] => !!d && all.get(d[0])!.b.assigned.has(d[1]));
  return found.length === 1 ? found[0] : undefined;
}

/** The star-imported modules of m and, through those without `__all__`, theirs (in import order, without repeats). */
function starClosure(all: ReadonlyMap<string, ModuleNames>, m: string): string[] {
  const out: string[] = [];
  const visit = (x: string, depth: number): void => {
    const b = all.get(x)?.b;
    if (!b || depth > MAX_DEPTH) return;
    for (const s of b.starModules) {
      if (out.includes(s)) continue;
      out.push(s);
      if (!all.get(s)?.b.assigned.has('__all__')) visit(s, depth + 1);
    }
  };
  visit(m, 0);
  return out;
}

/** Points every module's `from m import name` at the module that defines the name, and widens star imports; after every module's bindings. */
export function followReexports(all: ReadonlyMap<string, ModuleNames>): void {
  const resolved = new Map<Bindings, Map<string, [string, string]>>();
  for (const { b } of all.values()) {
    const r = new Map<string, [string, string]>();
    for (const [local, [m, name]] of b.fromImports) {
      const d = definingModule(all, m, name);
      if (d && (d[0] !== m || d[1] !== name) && all.get(d[0])?.b.assigned.has(d[1])) r.set(local, d);
    }
    resolved.set(b, r);
  }
  const stars = new Map<Bindings, string[]>();
  for (const [m, { b }] of all) stars.set(b, starClosure(all, m));
  for (const [b, r] of resolved) for (const [local, d] of r) b.fromImports.set(local, d);
  for (const [b, s] of stars) b.starModules = s;
}

const REBINDING = new Set(['assignment', 'augmented_assignment', 'for_statement', 'for_in_clause', 'pattern_list', 'tuple_pattern', 'list_pattern', 'as_pattern_target', 'global_statement', 'nonlocal_statement', 'delete_statement', 'function_definition', 'class_definition', 'parameters', 'named_expression']);

/** An occurrence that may bind the name again (`lib = …`, `for lib in …`, `del lib`, `def lib`): the re-export is not certain. */
function rebinds(x: Node): boolean {
  const p = x.parent;
  if (!p || !REBINDING.has(p.type)) return false;
  if (p.type === 'assignment' || p.type === 'augmented_assignment' || p.type === 'for_statement' || p.type === 'for_in_clause') return p.childForFieldName('left')?.startIndex === x.startIndex;
  if (p.type === 'named_expression') return p.childForFieldName('name')?.startIndex === x.startIndex;
  if (p.type === 'function_definition' || p.type === 'class_definition') return p.childForFieldName('name')?.startIndex === x.startIndex;
  return true;
}
