/**
 * Stage C: what becomes of the ctypes names. Aliases, opaque structs and prototypes whose every use the plan
 * consumed go; any other use is a refusal; then the libraries' references are checked.
 */
import type { Node } from 'web-tree-sitter';
import type { ModulePlanner } from './planner';
import { refuseImportedLibraries, checkLibraryReferences } from './libraries';

/** Aliases, opaque structs and prototypes whose every use the plan consumed go; others are refusals. */
export function settleNames(pl: ModulePlanner): void {
  const insideConsumed = (n: Node): boolean => pl.consumed.some((c) => c.startIndex <= n.startIndex && n.endIndex <= c.endIndex);
  const refs = (name: string): Node[] => pl.identifiers().get(name) ?? [];
  const importedElsewhere = (name: string): boolean => [...pl.project.planners.values()].some((o) => o !== pl && o.b.fromImports.get(name)?.[0] === pl.mod.name && (o.identifiers().get(name) ?? []).some((x) => !(x.parent?.type === 'dotted_name' || x.parent?.type === 'aliased_import') && !o.consumed.some((c) => c.startIndex <= x.startIndex && x.endIndex <= c.endIndex)));
  for (const [name, a] of pl.aliases) {
    const others = refs(name).filter((r) => r.startIndex !== a.node.startIndex && !insideConsumed(r));
    if (!others.length && !importedElsewhere(name)) {
      pl.plan.deletions.push(a.statement);
      pl.consumed.push(a.statement);
    } else pl.refuse(others[0] ?? a.node, `${name} (an alias of a ctypes type) is used as a value, not only as a type, so it stays ctypes`);
  }
  for (const [name, stmts] of pl.opaque) {
    const inStmts = (r: Node): boolean => stmts.some((s) => s.startIndex <= r.startIndex && r.endIndex <= s.endIndex);
    const others = refs(name).filter((r) => !inStmts(r) && !insideConsumed(r) && !aliasUse(pl, r));
    if (others.length) {
      pl.refuse(others[0]!, `struct ${name} is used as a ctypes class here, so it stays ctypes`);
      continue;
    }
    pl.plan.structs.push(`struct ${name};`);
    pl.plan.deletions.push(...stmts);
    pl.consumed.push(...stmts);
  }
  for (const p of pl.prototypes.values()) pl.consumed.push(p.statement);
  refuseImportedLibraries(pl);
  checkLibraryReferences(pl);
  refuseFunctionAttributes(pl);
}

/**
 * A converted function bound to a name is a Python function (or a cffi one) after conversion, not a ctypes
 * function object: `f.errcheck = g`, `f.argtypes`, `f.restype` anywhere but its declaration would be lost or
 * raise, so each is a refusal — here, and reached from another module (`from .m import f`, `m.f`).
 */
function refuseFunctionAttributes(pl: ModulePlanner): void {
  const inDeclaration = (n: Node): boolean => pl.declaringStatements.some((s) => s.startIndex <= n.startIndex && n.endIndex <= s.endIndex);
  const check = (id: Node, name: string, use: Node | null): void => {
    if (use?.type !== 'attribute' || use.childForFieldName('object')?.id !== id.id || inDeclaration(use)) return;
    const attr = use.childForFieldName('attribute')!.text;
    pl.refuse(use, `${name}.${attr}: ${name} is a converted function here (called as ctypes called it), not a ctypes function object, so its ${attr} would be lost`);
  };
  // a function without argtypes is a _CFunction, which keeps restype and errcheck (untyped.ts)
  const typed = (p: ModulePlanner | undefined, name: string): boolean => !!p?.plan.exported.get(name) && !p.plan.exported.get(name)!.untyped;
  for (const name of pl.plan.exported.keys()) if (typed(pl, name)) for (const id of pl.identifiers().get(name) ?? []) check(id, name, id.parent);
  for (const [local, [m, name]] of pl.b.fromImports) {
    if (!typed(pl.project.planner(m), name)) continue;
    for (const id of pl.identifiers().get(local) ?? []) check(id, local, id.parent);
  }
  for (const [local, m] of pl.b.modules) {
    for (const id of pl.identifiers().get(local) ?? []) {
      const f = id.parent;
      if (f?.type !== 'attribute' || f.childForFieldName('object')?.id !== id.id) continue;
      const name = f.childForFieldName('attribute')!.text;
      if (typed(pl.project.planner(m), name)) check(f, `${local}.${name}`, f.parent);
    }
  }
}

function aliasUse(pl: ModulePlanner, r: Node): boolean {
  return [...pl.aliases.values()].some((a) => a.statement.startIndex <= r.startIndex && r.endIndex <= a.statement.endIndex);
}
