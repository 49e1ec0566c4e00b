/**
 * Stage A, types: what C type a ctypes type expression denotes (primitives, `POINTER(T)`, aliases, callback
 * types, opaque structs, names imported from another module), and the module's opaque structs, `CFUNCTYPE` types
 * and type aliases.
 */
import type { Node } from 'web-tree-sitter';
import { callParts, unparen } from '../../syntax';
import { type CType, declare, prim, typeString } from '../../typeNames';
import { pyString } from './syntax';
import type { ModulePlanner } from './planner';

export interface Prototype {
  name: string;
  type: CType;
  statement: Node;
}

/** The C type a ctypes type expression denotes, or undefined. Aliases and prototypes resolve. */
export function typeOf(pl: ModulePlanner, n: Node, forRestype = false): CType | undefined {
  n = unparen(n);
  if (n.type === 'none') return forRestype ? { k: 'void' } : undefined;
  const m = pl.ctypes(n);
  if (m && prim(m)) return prim(m);
  if (n.type === 'identifier') {
    const alias = pl.aliases.get(n.text);
    if (alias) return alias.type;
    const proto = pl.prototypes.get(n.text);
    if (proto) return proto.type;
    if (pl.opaque.has(n.text)) return undefined;
    const imported = pl.b.fromImports.get(n.text);
    if (imported) {
      const from = pl.project.planner(imported[0]);
      return from && exportedType(from, imported[1]);
    }
    return undefined;
  }
  if (n.type === 'call') {
    const parts = callParts(n);
    if (!parts || pl.ctypes(parts.callee) !== 'POINTER' || parts.args.length !== 1) return undefined;
    const inner = unparen(parts.args[0]!);
    if (inner.type === 'identifier' && pl.opaque.has(inner.text)) return { k: 'ptr', to: { k: 'struct', name: inner.text, union: false } };
    const to = typeOf(pl, inner);
    return to ? { k: 'ptr', to } : undefined;
  }
  return undefined;
}

function exportedType(pl: ModulePlanner, name: string): CType | undefined {
  return pl.aliases.get(name)?.type ?? pl.prototypes.get(name)?.type;
}

/** The C function type of `CFUNCTYPE(restype, *argtypes)`'s arguments, or undefined when one has no cffi equivalent here. */
export function callbackSignature(pl: ModulePlanner, types: readonly Node[], proto: string): CType | undefined {
  const [r, ...args] = types;
  const ret = r ? typeOf(pl, r, true) : undefined;
  const argTypes = args.map((x) => typeOf(pl, x));
  if (!ret || argTypes.some((t) => !t)) return undefined;
  return { k: 'func', proto, ret, args: argTypes as CType[] };
}

/** Rewrites a type expression to its C string and marks it consumed. */
export function consumeType(pl: ModulePlanner, n: Node, t: CType): void {
  pl.consumed.push(n);
  pl.rewrite(n, () => pyString(t.k === 'func' ? declare(t, '') : typeString(t)));
}

/** Opaque structs (`class S(Structure): pass`, `S._fields_ = []`), callback types (`CFUNCTYPE`) and type aliases, from the module's top-level statements. */
export function collectTypes(pl: ModulePlanner): void {
  const top = pl.mod.root.namedChildren;
  // opaque structs: `class S(Structure): pass` (+ `S._fields_ = []`), used only through POINTER(S)
  for (const st of top) {
    if (st.type !== 'class_definition') continue;
    const sup = st.childForFieldName('superclasses')?.namedChildren ?? [];
    const body = st.childForFieldName('body')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
    if (sup.length === 1 && pl.ctypes(sup[0]) === 'Structure' && body.every((c) => c.type === 'pass_statement' || (c.type === 'expression_statement' && c.namedChildren[0]?.type === 'string'))) {
      pl.opaque.set(st.childForFieldName('name')!.text, [st]);
    }
  }
  for (const st of top) {
    const a = st.type === 'expression_statement' ? st.namedChildren[0] : undefined;
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!left || !right) continue;
    // S._fields_ = [] for an opaque struct
    if (left.type === 'attribute' && left.childForFieldName('attribute')?.text === '_fields_') {
      const owner = left.childForFieldName('object')?.text ?? '';
      if (pl.opaque.has(owner) && unparen(right).type === 'list' && unparen(right).namedChildren.length === 0) pl.opaque.get(owner)!.push(st);
      else pl.opaque.delete(owner);
      continue;
    }
    if (left.type !== 'identifier') continue;
    // CB = CFUNCTYPE(restype, *argtypes)
    const parts = callParts(right);
    if (parts && pl.ctypes(parts.callee) === 'CFUNCTYPE' && !parts.keywords.size && !parts.splat) {
      const type = callbackSignature(pl, parts.args, left.text);
      if (!type) {
        pl.refuse(right, 'a callback type whose argument or result types have no cffi equivalent here');
        continue;
      }
      pl.prototypes.set(left.text, { name: left.text, type, statement: st });
      pl.plan.helpers.add('callback');
      pl.rewrite(right, () => `_callback_type(${pyString(declare(type, ''))})`);
      pl.plan.converted.callbacks++;
      continue;
    }
    // type aliases: `c_archive_p = c_void_p`, `magic_t = POINTER(magic_set)`
    const t = typeOf(pl, right);
    if (t && (t.k === 'prim' || t.k === 'ptr')) pl.aliases.set(left.text, { node: left, type: t, statement: st });
  }
}
