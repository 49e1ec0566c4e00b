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
}

function aliasUse(pl: ModulePlanner, r: Node): boolean {
  return [...pl.aliases.values()].some((a) => a.statement.startIndex <= r.startIndex && r.endIndex <= a.statement.endIndex);
}
