/**
 * Stage A, foreign functions declared with argtypes: `f = lib.name` / `getattr(lib, "name")` / `lib["name"]`,
 * then `f.argtypes`, `f.restype`, `f.errcheck` in the same block → one `_cffi_function` statement; the cdef
 * declarations they make.
 */
import type { Node } from 'web-tree-sitter';
import { callParts, keyOf, stringLiteral, unparen } from '../../syntax';
import { type CType, declare } from '../../typeNames';
import { headName } from './moduleIndex';
import { pyString } from './syntax';
import type { ModulePlanner, ForeignDecl } from './planner';
import { typeOf } from './types';
import { libKey } from './libraries';

/** `f = lib.name` / `getattr(lib, "name")` / `lib["name"]`, then `f.argtypes`, `f.restype`, `f.errcheck` in the same block. */
export function collectDirectDeclarations(pl: ModulePlanner): void {
  // libraryMember's right sides start with a library's name or getattr
  const heads = new Set(['getattr', ...[...pl.libraries.keys()].map((k) => k.split('[')[0]!)]);
  for (const n of pl.nodes.blocks) {
    const stmts = n.namedChildren;
    for (let i = 0; i < stmts.length; i++) {
      const st = stmts[i]!;
      const a = st.type === 'expression_statement' ? st.namedChildren[0] : undefined;
      if (a?.type !== 'assignment') continue;
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (left?.type !== 'identifier' || !right) continue;
      const head = headName(pl.mod, right);
      if (head !== undefined && !heads.has(head)) continue;
      const found = libraryMember(pl, right);
      if (!found) continue;
      const group: Node[] = [st];
      const attrs = new Map<string, Node>();
      for (let j = i + 1; j < stmts.length; j++) {
        const s2 = stmts[j]!;
        const a2 = s2.type === 'expression_statement' ? s2.namedChildren[0] : undefined;
        const l2 = a2?.type === 'assignment' ? a2.childForFieldName('left') : undefined;
        if (l2?.type !== 'attribute' || l2.childForFieldName('object')?.text !== left.text) break;
        const which = l2.childForFieldName('attribute')!.text;
        if (which !== 'argtypes' && which !== 'restype' && which !== 'errcheck') break;
        attrs.set(which, a2!.childForFieldName('right')!);
        group.push(s2);
      }
      // without argtypes, `f = lib.name` is a use of lib.name as ctypes gives it (collectUntyped)
      if (!attrs.has('argtypes')) continue;
      const decl = declFromAttributes(pl, found.cname, attrs.get('argtypes'), attrs.get('restype'), right);
      if (!decl) continue;
      if (!declareFunction(pl, decl, right)) continue;
      pl.libraryUsesAllowed.add(keyOf(found.lib));
      pl.plan.exported.set(left.text, decl);
      pl.plan.helpers.add('function');
      pl.plan.converted.functions++;
      const last = group[group.length - 1]!;
      const err = attrs.get('errcheck');
      const libNode = found.lib;
      const lib = pl.libraries.get(libKey(libNode)!)!;
      const lastAssign = last.namedChildren[0]!;
      // the whole group becomes one statement, where the last attribute was set (everything it names exists there)
      pl.rewrite(lastAssign, (inner) => `${left.text} = _cffi_function(${inner(libNode)}${lib.wrapped ? '._cffi_lib' : ''}, ${pyString(found.cname)}${err ? `, ${inner(err)}` : ''})`);
      pl.plan.deletions.push(...group.slice(0, -1));
      for (const [which, v] of attrs) if (which !== 'errcheck') pl.consumed.push(v);
      i += group.length - 1;
    }
  }
}

function libraryMember(pl: ModulePlanner, right: Node): { lib: Node; cname: string } | undefined {
  right = unparen(right);
  if (right.type === 'attribute') {
    const obj = right.childForFieldName('object')!;
    const k = libKey(obj);
    if (k && pl.libraries.has(k)) return { lib: obj, cname: right.childForFieldName('attribute')!.text };
  }
  if (right.type === 'subscript') {
    const obj = right.childForFieldName('value')!;
    const s = right.childForFieldName('subscript');
    const lit = s ? stringLiteral(s) : undefined;
    const k = libKey(obj);
    // lib["f"] is a fresh function object in ctypes; bound once to a name, it is the same as lib.f
    if (k && pl.libraries.has(k) && lit && !lit.bytes) return { lib: obj, cname: lit.value };
  }
  const parts = callParts(right);
  if (parts?.callee.text === 'getattr' && parts.args.length === 2) {
    const k = libKey(parts.args[0]!);
    const lit = stringLiteral(parts.args[1]!);
    if (k && pl.libraries.has(k) && lit && !lit.bytes) return { lib: parts.args[0]!, cname: lit.value };
  }
  return undefined;
}

export function declFromAttributes(pl: ModulePlanner, cname: string, argtypes: Node | undefined, restype: Node | undefined, at: Node): ForeignDecl | undefined {
  if (!argtypes) {
    // TODO(header prototypes): a function without argtypes takes its signature from the C header
    pl.refuse(at, `${cname} has no argtypes: ctypes guesses each argument's C type at every call, so the plan needs its prototype from the C header`);
    return undefined;
  }
  const list = unparen(argtypes);
  if (list.type !== 'list' && list.type !== 'tuple') {
    pl.refuse(argtypes, `the argtypes of ${cname} are computed at run time: the plan needs a literal list`);
    return undefined;
  }
  const params: CType[] = [];
  for (const item of list.namedChildren) {
    const t = typeOf(pl, item);
    if (!t) {
      pl.refuse(item, `argument type ${item.text} of ${cname} has no cffi equivalent in this plan`);
      return undefined;
    }
    params.push(t);
  }
  let ret: CType = { k: 'prim', ctypes: 'c_int', c: 'int' };
  if (restype) {
    const t = typeOf(pl, restype, true);
    if (!t) {
      pl.refuse(restype, `result type ${restype.text} of ${cname} has no cffi equivalent in this plan`);
      return undefined;
    }
    ret = t;
  }
  if (ret.k === 'func' || params.some((p) => p.k === 'prim' && (p.ctypes === 'c_longdouble'))) {
    pl.refuse(at, `${cname}: this type does not cross the cffi boundary the way it crossed ctypes'`);
    return undefined;
  }
  return { cname, ret, params };
}

export function declareFunction(pl: ModulePlanner, decl: ForeignDecl, at: Node): boolean {
  const line = cdefLine(pl, decl);
  const prior = pl.plan.functions.get(decl.cname);
  if (prior && cdefLine(pl, prior) !== line) {
    pl.refuse(at, `${decl.cname} is declared twice with different signatures (${cdefLine(pl, prior)} / ${line}); one cdef can hold only one`);
    return false;
  }
  pl.plan.functions.set(decl.cname, decl);
  return true;
}

export function cdefLine(pl: ModulePlanner, d: ForeignDecl): string {
  const params = d.params.length ? d.params.map((p) => declare(p, '')).join(', ') : 'void';
  return `${declare(d.ret, `${d.cname}(${params})`)};`;
}
