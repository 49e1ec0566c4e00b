/**
 * Stage A, structs with fields that the code only makes, tests and hands to C: zeroed bytearrays of the
 * struct's size (laid out as LP64 Linux lays it out).
 */
import type { Node } from 'web-tree-sitter';
import { callParts, stringLiteral, unparen } from '../../syntax';
import { type CType, primSize } from '../../typeNames';
import type { ModulePlanner } from './planner';
import { typeOf } from './types';

/**
 * A Structure with fields whose instances the module only makes (`S()`), tests (`isinstance(x, S)`) and
 * hands to C (`byref(s)`), and whose fields no code reads: its instances become zeroed bytearrays of the
 * struct's size (what C sees through the pointer is the same memory, laid out by C).
 */
export function collectMemoryStructs(pl: ModulePlanner): void {
  for (const st of pl.mod.root.namedChildren) {
    if (st.type !== 'class_definition') continue;
    const sup = st.childForFieldName('superclasses')?.namedChildren ?? [];
    if (sup.length !== 1 || pl.ctypes(sup[0]) !== 'Structure') continue;
    const name = st.childForFieldName('name')!.text;
    if (pl.opaque.has(name)) continue;
    const body = st.childForFieldName('body')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
    let pack: number | undefined;
    let fields: { name: string; type: CType }[] | undefined;
    let ok = true;
    for (const c of body) {
      const a = c.type === 'expression_statement' ? c.namedChildren[0] : undefined;
      if (a?.type === 'string') continue;
      const l = a?.type === 'assignment' ? a.childForFieldName('left')?.text : undefined;
      const r = a?.childForFieldName('right');
      if (l === '_pack_' && r?.type === 'integer') pack = Number(r.text);
      else if (l === '_fields_' && r && (unparen(r).type === 'list' || unparen(r).type === 'tuple')) fields = fieldsOf(pl, unparen(r));
      else ok = false;
    }
    if (!ok || !fields?.length) continue;
    const uses = (pl.nodes.identifiers.get(name) ?? []).filter((n) => n.startIndex !== st.childForFieldName('name')!.startIndex);
    const allowed = uses.every((u) => {
      const p = u.parent!;
      if (p.type === 'call' && p.childForFieldName('function')?.startIndex === u.startIndex) return callParts(p)!.args.length === 0 && !callParts(p)!.keywords.size;
      const c = p.type === 'argument_list' ? callParts(p.parent!) : undefined;
      return c?.callee.text === 'isinstance' && c.args[1]?.startIndex === u.startIndex;
    });
    const fieldRead = fields.find((f) => new RegExp(`\\.${f.name}\\b`).test(pl.mod.text));
    if (!allowed || fieldRead) continue;
    const size = structSize(fields.map((f) => f.type), pack);
    if (size === undefined) continue;
    pl.consumed.push(st);
    pl.plan.notes.push(`${pl.mod.name}.${name} (a ctypes Structure only made, tested with isinstance and passed to C) is now a zeroed bytearray of its ${size} bytes: its field attributes are gone`);
    pl.rewrite(st, () => `class ${name}(bytearray):  # was a ctypes Structure (${fields!.map((f) => f.name).join(', ')}${pack ? `, packed to ${pack}` : ''}): C reads its ${size} bytes\n    def __init__(self):\n        bytearray.__init__(self, ${size})`);
  }
}

function fieldsOf(pl: ModulePlanner, list: Node): { name: string; type: CType }[] | undefined {
  const out: { name: string; type: CType }[] = [];
  for (const item of list.namedChildren) {
    const t = unparen(item);
    if (t.type !== 'tuple' || t.namedChildren.length !== 2) return undefined;
    const name = stringLiteral(t.namedChildren[0]!);
    const te = unparen(t.namedChildren[1]!);
    let type: CType | undefined;
    if (te.type === 'binary_operator' && te.child(1)?.type === '*' && te.childForFieldName('right')?.type === 'integer') {
      const of = typeOf(pl, te.childForFieldName('left')!);
      if (of) type = { k: 'array', of, n: Number(te.childForFieldName('right')!.text) };
    } else type = typeOf(pl, te);
    if (!name || name.bytes || !type) return undefined;
    out.push({ name: name.value, type });
  }
  return out;
}


/** Size and alignment of a C type on LP64 Linux (what ctypes and cffi lay out there). */
function layout(t: CType): { size: number; align: number } | undefined {
  if (t.k === 'prim') {
    const n = primSize(t.c);
    return n ? { size: n, align: n } : undefined;
  }
  if (t.k === 'ptr') return { size: 8, align: 8 };
  if (t.k === 'array') {
    const e = layout(t.of);
    return e ? { size: e.size * t.n, align: e.align } : undefined;
  }
  return undefined;
}

/** A struct's size: each field at the next multiple of its alignment (capped by _pack_), the end rounded up. */
function structSize(fields: CType[], pack?: number): number | undefined {
  let off = 0;
  let maxAlign = 1;
  for (const f of fields) {
    const l = layout(f);
    if (!l) return undefined;
    const a = pack ? Math.min(l.align, pack) : l.align;
    off = Math.ceil(off / a) * a + l.size;
    maxAlign = Math.max(maxAlign, a);
  }
  return Math.ceil(off / maxAlign) * maxAlign;
}
