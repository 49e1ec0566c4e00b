/**
 * A project module reached through another name (issue #12): `m = nat`, `n = pkg.native`, `x = m`. The plan reads
 * `m.libc.f()` as `nat.libc.f()` where that is certain — the name is bound by that one plain assignment and nowhere
 * else in the module, and every other occurrence of it is `m.attr` (inside the function that assigns it, when one
 * does) — by binding it as the import does (`Bindings.modules`). Any other use of a project module as a value
 * (`g(nat)`, `[nat]`, `def f(m=nat)`, an alias not followed, another module's alias) reaches its libraries where
 * the plan cannot see which functions are called on them: when that module converts, a refusal.
 */
import type { Node } from 'web-tree-sitter';
import { callParts, dotted, stringLiteral, unparen } from '../../syntax';
import type { Bindings } from './bindings';
import type { ModuleNodes } from './moduleIndex';
import type { ModulePlanner } from './planner';
import { hasWork } from '../render';

/** The project module an expression names through this module's bindings (`nat`, `pkg.native`, `pkg`). */
function moduleOf(b: Bindings, n: Node, projectModules: ReadonlySet<string>): string | undefined {
  n = unparen(n);
  if (n.type !== 'identifier' && n.type !== 'attribute') return undefined;
  const d = dotted(n);
  if (!d) return undefined;
  const [head, ...rest] = d.split('.');
  const m = b.modules.get(head!);
  if (!m) return undefined;
  const full = [m, ...rest].join('.');
  // a package's submodule, or a package some project module is under
  return projectModules.has(full) || [...projectModules].some((x) => x.startsWith(`${full}.`)) ? full : undefined;
}

/** The function an assignment statement binds its name in (null: the module); undefined in a class body. */
function bindingScope(st: Node): Node | null | undefined {
  for (let p = st.parent; p; p = p.parent) {
    if (p.type === 'function_definition') return p;
    if (p.type === 'class_definition' || p.type === 'lambda') return undefined;
    if (p.type === 'module') return null;
  }
  return undefined;
}

const isAttributeObject = (x: Node): boolean => x.parent?.type === 'attribute' && x.parent.childForFieldName('object')?.startIndex === x.startIndex && x.parent.childForFieldName('object')?.endIndex === x.endIndex;

/**
 * Adds the certain aliases to `b.modules` (a fixpoint: `x = m` after `m = nat`) and records their statements in
 * `b.moduleAliases`; runs with the bindings, before any stage.
 */
export function followModuleAliases(b: Bindings, nodes: ModuleNodes, projectModules: ReadonlySet<string>): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const a of nodes.assignments) {
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (left?.type !== 'identifier' || !right || a.childForFieldName('type') || a.parent?.type !== 'expression_statement') continue;
      const name = left.text;
      if (b.moduleAliases.has(name) || b.modules.has(name) || b.fromImports.has(name) || b.ctypes.has(name)) continue;
      const target = moduleOf(b, right, projectModules);
      if (!target) continue;
      const scope = bindingScope(a.parent);
      if (scope === undefined) continue;
      const uses = nodes.identifiers.get(name) ?? [];
      const others = uses.filter((x) => x.startIndex !== left.startIndex);
      const followed = (x: Node): boolean => {
        if (scope && (x.startIndex < scope.startIndex || x.endIndex > scope.endIndex)) return false;
        if (isAttributeObject(x)) return true;
        // the value of another alias (`y = m`), which the next round of the fixpoint follows or not
        const p = x.parent;
        return p?.type === 'assignment' && p.childForFieldName('right')?.startIndex === x.startIndex && p.childForFieldName('right')?.endIndex === x.endIndex;
      };
      if (!others.every(followed)) continue;
      b.modules.set(name, target);
      b.moduleAliases.set(name, a.parent);
      changed = true;
    }
  }
}

/** Is x an import's name, or the value or target of an alias the plan follows? */
function placed(b: Bindings, x: Node): boolean {
  const p = x.parent;
  if (p?.type === 'dotted_name' || p?.type === 'aliased_import' || p?.type === 'import_from_statement' || p?.type === 'import_statement') return true;
  if (p?.type !== 'assignment') return false;
  const left = p.childForFieldName('left');
  const st = left?.type === 'identifier' ? b.moduleAliases.get(left.text) : undefined;
  return !!st && st.startIndex <= x.startIndex && x.endIndex <= st.endIndex && b.modules.has(left!.text);
}

/**
 * Stage C, after every module's plan: a project module the plan changes, used here as a value the plan does not
 * follow (or reached through an alias of another module, `helper.m.libc`, `from .helper import m`), is a refusal.
 */
export function refuseModuleValues(pl: ModulePlanner): void {
  const changes = (m: string): string | undefined => {
    for (const [name, o] of pl.project.planners) if ((name === m || name.startsWith(`${m}.`)) && hasWork(o.plan)) return name;
    return undefined;
  };
  const refuse = (x: Node, what: string, m: string, changed: string): void => {
    const p = x.parent;
    const bound = p?.type === 'assignment' && p.childForFieldName('right')?.startIndex === x.startIndex && p.childForFieldName('left')?.type === 'identifier' ? p.childForFieldName('left')!.text : undefined;
    const use = bound
      ? `${bound} = ${x.text} makes ${bound} another name of the module ${m}, which the plan follows only when ${bound} is bound once and read only as ${bound}.attr (in the function that binds it)`
      : `${what} is the module ${m} used as a value here`;
    pl.refuse(x, `${use}: the plan cannot tell which functions of ${changed}'s libraries are called through it, so they stay ctypes`);
  };
  for (const [local, m] of pl.b.modules) {
    const changed = changes(m);
    for (const x of pl.identifiers().get(local) ?? []) {
      if (placed(pl.b, x)) continue;
      if (!isAttributeObject(x)) {
        if (changed && !attributeLookup(pl, x, m)) refuse(x, local, m, changed);
        continue;
      }
      // `helper.m.libc`: a module alias of another module, which this one does not follow
      const attr = x.parent!.childForFieldName('attribute')!.text;
      const viaAlias = pl.project.planner(m)?.b.moduleAliases.has(attr) ? pl.project.planner(m)!.b.modules.get(attr) : undefined;
      const aliasChanged = viaAlias ? changes(viaAlias) : undefined;
      if (viaAlias && aliasChanged) refuse(x.parent!, `${local}.${attr} (an alias in ${m})`, viaAlias, aliasChanged);
    }
  }
  // `from .helper import m`, `from .helper import *`: another module's alias
  const imported: [string, string, string][] = [...pl.b.fromImports].map(([local, [from, name]]) => [local, from, name]);
  for (const from of pl.b.starModules) for (const name of pl.project.planner(from)?.b.moduleAliases.keys() ?? []) if (!pl.b.assigned.has(name) && !pl.b.fromImports.has(name)) imported.push([name, from, name]);
  for (const [local, from, name] of imported) {
    const o = pl.project.planner(from);
    const target = o?.b.moduleAliases.has(name) ? o.b.modules.get(name) : undefined;
    const changed = target ? changes(target) : undefined;
    if (!target || !changed) continue;
    const uses = (pl.identifiers().get(local) ?? []).filter((x) => !placed(pl.b, x));
    if (uses.length) refuse(uses[0]!, `${local} (imported from ${from})`, target, changed);
  }
}

/**
 * `getattr(m, "name")`, `getattr(m, "prefix_" + name)`, `hasattr(…)`: the module's attributes by a name that
 * cannot be one of its libraries, a class or instance holding one, a module alias or a submodule (libarchive's
 * `getattr(ffi, 'read_support_filter_' + name)` reads its converted functions): no library is reached.
 */
function attributeLookup(pl: ModulePlanner, x: Node, m: string): boolean {
  const call = x.parent?.type === 'argument_list' ? callParts(x.parent.parent!) : undefined;
  if (!call || (call.callee.text !== 'getattr' && call.callee.text !== 'hasattr') || pl.b.assigned.has(call.callee.text) || call.args[0]?.startIndex !== x.startIndex || call.splat) return false;
  const name = call.args[1] ? unparen(call.args[1]) : undefined;
  const lit = name ? stringLiteral(name) : undefined;
  const head = name?.type === 'binary_operator' && name.childForFieldName('operator')?.text === '+' ? stringLiteral(name.childForFieldName('left')!) : undefined;
  const prefix = lit && !lit.bytes ? lit.value : head && !head.bytes ? head.value : undefined;
  if (prefix === undefined) return false;
  const o = pl.project.planner(m);
  const reachable = [...(o?.libraries.keys() ?? []), ...(o?.b.moduleAliases.keys() ?? []), ...[...pl.project.planners.keys()].filter((n) => n.startsWith(`${m}.`)).map((n) => n.slice(m.length + 1))].map((k) => k.split(/[.[]/)[0]!);
  return !reachable.some((k) => (lit ? k === prefix : k.startsWith(prefix)));
}
