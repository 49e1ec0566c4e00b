/**
 * Stage A, functions used without argtypes (`lib.f(…)`, `lib.f.restype = T`, `g = lib.f`) and `lib._name`:
 * the library becomes a `_Library` whose functions take their signature from the C header and are called as
 * ctypes called them.
 */
import type { Node } from 'web-tree-sitter';
import { callParts, keyOf } from '../../syntax';
import { declare, isFloating, isIntegral } from '../../typeNames';
import { untypedDeclarations } from '../headerTypes';
import { isTarget, pyString } from './syntax';
import type { ModulePlanner, ForeignDecl } from './planner';
import { typeOf } from './types';
import type { Library, LibraryRef } from './libraries';
import { attributeKey, libraryHead, libraryReferences } from './attributeDeclarations';

/**
 * Functions used without argtypes — `lib.f(…)`, `lib.f.restype = T`, `g = lib.f` — and `lib._name`: the
 * library becomes a `_Library` whose functions are declared from the C header and called as ctypes called
 * them (`_CFunction`: a Python int as a C int, bytes by address, None as NULL; a C int back unless restype).
 */
export function collectUntyped(pl: ModulePlanner): void {
  const sites: { lib: Library; ref: LibraryRef; libNode: Node; attr: Node; name: string }[] = [];
  // this module's libraries, and (but `_name`) those it imports from another module
  for (const { node: n, ref } of libraryReferences(pl)) {
    const lib = ref.lib;
    const p = n.parent;
    if (p?.type !== 'attribute' || p.childForFieldName('object')?.id !== n.id || pl.libraryUsesAllowed.has(keyOf(libraryHead(n)))) continue;
    const name = p.childForFieldName('attribute')!.text;
    if (name === '_name' && !isTarget(p) && ref.owner === pl) sites.push({ lib, ref, libNode: n, attr: p, name });
    else if (!name.startsWith('_')) sites.push({ lib, ref, libNode: n, attr: p, name });
  }
  if (!sites.length) return;
  for (const s of sites) {
    const up = s.attr.parent;
    if (up?.type === 'attribute' && up.childForFieldName('attribute')?.text === 'restype' && isTarget(up)) pl.restyped.add(s.name);
  }
  const byLib = new Map<Library, Set<string>>();
  for (const s of sites) if (s.name !== '_name') byLib.set(s.lib, (byLib.get(s.lib) ?? new Set()).add(s.name));
  const decls = new Map<Library, Map<string, ForeignDecl | string>>();
  for (const [lib, names] of byLib) decls.set(lib, untypedDeclarations(lib.stem, [...names], pl.project.lookup));
  const wrap = (lib: Library, owner: ModulePlanner, at: Node): boolean => {
    if (!lib.loadedHere) {
      pl.refuse(at, `${lib.key} is loaded by a function of another module and used without argtypes here: the plan follows that only for functions declared with argtypes`);
      return false;
    }
    lib.wrapped = true;
    owner.plan.helpers.add('library');
    return true;
  };
  for (const s of sites) {
    if (s.name === '_name') {
      // ctypes' CDLL._name: the name it was loaded by; a _Library keeps it
      if (wrap(s.lib, s.ref.owner, s.attr)) pl.libraryUsesAllowed.add(keyOf(s.libNode));
      continue;
    }
    const up = s.attr.parent;
    const isCall = up?.type === 'call' && up.childForFieldName('function')?.startIndex === s.attr.startIndex;
    const attrOf = up?.type === 'attribute' && up.childForFieldName('object')?.startIndex === s.attr.startIndex ? up.childForFieldName('attribute')!.text : undefined;
    // `g = lib.f` at module level: g's calls are planned as lib.f's (elsewhere g is only a run-time alias)
    const assigned = up?.type === 'assignment' && up.childForFieldName('right')?.startIndex === s.attr.startIndex && up.childForFieldName('left')?.type === 'identifier' && up.parent?.parent?.type === 'module' ? up.childForFieldName('left')! : undefined;
    const aliasElsewhere = up?.type === 'assignment' && up.childForFieldName('right')?.startIndex === s.attr.startIndex && up.childForFieldName('left')?.type === 'identifier' && !assigned;
    if (!isCall && !assigned && !aliasElsewhere && !(attrOf && (attrOf === 'restype' || attrOf === 'errcheck') && isTarget(up!))) continue; // settleNames says why
    const d = decls.get(s.lib)!.get(s.name)!;
    const head = keyOf(libraryHead(s.libNode));
    if (typeof d === 'string') {
      pl.refuse(s.attr, d);
      pl.libraryUsesAllowed.add(head); // the reason is said once, here
      continue;
    }
    // one function object for every module (the owner's _Library keeps it), so a restype or errcheck one module
    // sets at run time applies to the others' calls as in ctypes; a module that calls a floating-point function
    // sets its restype itself (untypedCallOk)
    const prior = s.ref.owner.plan.functions.get(s.name) ?? pl.plan.functions.get(s.name);
    if (prior && !prior.untyped) {
      pl.refuse(s.attr, `${s.lib.key}.${s.name} is used without argtypes here and declared with argtypes through a name elsewhere: ctypes shares one function object between them; bind this use to that name`);
      continue;
    }
    if (isCall && !untypedCallOk(pl, up!, d, `${s.lib.key}.${s.name}`)) continue;
    if (attrOf === 'restype') {
      const asg = up!.parent;
      const value = asg?.type === 'assignment' ? asg.childForFieldName('right') : null;
      if (!value) {
        // `lib.f.argtypes, lib.f.restype = …`: not followed
        pl.refuse(up!, `${up!.text} is set in a tuple assignment: the plan follows one attribute per statement`);
        continue;
      }
      if (!planRestype(pl, value, d)) continue;
    }
    if (!wrap(s.lib, s.ref.owner, s.attr)) continue;
    if (!prior) {
      s.ref.owner.plan.functions.set(s.name, d);
      pl.plan.converted.functions++;
    }
    if (s.ref.owner === pl) pl.untyped.set(`${s.lib.key}\0${s.name}`, d);
    pl.project.untypedDecls.set(attributeKey(s.ref, s.name), d);
    if (assigned) {
      pl.plan.exported.set(assigned.text, d);
      for (const id of pl.nodes.identifiers.get(assigned.text) ?? []) {
        const c = id.parent;
        if (c?.type === 'call' && c.childForFieldName('function')?.startIndex === id.startIndex) untypedCallOk(pl, c, d, assigned.text);
      }
    }
    pl.libraryUsesAllowed.add(head);
  }
  // `g = lib.f` then `g.restype = T`: the type becomes its C name (a _CFunction reads it at each call)
  for (const a of pl.nodes.assignments) {
    const l = a.childForFieldName('left');
    if (l?.type !== 'attribute' || l.childForFieldName('attribute')?.text !== 'restype') continue;
    const d = l.childForFieldName('object')?.type === 'identifier' ? pl.plan.exported.get(l.childForFieldName('object')!.text) : undefined;
    if (d?.untyped) planRestype(pl, a.childForFieldName('right')!, d);
  }
}

/** A call of a function without argtypes: the arguments ctypes passed, against the C prototype. */
function untypedCallOk(pl: ModulePlanner, call: Node, d: ForeignDecl, what: string): boolean {
  const parts = callParts(call)!;
  if (parts.keywords.size || parts.splat) {
    pl.refuse(call, `${what}(…) with keyword or * arguments: the plan needs each argument at its place`);
    return false;
  }
  if (parts.args.length !== d.params.length) {
    pl.refuse(call, `${what} takes ${d.params.length} arguments in its C prototype (${d.untyped!.where}) and gets ${parts.args.length} here: ctypes passed them anyway, cffi would raise TypeError`);
    return false;
  }
  if (d.ret.k === 'void' && call.parent?.type !== 'expression_statement') {
    pl.refuse(call, `${what} returns void (${d.untyped!.where}) and this call uses its result: ctypes gave an undefined int; the converted call would give None`);
    return false;
  }
  if (d.ret.k === 'prim' && isFloating(d.ret) && call.parent?.type !== 'expression_statement' && !pl.restyped.has(d.cname)) {
    pl.refuse(call, `${what} returns ${d.ret.c} (${d.untyped!.where}) and ctypes, without restype, read it as an int: declare ${what}.restype`);
    return false;
  }
  return true;
}

/** `f.restype = T` for a function without argtypes: T becomes its C name; the result is converted as ctypes did. */
function planRestype(pl: ModulePlanner, value: Node, d: ForeignDecl): boolean {
  const t = typeOf(pl, value, true);
  const header = d.ret;
  const isPtr = header.k === 'ptr';
  const isInt = header.k === 'prim' && isIntegral(header);
  let c: string | undefined;
  if (t?.k === 'void') c = 'None';
  else if (t?.k === 'prim' && t.ctypes === 'c_char_p' && isPtr) c = pyString('char *');
  else if (t?.k === 'prim' && t.ctypes === 'c_void_p' && isPtr) c = pyString('void *');
  else if (t?.k === 'prim' && isIntegral(t) && isInt) c = pyString(t.c);
  else if (t?.k === 'prim' && isFloating(t) && t.ctypes !== 'c_longdouble' && header.k === 'prim' && isFloating(header)) c = pyString(t.c);
  if (!c) {
    pl.refuse(value, `restype ${value.text} of ${d.cname}, whose C prototype returns ${declare(header, '')} (${d.untyped!.where}): not converted`);
    return false;
  }
  pl.consumed.push(value);
  pl.rewrite(value, () => c!);
  return true;
}
