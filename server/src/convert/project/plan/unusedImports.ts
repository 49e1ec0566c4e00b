/**
 * After stage C, when the binding converts somewhere: a module with nothing to convert whose top-level ctypes
 * imports (also `from ctypes import *`) bind only names it never reads loses them, so the converted package no longer imports ctypes (the
 * modules that convert have theirs trimmed by render.ts). The output check still requires every name another
 * module reads from it (`native.ctypes`, a star import) to be defined there, and refuses otherwise.
 */
import type { Node } from 'web-tree-sitter';
import { CTYPES_EXPORTS } from '../../../analysis/ctypesNames';
import { hasWork } from '../render';
import type { ModulePlanner } from './planner';

/**
 * What a module with `from ctypes import *` may also read through it: names the star binds beyond CTYPES_EXPORTS
 * (the alias c_voidp on CPython 3.11 and PyPy; names of other versions and platforms), and the builtins that read
 * a module's globals by name. Reading one keeps the import.
 */
const STAR_ALSO = ['c_voidp', 'SIZEOF_TIME_T', 'memoryview_at', 'c_float_complex', 'c_double_complex', 'c_longdouble_complex', 'CField', 'CopyComPointer', 'DllCanUnloadNow', 'DllGetClassObject', 'globals', 'vars', 'dir', 'locals', 'eval', 'exec'];

export function dropUnusedCtypesImports(planners: readonly ModulePlanner[]): void {
  if (!planners.some((p) => hasWork(p.plan))) return;
  for (const pl of planners) {
    if (hasWork(pl.plan)) continue;
    const imports = pl.nodes.imports.filter((n) => bindsCtypes(n));
    if (!imports.length || imports.some((n) => n.parent?.id !== pl.mod.root.id || !onlyCtypes(n))) continue;
    const inImport = (id: Node): boolean => pl.nodes.imports.some((n) => n.startIndex <= id.startIndex && id.endIndex <= n.endIndex);
    // `from ctypes import *` binds every name ctypes exports
    const names = [...pl.b.ctypes.keys(), ...(pl.b.star ? [...CTYPES_EXPORTS, ...STAR_ALSO] : [])];
    if (names.some((name) => (pl.identifiers().get(name) ?? []).some((id) => !inImport(id)))) continue;
    if (readElsewhere(pl, planners, names)) continue;
    pl.plan.deletions.push(...imports);
  }
}

/** Might another module read one of these names from this one: a star import of it, `from m import ctypes`, `m.ctypes`? */
function readElsewhere(pl: ModulePlanner, planners: readonly ModulePlanner[], names: string[]): boolean {
  return planners.some((o) => {
    if (o === pl) return false;
    if (o.b.starModules.includes(pl.mod.name)) return true;
    if ([...o.b.fromImports.values()].some(([m, n]) => m === pl.mod.name && names.includes(n))) return true;
    const aliases = [...o.b.modules].filter(([, m]) => m === pl.mod.name || m.startsWith(`${pl.mod.name}.`) || pl.mod.name.startsWith(`${m}.`)).map(([local]) => local);
    return aliases.length > 0 && names.some((n) => o.mod.text.includes(`.${n}`));
  });
}

/** `import ctypes[.x] [as y]`, `from ctypes[.x] import …`. */
function bindsCtypes(n: Node): boolean {
  const isCtypes = (name: string | undefined): boolean => name === 'ctypes' || !!name?.startsWith('ctypes.');
  if (n.type === 'import_from_statement') return isCtypes(n.childForFieldName('module_name')?.text);
  return n.namedChildren.some((c) => isCtypes(c.type === 'aliased_import' ? c.childForFieldName('name')?.text : c.text));
}

/** Every module the statement imports is ctypes (no `import ctypes, os`). */
function onlyCtypes(n: Node): boolean {
  if (n.type === 'import_from_statement') return true;
  return n.namedChildren.every((c) => {
    const name = c.type === 'aliased_import' ? c.childForFieldName('name')?.text : c.text;
    return name === 'ctypes' || !!name?.startsWith('ctypes.');
  });
}
