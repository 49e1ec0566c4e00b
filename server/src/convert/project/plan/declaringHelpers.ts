/**
 * Stage A, declaring helpers: `def ffi(name, argtypes, restype, errcheck=None): f = getattr(lib, 'prefix_' + name); …`
 * and its calls, with literals or in loops over literal sets (each name is declared).
 */
import type { Node } from 'web-tree-sitter';
import { callParts, keyOf, stringLiteral, unparen } from '../../syntax';
import type { ModulePlanner } from './planner';
import { consumeType } from './types';
import { type Library, libKey, libraryAt } from './libraries';
import { attributeKey } from './attributeDeclarations';
import { instanceFunctionKey } from './heldLibraries';
import { declFromAttributes, declareFunction } from './functions';

export interface DeclaringHelper {
  name: string;
  def: Node;
  /** the library getattr reads, or undefined when it is a parameter (`def declare(lib, name, restype, argtypes)`) */
  lib: Library | undefined;
  /** that parameter's index, and the libraries the calls hand it (this module's own) */
  libParam?: number;
  callLibs: Library[];
  params: string[];
  nameParam: number;
  prefix: string;
  argtypesParam: number;
  restypeParam: number;
  errcheckParam?: number;
  registers: boolean;
  local: string;
  getattrStatement: Node;
  attributeStatements: Node[];
}

/** `def ffi(name, argtypes, restype, errcheck=None): f = getattr(lib, 'prefix_' + name); f.argtypes = …` */
export function collectHelpers(pl: ModulePlanner): void {
  for (const def of pl.mod.root.namedChildren) {
    if (def.type !== 'function_definition') continue;
    const params = (def.childForFieldName('parameters')?.namedChildren ?? []).map((p) => (p.type === 'identifier' ? p.text : p.type === 'default_parameter' ? p.childForFieldName('name')?.text ?? '' : ''));
    const body = def.childForFieldName('body')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
    const first = body[0]?.type === 'expression_statement' ? body[0].namedChildren[0] : undefined;
    if (first?.type !== 'assignment') continue;
    const local = first.childForFieldName('left');
    const gp = callParts(first.childForFieldName('right')!);
    if (local?.type !== 'identifier' || !gp || gp.callee.text !== 'getattr' || gp.args.length !== 2) continue;
    const lib = pl.libraries.get(libKey(gp.args[0]!) ?? '');
    const libArg = unparen(gp.args[0]!);
    const libParam = !lib && libArg.type === 'identifier' && !pl.libraries.has(libArg.text) ? params.indexOf(libArg.text) : -1;
    if (!lib && (libParam < 0 || !onlyCalledHere(pl, def))) continue;
    const nameExpr = unparen(gp.args[1]!);
    let prefix = '';
    let nameParam = -1;
    if (nameExpr.type === 'identifier') nameParam = params.indexOf(nameExpr.text);
    else if (nameExpr.type === 'binary_operator' && nameExpr.child(1)?.type === '+') {
      const l = stringLiteral(nameExpr.childForFieldName('left')!);
      const r = nameExpr.childForFieldName('right');
      if (l && !l.bytes && r?.type === 'identifier') {
        prefix = l.value;
        nameParam = params.indexOf(r.text);
      }
    }
    if (nameParam < 0) continue;
    const h: DeclaringHelper = { name: def.childForFieldName('name')!.text, def, lib, ...(libParam >= 0 ? { libParam } : {}), callLibs: [], params, nameParam, prefix, argtypesParam: -1, restypeParam: -1, registers: false, local: local.text, getattrStatement: body[0]!, attributeStatements: [] };
    let ok = true;
    const attr = (st: Node): [string, string] | undefined => {
      const a = st.type === 'expression_statement' ? st.namedChildren[0] : undefined;
      const l = a?.type === 'assignment' ? a.childForFieldName('left') : undefined;
      const r = a?.childForFieldName('right');
      if (l?.type !== 'attribute' || l.childForFieldName('object')?.text !== h.local || r?.type !== 'identifier') return undefined;
      return [l.childForFieldName('attribute')!.text, r.text];
    };
    for (const st of body.slice(1)) {
      const at = attr(st);
      if (at && (at[0] === 'argtypes' || at[0] === 'restype' || at[0] === 'errcheck')) {
        const idx = params.indexOf(at[1]);
        if (idx < 0) ok = false;
        if (at[0] === 'argtypes') h.argtypesParam = idx;
        else if (at[0] === 'restype') h.restypeParam = idx;
        else h.errcheckParam = idx;
        h.attributeStatements.push(st);
        continue;
      }
      if (st.type === 'if_statement') {
        const cond = st.childForFieldName('condition');
        const inner = st.childForFieldName('consequence')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
        const at2 = inner.length === 1 ? attr(inner[0]!) : undefined;
        if (!st.childForFieldName('alternative') && cond?.type === 'identifier' && at2?.[0] === 'errcheck' && at2[1] === cond.text && params.includes(cond.text)) {
          h.errcheckParam = params.indexOf(cond.text);
          h.attributeStatements.push(st);
          continue;
        }
      }
      if (st.type === 'return_statement' && st.namedChildren[0]?.text === h.local) continue;
      const a = st.type === 'expression_statement' ? st.namedChildren[0] : undefined;
      if (a?.type === 'assignment' && a.childForFieldName('right')?.text === h.local && /^globals\(\)\[\w+\]$/.test(a.childForFieldName('left')!.text.replace(/\s/g, '')) && a.childForFieldName('left')!.text.includes(`[${params[nameParam]}]`)) {
        h.registers = true;
        continue;
      }
      ok = false;
    }
    if (!ok || h.argtypesParam < 0 || h.restypeParam < 0) {
      pl.refuse(def, `${h.name} declares foreign functions in a way the plan does not follow (only getattr, argtypes, restype, errcheck, globals() and return)`);
      continue;
    }
    pl.helpersDefs.set(h.name, h);
    if (lib) pl.libraryUsesAllowed.add(keyOf(gp.args[0]!));
    const ffiErr = h.errcheckParam !== undefined ? `, ${params[h.errcheckParam]}` : '';
    const lhs = h.local;
    pl.plan.helpers.add('function');
    // a library parameter: what its calls hand it decides, when the plan renders (a _Library wraps the cffi lib)
    const cffiLib = (inner: (n: Node) => string): string => {
      const libs = lib ? [lib] : h.callLibs;
      if (libs.every((l) => l.wrapped)) return `${inner(gp.args[0]!)}._cffi_lib`;
      if (libs.every((l) => !l.wrapped)) return inner(gp.args[0]!);
      return `getattr(${inner(gp.args[0]!)}, "_cffi_lib", ${inner(gp.args[0]!)})`;
    };
    pl.rewrite(first.childForFieldName('right')!, (inner) => `_cffi_function(${cffiLib(inner)}, ${inner(gp.args[1]!)}${ffiErr})`);
    void lhs;
    pl.plan.deletions.push(...h.attributeStatements);
  }
}

/** Every call of a declaring helper: each name it can take is declared; the table's types become C strings. */
export function collectHelperCalls(pl: ModulePlanner): void {
  if (!pl.helpersDefs.size) return;
  for (const n of pl.nodes.calls) {
    const parts = callParts(n);
    const h = parts && parts.callee.type === 'identifier' ? pl.helpersDefs.get(parts.callee.text) : undefined;
    if (!h || !parts) continue;
    const arg = (i: number): Node | undefined => {
      const kw = parts.keywords.get(h.params[i]!);
      return kw ?? parts.args[i];
    };
    if (parts.splat) {
      pl.refuse(n, `${h.name}(*…): the plan needs the names and types at each call`);
      continue;
    }
    let lib = h.lib;
    if (h.libParam !== undefined) {
      const libArg = arg(h.libParam);
      // a library this module loads: bound to a name, or held by a class or its instance (`self.lib`, `C.lib`)
      const ref = libArg ? libraryAt(pl, libArg) : undefined;
      lib = ref?.owner === pl ? ref.lib : undefined;
      if (!libArg || !lib || !lib.loadedHere) {
        pl.refuse(n, `${h.name}(…) is handed ${libArg ? libArg.text : 'no library'}: the plan follows a library parameter only for a library this module loads`);
        continue;
      }
      h.callLibs.push(lib);
      pl.libraryUsesAllowed.add(keyOf(libArg));
    }
    const names = namesOf(pl, arg(h.nameParam));
    const argtypes = arg(h.argtypesParam);
    const restype = arg(h.restypeParam);
    if (!names) {
      pl.refuse(n, `${h.name}(…): the function name is computed in a way the plan cannot follow, so it cannot be declared in the cdef`);
      continue;
    }
    let ok = true;
    for (const name of names) {
      const decl = declFromAttributes(pl, h.prefix + name, argtypes, restype, n);
      if (!decl || !declareFunction(pl, decl, n)) {
        ok = false;
        break;
      }
      if (h.registers) pl.plan.exported.set(name, decl);
      pl.plan.converted.functions++;
    }
    if (!ok) continue;
    const decl = pl.plan.functions.get(h.prefix + names[0]!)!;
    // the assignment `errno = ffi('errno', …)` also binds a name; `self.f = ffi(self.lib, 'f', …)` in `__init__` the instance's function
    const asg = n.parent?.type === 'assignment' && n.parent.childForFieldName('right')?.startIndex === n.startIndex ? n.parent : undefined;
    const a = asg?.childForFieldName('left');
    // getattr hands out the library's one function object: `lib.f` elsewhere has the argtypes set here (functions.ts)
    for (const name of names) pl.sharedFunctions.set(attributeKey({ owner: pl, lib: lib! }, h.prefix + name), a ? a.text : `what ${h.name}(…) returns`);
    const st = asg?.parent?.type === 'expression_statement' ? asg.parent : undefined;
    const instanceKey = a?.type === 'attribute' && st?.parent && names.length === 1 ? instanceFunctionKey(pl, a, st.parent) : undefined;
    if (a?.type === 'identifier' && st?.parent?.parent?.type === 'class_definition') {
      pl.refuse(n, `${a.text} is bound in the body of a class: converted, it would be a Python function, which the class's instances call as a method (with self)`);
      continue;
    }
    if (a?.type === 'identifier') pl.plan.exported.set(a.text, decl);
    else if (instanceKey) {
      pl.instanceFunctions.set(instanceKey, decl);
      pl.declaringStatements.push(st!);
    }
    const list = unparen(argtypes!);
    list.namedChildren.forEach((item, i) => consumeType(pl, item, decl.params[i]!));
    consumeType(pl, restype!, decl.ret);
  }
}

/**
 * A helper whose library is a parameter is followed only where every call is in sight: its name occurs in this
 * module only as its def and as the callee of calls, and no other module's text has the word.
 */
function onlyCalledHere(pl: ModulePlanner, def: Node): boolean {
  const name = def.childForFieldName('name')!;
  const word = new RegExp(`\\b${name.text}\\b`);
  for (const o of pl.project.planners.values()) if (o !== pl && word.test(o.mod.text)) return false;
  return (pl.identifiers().get(name.text) ?? []).every((x) => x.startIndex === name.startIndex || (x.parent?.type === 'call' && x.parent.childForFieldName('function')?.startIndex === x.startIndex));
}

/** The values a name argument takes: a literal, or `"lit" + v` with v looping over a literal collection. */
function namesOf(pl: ModulePlanner, n: Node | undefined): string[] | undefined {
  if (!n) return undefined;
  n = unparen(n);
  const lit = stringLiteral(n);
  if (lit && !lit.bytes) return [lit.value];
  if (n.type === 'binary_operator' && n.child(1)?.type === '+') {
    const l = stringLiteral(n.childForFieldName('left')!);
    const r = n.childForFieldName('right')!;
    if (l && !l.bytes && r.type === 'identifier') {
      const vals = loopValues(pl, r);
      return vals?.map((v) => l.value + v);
    }
  }
  return undefined;
}

function loopValues(pl: ModulePlanner, v: Node): string[] | undefined {
  for (let p = v.parent; p; p = p.parent) {
    if (p.type !== 'for_statement' || p.childForFieldName('left')?.text !== v.text) continue;
    let it = unparen(p.childForFieldName('right')!);
    const c = callParts(it);
    if (c && ['list', 'sorted', 'tuple', 'set'].includes(c.callee.text) && c.args.length === 1) it = unparen(c.args[0]!);
    if (it.type === 'identifier') {
      const def = moduleAssignment(pl, it.text);
      if (!def) return undefined;
      it = def;
    }
    return literalStrings(pl, it);
  }
  return undefined;
}

export function moduleAssignment(pl: ModulePlanner, name: string): Node | undefined {
  if (!pl.assignmentCache.has(name)) pl.assignmentCache.set(name, findModuleAssignment(pl, name));
  return pl.assignmentCache.get(name);
}

function findModuleAssignment(pl: ModulePlanner, name: string): Node | undefined {
  let found: Node | undefined;
  for (const st of pl.mod.root.namedChildren) {
    const a = st.type === 'expression_statement' ? st.namedChildren[0] : undefined;
    if (a?.type === 'assignment' && a.childForFieldName('left')?.text === name) {
      if (found) return undefined;
      found = a.childForFieldName('right')!;
    }
  }
  return found;
}

function literalStrings(pl: ModulePlanner, n: Node): string[] | undefined {
  n = unparen(n);
  const c = callParts(n);
  if (c && ['set', 'frozenset', 'list', 'tuple'].includes(c.callee.text) && c.args.length === 1) n = unparen(c.args[0]!);
  if (!['set', 'list', 'tuple'].includes(n.type)) return undefined;
  const out: string[] = [];
  for (const item of n.namedChildren) {
    const lit = stringLiteral(item);
    if (!lit || lit.bytes) return undefined;
    out.push(lit.value);
  }
  return out;
}
