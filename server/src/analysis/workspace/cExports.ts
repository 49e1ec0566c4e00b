import { CTYPES_EXPORTS } from '../ctypesNames';
import { candidateCuts } from '../../documents/splitPoints';

/**
 * The name-level "C-valued exports" test: which top-level names of a module can hold or produce a C value
 * (a library, foreign function, ctypes type or prototype, ffi), read from the text alone — no parse, no
 * function body interpreted. A module's text is cut into top-level statements (`candidateCuts`: column-0
 * statement starts outside strings and brackets); a statement is C-valued when it mentions (anywhere in it,
 * function bodies, strings and comments included) a ctypes/cffi name of a module that imports them, a
 * C-valued name of its own module, or a C-valued name of a workspace module it imports (`mod.attr` is
 * resolved attribute by attribute); every name it binds is then C-valued. Over-approximate by design:
 * more names than the evaluator will find, never fewer.
 */

/** One top-level statement (a unit) of a module, as its words. */
export interface Unit {
  /** Every identifier in the unit (code, strings and comments). */
  words: Set<string>;
  /** Dotted chains `a.b.c` (two or more parts). */
  chains: string[][];
  /** Words used other than as the root of a dotted chain (import statements left out). */
  bare: Set<string>;
  /** Names it binds at module level (over-approximated: targets anywhere in it, aliases, globals). */
  bound: string[];
  /** Its import statements. */
  imports: UnitImport[];
  /** It can bind names the text does not spell (globals(), setattr, vars, __dict__). */
  dynamic: boolean;
}

export interface UnitImport {
  /** `import a.b` (module) or `from m import x` (from). */
  kind: 'module' | 'from' | 'star';
  level: number;
  module: string;
  /** `from m import name`: the name. */
  name?: string;
  /** The name bound here (undefined for star imports). */
  alias?: string;
}

const WORD = /[A-Za-z_]\w*/g;
const BARE = /(?<!\w)[A-Za-z_]\w*(?!\w|[ \t]*\.)/g;
const CHAIN = /[A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)+/g;
const DEF_OR_CLASS = /^(?:@[^\n]*\n(?:[ \t]*(?:#[^\n]*)?\n|@[^\n]*\n)*)?(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)/;
const GLOBAL = /^[ \t]*global[ \t]+([\w \t,]+)/gm;
const NESTED_DEF = /^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)/gm;
const ASSIGN = /^[ \t]*([\w \t,()[\]*.]+?)[ \t]*(?::[^=\n]*)?=(?![=])/gm;
const FOR_TARGET = /\bfor[ \t]+([\w \t,()]+?)[ \t]+in\b/g;
const AS_NAME = /\bas[ \t]+(\w+)/g;
const WALRUS = /(\w+)[ \t]*:=/g;
const DYNAMIC = /\b(?:globals|setattr|vars|__dict__|__setattr__)\b/;
const IMPORT_STMT = /(?:^|[;:])[ \t]*(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n;#]*)|import[ \t]+([^\n;#]+))/gm;

/** The units of a module's text (or of a parse region's text). */
export function unitsOf(text: string): Unit[] {
  const { cuts } = candidateCuts(text);
  const out: Unit[] = [];
  for (let i = 0; i < cuts.length; i++) {
    const t = text.slice(cuts[i]!, i + 1 < cuts.length ? cuts[i + 1]! : text.length);
    if (t.trim()) out.push(unitOf(t));
  }
  return out;
}

function unitOf(t: string): Unit {
  const words = new Set(t.match(WORD) ?? []);
  const chains: string[][] = [];
  for (const m of t.matchAll(CHAIN)) chains.push(m[0].split(/[ \t]*\.[ \t]*/));
  const bound = new Set<string>();
  const head = DEF_OR_CLASS.exec(t);
  if (head) bound.add(head[1]!);
  else {
    for (const m of t.matchAll(NESTED_DEF)) bound.add(m[1]!);
    for (const m of t.matchAll(ASSIGN)) for (const w of targetNames(m[1]!)) bound.add(w);
    for (const m of t.matchAll(FOR_TARGET)) for (const w of m[1]!.match(WORD) ?? []) bound.add(w);
    for (const m of t.matchAll(AS_NAME)) bound.add(m[1]!);
    for (const m of t.matchAll(WALRUS)) bound.add(m[1]!);
  }
  for (const m of t.matchAll(GLOBAL)) for (const w of m[1]!.match(WORD) ?? []) bound.add(w);
  const imports = importsOf(t);
  for (const i of imports) if (i.alias) bound.add(i.alias);
  const bare = new Set(t.replace(IMPORT_STMT, ' ').match(BARE) ?? []);
  return { words, chains, bare, bound: [...bound], imports, dynamic: DYNAMIC.test(t) };
}

/** Names an assignment target binds: identifiers not after a dot or inside a subscript. */
function targetNames(target: string): string[] {
  const out: string[] = [];
  let depth = 0;
  for (const m of target.matchAll(/[A-Za-z_]\w*|[[\]]/g)) {
    if (m[0] === '[') depth++;
    else if (m[0] === ']') depth = Math.max(0, depth - 1);
    else if (depth === 0 && target[m.index! - 1] !== '.') out.push(m[0]);
  }
  return out;
}

function importsOf(t: string): UnitImport[] {
  const out: UnitImport[] = [];
  for (const m of t.matchAll(IMPORT_STMT)) {
    if (m[4] !== undefined) {
      for (const part of m[4].split(',')) {
        const [mod, as, alias] = part.trim().split(/\s+/);
        if (!mod || !/^[\w.]+$/.test(mod)) continue;
        out.push({ kind: 'module', level: 0, module: mod, alias: as === 'as' && alias ? alias : mod.split('.')[0]! });
      }
    } else {
      const level = m[1]!.length;
      const module = m[2]!;
      for (const part of m[3]!.replace(/[()\\]/g, ' ').split(',')) {
        const [name, as, alias] = part.trim().split(/\s+/);
        if (!name) continue;
        if (name === '*') out.push({ kind: 'star', level, module });
        else if (/^\w+$/.test(name)) out.push({ kind: 'from', level, module, name, alias: as === 'as' && alias ? alias : name });
      }
    }
  }
  return out;
}

/** Names of ctypes and cffi that make a statement C-valued in a module importing them. */
const C_WORDS = new Set([
  ...CTYPES_EXPORTS, 'ctypes', 'cffi', '_cffi_backend', 'FFI', 'ffi', 'argtypes', 'restype', 'errcheck', '_fields_',
  'cdef', 'dlopen', 'set_source', 'find_library', 'LoadLibrary', 'wintypes',
]);

const C_PACKAGE = /^(?:ctypes|cffi|_cffi_backend)(?:\.|$)/;

/** A module's C-valued exports. */
export interface CExports {
  names: Set<string>;
  /** Any name may be C-valued (a C-valued statement binds names dynamically, or a C package). */
  all: boolean;
  /** Some statement mentions a C value (a file for which this and the per-file pre-filter are false has no finding). */
  observes: boolean;
}

export const NO_C: CExports = Object.freeze({ names: new Set<string>(), all: false, observes: false }) as CExports;

/** What the analysis asks of the workspace. */
export interface CExportsContext {
  hasModule(name: string): boolean;
  exportsOf(module: string): CExports;
  /** Absolute name of a (possibly relative) import written in `module`. */
  absolute(module: string, level: number, name: string): string | undefined;
}

function nonEmpty(c: CExports): boolean {
  return c.all || c.names.size > 0;
}

/**
 * A module's C-valued exports given those of the modules it imports (a fixpoint over its statements).
 * `importsC`: its text imports ctypes/cffi (only then are ctypes/cffi words C values).
 */
export function analyzeExports(module: string, units: readonly Unit[], importsC: boolean, ctx: CExportsContext): CExports {
  if (C_PACKAGE.test(module)) return { names: new Set(), all: true, observes: true };
  const moduleAliases = new Map<string, string[]>();
  const stars: string[] = [];
  const local = new Set<string>();
  const exported = new Set<string>();
  const addAlias = (alias: string, target: string) => {
    const list = moduleAliases.get(alias);
    if (list) list.push(target);
    else moduleAliases.set(alias, [target]);
  };
  for (const u of units) for (const i of u.imports) {
    const base = ctx.absolute(i.module, i.level, module);
    if (base === undefined) continue;
    if (i.kind === 'star') {
      if (C_PACKAGE.test(base)) continue; // `from ctypes import *`: its names are C words
      if (ctx.hasModule(base)) stars.push(base);
      continue;
    }
    if (i.kind === 'module') {
      const root = i.alias === i.module.split('.')[0] ? i.alias : undefined;
      const target = root ? root : base;
      if (C_PACKAGE.test(base)) {
        if (importsC) local.add(i.alias!);
      } else if (ctx.hasModule(target)) addAlias(i.alias!, target);
      continue;
    }
    const full = base ? `${base}.${i.name}` : i.name!;
    if (C_PACKAGE.test(full) || C_PACKAGE.test(base)) {
      if (importsC) local.add(i.alias!);
      continue;
    }
    if (ctx.hasModule(full)) addAlias(i.alias!, full);
    if (ctx.hasModule(base)) {
      const c = ctx.exportsOf(base);
      if (c.all || c.names.has(i.name!)) local.add(i.alias!);
    }
  }
  const resolve = (mod: string, attrs: string[], at: number): boolean => {
    const c = ctx.exportsOf(mod);
    if (at >= attrs.length) return nonEmpty(c);
    const a = attrs[at]!;
    if (c.all || c.names.has(a)) return true;
    const sub = `${mod}.${a}`;
    return ctx.hasModule(sub) ? resolve(sub, attrs, at + 1) : false;
  };
  const starC = stars.map((s) => ctx.exportsOf(s));
  const aliasC = new Map<string, boolean>();
  for (const [alias, targets] of moduleAliases) aliasC.set(alias, targets.some((t) => nonEmpty(ctx.exportsOf(t))));
  let all = false;
  let observes = false;
  const done = new Array<boolean>(units.length).fill(false);
  const isC = (u: Unit): boolean => {
    for (const w of u.words) {
      if (local.has(w) || (importsC && C_WORDS.has(w))) return true;
      if (aliasC.get(w)) {
        // a module alias: `alias.attr` counts when attr is C-valued there; a bare mention when anything is
        if (u.bare.has(w)) return true;
        for (const ch of u.chains) if (ch[0] === w && moduleAliases.get(w)!.some((t) => resolve(t, ch, 1))) return true;
      }
      for (const s of starC) if (s.all || s.names.has(w)) return true;
    }
    return false;
  };
  for (let changed = true; changed;) {
    changed = false;
    units.forEach((u, i) => {
      if (done[i] || !isC(u)) return;
      done[i] = true;
      changed = true;
      observes = true;
      for (const b of u.bound) local.add(b);
      if (u.dynamic) all = true;
    });
  }
  for (const n of local) exported.add(n);
  for (const [alias, c] of aliasC) if (c) exported.add(alias);
  for (const s of starC) {
    if (s.all) all = true;
    for (const n of s.names) exported.add(n);
  }
  return { names: exported, all, observes };
}
