/**
 * C prototypes from the library's installed headers (or the built-in table) as the converter's types, for
 * functions the code calls without argtypes. Only what crosses a cffi call the way it crossed ctypes' is
 * accepted: integers and floats by value, pointers (a pointer to a type cffi is not told about is declared
 * `void *`: the same address in the same register). Anything else is a reason, said once at the use.
 */
import { cTypedefs } from '../../data/cPrototypes';
import type { CPrototypeInfo } from '../../analysis/model';
import { type PrototypeLookup, prototypesFor } from '../../analysis/prototypes';
import { findDeclarations } from '../../analysis/headers/cHeaders';
import type { CType } from '../typeNames';
import type { ForeignDecl } from './plan/planner';

/** C spelling (canonical word order) → ctypes name; integer typedefs of stdint/stddef are primitives too. */
const C_PRIMS: Record<string, string> = {
  _Bool: 'c_bool', bool: 'c_bool', char: 'c_char', 'signed char': 'c_byte', 'unsigned char': 'c_ubyte',
  short: 'c_short', 'unsigned short': 'c_ushort', int: 'c_int', 'unsigned int': 'c_uint', long: 'c_long',
  'unsigned long': 'c_ulong', 'long long': 'c_longlong', 'unsigned long long': 'c_ulonglong', float: 'c_float', double: 'c_double',
  int8_t: 'c_int8', int16_t: 'c_int16', int32_t: 'c_int32', int64_t: 'c_int64', uint8_t: 'c_uint8', uint16_t: 'c_uint16',
  uint32_t: 'c_uint32', uint64_t: 'c_uint64', size_t: 'c_size_t', ssize_t: 'c_ssize_t', wchar_t: 'c_wchar',
  intptr_t: 'c_ssize_t', uintptr_t: 'c_size_t', ptrdiff_t: 'c_ssize_t',
};
const C_NAMES: Record<string, string> = { c_bool: '_Bool', c_char: 'char', c_ssize_t: 'ssize_t' };

/** `unsigned long int` → `unsigned long`, `long unsigned` → `unsigned long`, `signed` → `int`. */
function canonical(words: string[]): string | undefined {
  const known = new Set(['signed', 'unsigned', 'short', 'long', 'int', 'char', 'float', 'double']);
  if (!words.every((w) => known.has(w))) return words.length === 1 ? words[0] : undefined;
  const longs = words.filter((w) => w === 'long').length;
  const unsigned = words.includes('unsigned');
  if (words.includes('char')) return words.includes('signed') ? 'signed char' : unsigned ? 'unsigned char' : 'char';
  if (words.includes('double')) return longs ? 'long double' : 'double';
  if (words.includes('float')) return 'float';
  const base = words.includes('short') ? 'short' : longs >= 2 ? 'long long' : longs === 1 ? 'long' : 'int';
  return unsigned ? `unsigned ${base}` : base;
}

export interface HeaderTypes {
  /** The converter's type for a C type spelled in a header, or why it cannot be declared. */
  type(c: string): CType | string;
}

/** Reads C type spellings, resolving the library's typedefs (header, then the built-in table), cached. */
export function headerTypes(stem: string | undefined, lookup: PrototypeLookup | undefined): HeaderTypes {
  const typedefs = new Map<string, string | undefined>();
  const typedefOf = (name: string): string | undefined => {
    if (typedefs.has(name)) return typedefs.get(name);
    let def: string | undefined;
    const h = stem && lookup && lookup.headers !== false ? findDeclarations(stem, [name], lookup.headers).get(name) : undefined;
    if (h?.kind === 'typedef' && !/[({]/.test(h.text)) def = h.text.replace(/^typedef\s+/, '').replace(new RegExp(`\\b${name}\\s*;$`), '').trim();
    def ??= cTypedefs().get(name);
    if (def && /[{(\[]/.test(def)) def = undefined;
    typedefs.set(name, def);
    return def;
  };
  const read = (c: string, depth: number): CType | string => {
    let t = c.replace(/\b(const|volatile|restrict|__restrict|__restrict__|register)\b/g, ' ').replace(/\s+/g, ' ').trim();
    let stars = 0;
    while (t.endsWith('*')) {
      stars++;
      t = t.slice(0, -1).trim();
    }
    // a pointer to a function, `R (*)(A…)`: ctypes without argtypes passed a callback by its address, as `void *` does
    if (!stars && depth === 0 && /^[^()]*\(\s*\*\s*\w*\s*\)\s*\([^()]*\)$/.test(t)) return { k: 'ptr', to: { k: 'void' } };
    if (/[\[\]()]/.test(t)) return `${c} (an array or function type)`;
    const words = t.split(' ').filter(Boolean);
    let base: CType | string;
    if (words[0] === 'struct' || words[0] === 'union' || words[0] === 'enum') {
      base = words[0] === 'enum' ? { k: 'prim', ctypes: 'c_int', c: 'int' } : `${t} passed by value`;
    } else if (t === 'void') base = { k: 'void' };
    else {
      const name = canonical(words);
      const ct = name ? C_PRIMS[name] : undefined;
      if (ct) base = { k: 'prim', ctypes: ct, c: C_NAMES[ct] ?? name! };
      else if (name === 'long double') base = 'long double (cffi and ctypes pass it differently)';
      else {
        const def = name && depth < 6 ? typedefOf(name) : undefined;
        base = def ? read(def, depth + 1) : `${t} (a type the headers do not define as a number or pointer)`;
      }
    }
    if (!stars) return base;
    // a pointer to something cffi is not told about: the same address as `void *`
    let out: CType = typeof base === 'string' || base.k === 'struct' ? { k: 'void' } : base;
    if (out.k === 'ptr' || (out.k === 'prim' && out.c.endsWith('*'))) out = { k: 'void' };
    for (let i = 0; i < stars; i++) out = { k: 'ptr', to: out };
    return out;
  };
  return { type: (c) => read(c, 0) };
}

/**
 * The declarations of functions called without argtypes: the header's (else the table's) prototype, with
 * the reason when there is none or it cannot be declared.
 */
export function untypedDeclarations(stem: string | undefined, names: readonly string[], lookup: PrototypeLookup | undefined): Map<string, ForeignDecl | string> {
  const protos = prototypesFor(stem, names, lookup);
  const types = headerTypes(stem, lookup);
  const out = new Map<string, ForeignDecl | string>();
  const lib = stem ? `lib${stem.replace(/^lib/, '')}` : 'the library';
  for (const name of names) {
    const p = protos.get(name);
    if (!p) {
      out.set(name, `${name} has no argtypes and no C prototype was found in ${lib}'s installed headers or the built-in table: install ${lib}'s development headers (a -dev package), name them in pypyBindings.c.libraryHeaders, or declare ${name}.argtypes and restype`);
      continue;
    }
    out.set(name, declFromPrototype(p, types));
  }
  return out;
}

function declFromPrototype(p: CPrototypeInfo, types: HeaderTypes): ForeignDecl | string {
  const where = p.source.kind === 'header' ? `${p.source.path}:${p.source.line}` : p.source.header;
  if (p.variadic) return `${p.name} is variadic (${where}): cffi needs each extra argument's C type, which ctypes guessed at every call; declare it or convert it by hand`;
  const ret = /[()]/.test(p.returns) ? `${p.returns} (a function type)` : types.type(p.returns);
  if (typeof ret === 'string') return `${p.name} returns ${ret} (${where}): not converted`;
  const params: CType[] = [];
  for (const [i, s] of p.params.entries()) {
    const t = types.type(s);
    if (typeof t === 'string') return `parameter ${i + 1} of ${p.name} is ${t} (${where}): not converted`;
    if (t.k === 'void') return `parameter ${i + 1} of ${p.name} is void (${where}): not converted`;
    params.push(t);
  }
  return { cname: p.name, ret, params, untyped: { where } };
}
