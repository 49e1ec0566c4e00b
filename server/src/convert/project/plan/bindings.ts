/** What the names of a module refer to: ctypes names, project modules, names imported from them. */
import type { Node } from 'web-tree-sitter';
import { CTYPES_EXPORTS } from '../../../analysis/ctypesNames';
import { dotted } from '../../syntax';
import { type SourceModule, absoluteModule } from '../modules';
import type { ModuleNodes } from './moduleIndex';

export interface Bindings {
  /** local name → qualified ctypes name (`ctypes`, `ctypes.c_int`, `ctypes.util`) */
  ctypes: Map<string, string>;
  star: boolean;
  /** local name → project module (`from . import ffi`, `import pkg.mod as m`) */
  modules: Map<string, string>;
  /** local name → [project module, attribute] (`from .ffi import f`) */
  fromImports: Map<string, [string, string]>;
  /** names assigned at module level (they shadow a star import) */
  assigned: Set<string>;
  /** project modules imported with `from m import *` */
  starModules: string[];
  /** names `modules` holds because they alias a module (`m = nat`), with the statement (moduleAliases.ts) */
  moduleAliases: Map<string, Node>;
}


export function bindingsOf(mod: SourceModule, nodes: ModuleNodes, projectModules: ReadonlySet<string>): Bindings {
  const b: Bindings = { ctypes: new Map(), star: false, modules: new Map(), fromImports: new Map(), assigned: new Set(), starModules: [], moduleAliases: new Map() };
  for (const n of nodes.imports) {
    if (n.type === 'import_statement') {
      for (const c of n.namedChildren) {
        const name = c.type === 'aliased_import' ? c.childForFieldName('name')?.text : c.type === 'dotted_name' ? c.text : undefined;
        const alias = c.type === 'aliased_import' ? c.childForFieldName('alias')?.text : undefined;
        if (!name) continue;
        if (name === 'ctypes' || name.startsWith('ctypes.')) {
          if (!b.ctypes.has(alias ?? 'ctypes')) b.ctypes.set(alias ?? 'ctypes', alias ? name : 'ctypes');
        } else if (projectModules.has(name)) b.modules.set(alias ?? name.split('.')[0]!, alias ? name : name.split('.')[0]!);
      }
    } else if (n.type === 'import_from_statement') {
      const spec = n.childForFieldName('module_name')?.text ?? '';
      const from = absoluteModule(mod, spec);
      const isCtypes = from === 'ctypes' || from.startsWith('ctypes.');
      if (n.namedChildren.some((c) => c.type === 'wildcard_import')) {
        if (from === 'ctypes') b.star = true;
        else if (projectModules.has(from)) b.starModules.push(from);
        continue;
      }
      for (const c of n.namedChildren.slice(1)) {
        const name = c.type === 'aliased_import' ? c.childForFieldName('name')?.text : c.type === 'dotted_name' ? c.text : undefined;
        const alias = c.type === 'aliased_import' ? c.childForFieldName('alias')?.text : undefined;
        if (!name) continue;
        const local = alias ?? name;
        if (isCtypes) {
          if (!b.ctypes.has(local)) b.ctypes.set(local, `${from}.${name}`);
        } else if (projectModules.has(`${from}.${name}`)) b.modules.set(local, `${from}.${name}`);
        else if (projectModules.has(from)) b.fromImports.set(local, [from, name]);
      }
    }
  }
  for (const st of mod.root.namedChildren) {
    const a = st.type === 'expression_statement' ? st.namedChildren[0] : undefined;
    if (a?.type === 'assignment' && a.childForFieldName('left')?.type === 'identifier') b.assigned.add(a.childForFieldName('left')!.text);
    if (st.type === 'function_definition' || st.type === 'class_definition') b.assigned.add(st.childForFieldName('name')!.text);
  }
  return b;
}

/** `ctypes.c_int`, `ctypes.cdll.LoadLibrary`, … for an expression naming something in ctypes. */
export function ctypesName(b: Bindings, n: Node | null | undefined): string | undefined {
  const d = dotted(n);
  if (!d) return undefined;
  const [head, ...rest] = d.split('.');
  let q = b.ctypes.get(head!);
  if (!q && b.star && CTYPES_EXPORTS.has(head!) && !b.assigned.has(head!)) q = `ctypes.${head}`;
  if (!q) return undefined;
  return [q, ...rest].join('.');
}

export const member = (q: string | undefined): string | undefined => (q?.startsWith('ctypes.') ? q.slice('ctypes.'.length) : undefined);
