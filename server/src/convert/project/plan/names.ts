/**
 * Stage C: what becomes of the ctypes names. Aliases, opaque structs and prototypes whose every use the plan
 * consumed go; an alias other modules read only as a type stays; any other use is a refusal; then the
 * libraries' references are checked.
 */
import type { Node } from 'web-tree-sitter';
import { callParts, unparen } from '../../syntax';
import { SpanSet } from '../../spanSet';
import { prim } from '../../typeNames';
import type { ModulePlanner } from './planner';
import { refuseImportedLibraries, checkLibraryReferences } from './libraries';
import { refuseInstanceFunctionAttributes } from './heldLibraries';
import { refuseSharedFunctionObjects } from './functions';

/** Aliases, opaque structs and prototypes whose every use the plan consumed go; others are refusals. */
export function settleNames(pl: ModulePlanner): void {
  const insideConsumed = (n: Node): boolean => pl.consumed.some((c) => c.startIndex <= n.startIndex && n.endIndex <= c.endIndex);
  const refs = (name: string): Node[] => pl.identifiers().get(name) ?? [];
  const importedElsewhere = (name: string): boolean => [...pl.project.planners.values()].some((o) => o !== pl && o.b.fromImports.get(name)?.[0] === pl.mod.name && (o.identifiers().get(name) ?? []).some((x) => !(x.parent?.type === 'dotted_name' || x.parent?.type === 'aliased_import') && !o.consumed.some((c) => c.startIndex <= x.startIndex && x.endIndex <= c.endIndex)));
  for (const [name, a] of pl.aliases) {
    const others = refs(name).filter((r) => r.startIndex !== a.node.startIndex && !insideConsumed(r));
    const readers = others.length ? undefined : typeOnlyReaders(pl, name, a.node);
    if (readers) {
      // other modules read the alias only as a type (its name, its size): it stays defined, a ctypes type for them
      pl.plan.keptCtypes.push(a.statement);
      pl.plan.notes.push(`${pl.mod.name}.${name} stays a ctypes type for ${readers}, which read${readers.includes(',') ? '' : 's'} it only as a type (its __name__, sizeof): no value of it reaches cffi`);
      continue;
    }
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
  // a use inside a declaring statement starts inside it (an attribute never holds a statement): a lookup, not a scan per use
  const declaring = new SpanSet();
  for (const s of pl.declaringStatements) declaring.add(s.startIndex, s.endIndex);
  const inDeclaration = (n: Node): boolean => declaring.has(n.startIndex);
  refuseFunctionAttributes(pl, inDeclaration);
  refuseInstanceFunctionAttributes(pl, inDeclaration);
  refuseSharedFunctionObjects(pl, inDeclaration);
}

/**
 * A converted function bound to a name is a Python function (or a cffi one) after conversion, not a ctypes
 * function object: `f.errcheck = g`, `f.argtypes`, `f.restype` anywhere but its declaration would be lost or
 * raise, so each is a refusal — here, and reached from another module (`from .m import f`, `m.f`).
 */
function refuseFunctionAttributes(pl: ModulePlanner, inDeclaration: (n: Node) => boolean): void {
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
  // `from .native import *` (a name this module binds itself or imports by name is not the star's)
  for (const m of pl.b.starModules) {
    const o = pl.project.planner(m);
    for (const name of o?.plan.exported.keys() ?? []) {
      if (!typed(o, name) || pl.b.assigned.has(name) || pl.b.fromImports.has(name)) continue;
      for (const id of pl.identifiers().get(name) ?? []) check(id, name, id.parent);
    }
  }
  // `m.f.errcheck`, through submodules (`pkg.native.f.errcheck` after `import pkg.native`) and re-exports (`pkg.f`)
  for (const [local, m] of pl.b.modules) {
    for (const id of pl.identifiers().get(local) ?? []) {
      let [object, mod] = [id, m];
      for (let f = id.parent; f?.type === 'attribute' && f.childForFieldName('object')?.id === object.id; object = f, f = f.parent) {
        const name = f.childForFieldName('attribute')!.text;
        const [dm, dn] = pl.project.definingModule(mod, name) ?? [mod, name];
        if (typed(pl.project.planner(dm), dn)) {
          check(f, f.text, f.parent);
          break;
        }
        if (!pl.project.planner(`${mod}.${name}`)) break;
        mod = `${mod}.${name}`;
      }
    }
  }
}

function aliasUse(pl: ModulePlanner, r: Node): boolean {
  return [...pl.aliases.values()].some((a) => a.statement.startIndex <= r.startIndex && r.endIndex <= a.statement.endIndex);
}

/**
 * The modules that read a type alias of this one (`a.size_t`, `from .a import size_t`, `from .a import *`,
 * `pkg.a.size_t`), when each reads it only as a type — its `__name__`, `ctypes.sizeof(…)` — so that it can stay
 * defined as the ctypes primitive it is while the rest converts: no value is made of it, none can meet a cffi
 * function. Undefined when no module reads it, when a read is anything else, or when a reading module's text
 * names it anywhere else (a `getattr(a, "size_t")`, a comment): then the alias goes as before, and the output
 * invariant refuses the binding if it is still read.
 */
function typeOnlyReaders(pl: ModulePlanner, name: string, def: Node): string | undefined {
  const right = def.parent?.type === 'assignment' ? def.parent.childForFieldName('right') : null;
  const t = right ? pl.ctypes(unparen(right)) : undefined;
  if (!t || !prim(t)) return undefined; // an alias of anything else may name what the plan deletes (an opaque struct)
  const word = new RegExp(`(?<![A-Za-z_0-9])${name}(?![A-Za-z_0-9])`, 'g');
  const count = (text: string): number => text.match(word)?.length ?? 0;
  const readers: string[] = [];
  for (const o of pl.project.planners.values()) {
    if (o === pl) continue;
    const reads = readsOf(o, pl.mod.name, name);
    if (!reads.length) continue;
    const consumed = (r: Node): boolean => o.consumed.some((c) => c.startIndex <= r.startIndex && r.endIndex <= c.endIndex);
    if (!reads.every((r) => consumed(r) || typeOnlyRead(o, r))) return undefined;
    // every occurrence of the word in that module is an import of it or one of these reads
    if (count(o.mod.text) !== o.nodes.imports.reduce((k, imp) => k + count(imp.text), 0) + reads.filter((r) => r.type !== 'identifier' || r.text === name).length) return undefined;
    if (reads.some((r) => !consumed(r))) readers.push(o.mod.name);
  }
  return readers.length ? readers.join(', ') : undefined;
}

/** The expressions of module o that read `name` from module `from`: `from m import name [as x]`, star imports, `m.name`. */
function readsOf(o: ModulePlanner, from: string, name: string): Node[] {
  const isImportName = (x: Node): boolean => x.parent?.type === 'dotted_name' || x.parent?.type === 'aliased_import' || x.parent?.type === 'import_from_statement';
  const out: Node[] = [];
  for (const [local, [modName, n]] of o.b.fromImports) if (modName === from && n === name) out.push(...(o.identifiers().get(local) ?? []).filter((x) => !isImportName(x)));
  if (o.b.starModules.includes(from) && !o.b.assigned.has(name) && !o.b.fromImports.has(name)) out.push(...(o.identifiers().get(name) ?? []).filter((x) => !isImportName(x)));
  for (const [local, modName] of o.b.modules) {
    for (const x of o.identifiers().get(local) ?? []) {
      if (isImportName(x)) continue;
      // `a.size_t`, `pkg.a.size_t`: the chain of module names, then the name
      let top: Node = x;
      const parts: string[] = [];
      while (top.parent?.type === 'attribute' && top.parent.childForFieldName('object')?.startIndex === top.startIndex && top.parent.childForFieldName('object')?.endIndex === top.endIndex) {
        top = top.parent;
        parts.push(top.childForFieldName('attribute')!.text);
        if (parts[parts.length - 1] === name && [modName, ...parts.slice(0, -1)].join('.') === from) {
          out.push(top);
          break;
        }
      }
    }
  }
  return out;
}

/** A read that makes no value of the type: `T.__name__`, `ctypes.sizeof(T)`. */
function typeOnlyRead(o: ModulePlanner, r: Node): boolean {
  const p = r.parent;
  if (p?.type === 'attribute' && p.childForFieldName('object')?.startIndex === r.startIndex && p.childForFieldName('object')?.endIndex === r.endIndex) return p.childForFieldName('attribute')!.text === '__name__';
  if (p?.type !== 'argument_list') return false;
  const c = callParts(p.parent!);
  return !!c && o.ctypes(c.callee) === 'sizeof' && c.args.length === 1 && !c.keywords.size && !c.splat && c.args[0]!.startIndex === r.startIndex && c.args[0]!.endIndex === r.endIndex;
}
