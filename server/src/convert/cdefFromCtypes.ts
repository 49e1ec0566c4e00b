/**
 * Synthesises the cdef text from what the ctypes code declared: structures and unions (in dependency
 * order, `_pack_` groups as separate cdef calls with `pack=`), function signatures, and `extern` globals.
 */
import type { StructDecl } from './readCtypes';
import type { Rewriter } from './rewrite/rewriter';
import { type CType, declare } from './typeNames';

export interface CdefBlock {
  /** The C declarations, one per line. */
  lines: string[];
  /** `_pack_` of the structs in this block (cffi's `pack=`). */
  pack?: number;
}

export function buildCdef(rw: Rewriter, usedFunctions: Set<string>): CdefBlock[] {
  const blocks: CdefBlock[] = [];
  // lists kept in first-seen order, with a set beside each: one lookup per line, not a scan (thousands of functions)
  const typedefs: string[] = [];
  const typedefSet = new Set<string>();
  const addTypedef = (l: string): void => {
    if (typedefSet.has(l)) return;
    typedefs.push(l);
    typedefSet.add(l);
  };

  // Structs in an order where every by-value member is declared before its user.
  const order: StructDecl[] = [];
  const ordered = new Set<StructDecl>();
  const visiting = new Set<string>();
  const visit = (name: string): void => {
    const s = rw.p.structs.get(name);
    if (!s || !rw.convertedStructs.has(name) || ordered.has(s) || visiting.has(name)) return;
    visiting.add(name);
    for (const f of s.fields!) for (const dep of byValueStructs(f.type!)) visit(dep);
    order.push(s);
    ordered.add(s);
  };
  for (const name of rw.convertedStructs) visit(name);
  for (const s of order) {
    const text = structText(rw, s);
    const last = blocks[blocks.length - 1];
    if (last && last.pack === s.pack) last.lines.push(text);
    else blocks.push({ lines: [text], pack: s.pack });
  }

  const tail: string[] = [];
  const inTail = new Set<string>();
  for (const [key, sig] of rw.signatures) {
    if (!usedFunctions.has(key)) continue;
    for (const t of sig.typedefs) addTypedef(t);
    if (inTail.has(sig.cdef)) continue;
    tail.push(sig.cdef);
    inTail.add(sig.cdef);
  }
  for (const [name, t] of rw.externs) tail.push(`extern ${declare(t, name)};`);
  if (typedefs.length || tail.length) {
    const merged = [...typedefs, ...tail];
    const last = blocks[blocks.length - 1];
    if (last && last.pack === undefined) last.lines.push(...merged);
    else blocks.push({ lines: merged });
  }
  if (typedefs.length && blocks.length > 1) {
    // typedefs must precede the structs that might use them
    const first = blocks[0]!;
    const all = blocks[blocks.length - 1]!;
    all.lines = all.lines.filter((l) => !typedefSet.has(l));
    if (first.pack === undefined) first.lines.unshift(...typedefs);
    else blocks.unshift({ lines: typedefs });
  }
  return blocks;
}

function byValueStructs(t: CType): string[] {
  if (t.k === 'struct') return [t.name];
  if (t.k === 'array') return byValueStructs(t.of);
  return [];
}

function structText(rw: Rewriter, s: StructDecl): string {
  const members = s.fields!.map((f) => {
    if (s.anonymous.includes(f.name) && f.type!.k === 'struct') {
      const inner = rw.p.structs.get(f.type!.name);
      if (inner?.fields) return `${inner.union ? 'union' : 'struct'} { ${inner.fields.map((g) => member(g.type!, g.name, g.bits)).join(' ')} };`;
    }
    return member(f.type!, f.name, f.bits);
  });
  return `${s.union ? 'union' : 'struct'} ${s.name} { ${members.join(' ')} };`;
}

function member(t: CType, name: string, bits?: number): string {
  return `${declare(t, name)}${bits !== undefined ? ` : ${bits}` : ''};`;
}

/** The Python source of the cdef calls: `ffi.cdef("""…""")`, one per block, indented inside the string. */
export function cdefCalls(ffi: string, blocks: CdefBlock[]): string {
  return blocks
    .map((b) => `${ffi}.cdef("""\n${b.lines.map((l) => `    ${l}`).join('\n')}\n"""${b.pack !== undefined ? `, pack=${b.pack}` : ''})`)
    .join('\n');
}
