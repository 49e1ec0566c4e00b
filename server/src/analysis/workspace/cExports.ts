import { CTYPES_LOADER_INSTANCES, CTYPES_LOADERS, CTYPES_PRIMITIVES, CTYPES_PROTOTYPE_FACTORIES, CTYPES_STRUCT_BASES } from '../ctypesNames';
import { candidateCuts, scan } from '../../documents/splitPoints';

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
export interface Unit extends Mentions {
  /** Offset (in the text given to unitsOf) of the top-level statement it belongs to. */
  at: number;
  /** Every identifier in the unit (code, strings and comments). */
  words: Set<string>;
  /** Dotted chains `a.b.c` (two or more parts), by their root. */
  chains: Map<string, string[][]>;
  /** Words used other than as the root of a dotted chain (import statements left out). */
  bare: Set<string>;
  /** Words it binds anywhere (parameters, assignments, loop and `as` targets): a bare mention of one is local. */
  shadow: Set<string>;
  /** Names it binds at module level (over-approximated: targets anywhere in it, aliases, globals). */
  bound: string[];
  /** Its import statements. */
  imports: UnitImport[];
  /** It can bind names the text does not spell (globals(), setattr, vars, __dict__). */
  dynamic: boolean;
  /** A top-level import statement (a star import is always evaluated: it binds what others mention). */
  isImport: boolean;
  /** A def's or class's header: what makes it C-valued as a type (bases) besides libraries and declarations in its body. */
  head?: Mentions;
  /** A function's source (a def, not a class): read when it meets a library, to see whether one can leave it (`defLeaks`). */
  defSource?: string;
  /** The last `defLeaks` run on `defSource`, with what it asked (`leaksOf`); carried to an equal unit after an edit (`carryLeaks`). */
  leaks?: LeakMemo;
}

/**
 * One run of `defLeaks` on a unit's source: its answer, and each question it asked of `libValued` (by the mentions
 * object, with the answer). `defLeaks` reads nothing else, and which questions it asks follows from the source and
 * the answers so far: when every question asked gets the same answer now, a run now asks the same ones and gives
 * the same result.
 */
interface LeakMemo {
  seedsAreC: boolean;
  asked: Map<Mentions, boolean>;
  result: boolean;
}

/** Whether a library can leave the unit's def (`defLeaks`): the last run's answer when each of its questions is answered as then. */
function leaksOf(u: Unit, libValued: (m: Mentions) => boolean, seedsAreC: boolean): boolean {
  const memo = u.leaks;
  if (memo && memo.seedsAreC === seedsAreC) {
    let same = true;
    for (const [m, answer] of memo.asked) if (libValued(m) !== answer) {
      same = false;
      break;
    }
    if (same) return memo.result;
  }
  const asked = new Map<Mentions, boolean>();
  const result = defLeaks(u.defSource!, (m) => {
    let answer = asked.get(m);
    if (answer === undefined) asked.set(m, (answer = libValued(m)));
    return answer;
  }, seedsAreC);
  u.leaks = { seedsAreC, asked, result };
  return result;
}

/**
 * After an edit, the units made again from the edited text (in `after`, not in `before`) take the `defLeaks` runs of
 * the old units with the same def source: a keystroke in one def of a long region re-reads that def alone.
 */
export function carryLeaks(before: readonly Unit[], after: readonly Unit[]): void {
  let bySource: Map<string, LeakMemo> | undefined;
  for (const u of after) {
    if (u.defSource === undefined || u.leaks) continue;
    if (!bySource) {
      const kept = new Set(after);
      bySource = new Map();
      for (const b of before) if (b.leaks && b.defSource !== undefined && !kept.has(b)) bySource.set(b.defSource, b.leaks);
    }
    const memo = bySource.get(u.defSource);
    if (memo) u.leaks = memo;
  }
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
const BARE = /(?<![\w.])[A-Za-z_]\w*(?!\w|[ \t]*\.)/g;
const CHAIN = /[A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)+/g;
const DEF_OR_CLASS = /^(?:@[^\n]*\n(?:[ \t]*(?:#[^\n]*)?\n|@[^\n]*\n)*)?(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)/;
const GLOBAL = /^[ \t]*global[ \t]+([\w \t,]+)/gm;
const NESTED_DEF = /^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)/gm;
// the lookahead (the first `=` of the line) is implied by a match; it makes lines without one fail at once (5× faster)
const ASSIGN = /^(?=[^\n=]*=)[ \t]*([\w \t,()[\]*.]+?)[ \t]*(?::[^=\n]*)?=(?![=])/gm;
const CHAINED = /^[ \t]*([\w \t,()[\]*.]+?)[ \t]*=(?![=])/;
const FOR_TARGET = /\bfor[ \t]+([\w \t,()]+?)[ \t]+in\b/g;
const AS_NAME = /\bas[ \t]+(\w+)/g;
const PARAMS = /\b(?:def[ \t]+\w+[ \t]*\(([^)]*)\)|lambda([^:\n]*):)/g;
const WALRUS = /(\w+)[ \t]*:=/g;
const DYNAMIC = /\b(?:globals|setattr|vars|__dict__|__setattr__)\b/;
const IMPORT_STMT = /(?:^|[;:])[ \t]*(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n;#]*)|import[ \t]+([^\n;#]+))/gm;

/** The units of a module's text (or of a parse region's text); `split` may read a statement from pieces (`unitOfPieces`). */
export function unitsOf(text: string, depth = 0, at?: number, cuts = candidateCuts(text).cuts, split?: (start: number, t: string) => Unit | undefined): Unit[] {
  const out: Unit[] = [];
  for (let i = 0; i < cuts.length; i++) {
    const t = text.slice(cuts[i]!, i + 1 < cuts.length ? cuts[i + 1]! : text.length);
    if (!t.trim()) continue;
    const start = at ?? cuts[i]!;
    const whole = split?.(start, t);
    if (whole) {
      out.push(whole);
      continue;
    }
    const parts = depth < 8 ? compoundParts(t) : undefined;
    if (parts) for (const p of parts) out.push(...(p.body ? unitsOf(p.text, depth + 1, start) : [unitOf(p.text, start)]));
    else out.push(unitOf(t, start));
  }
  return out;
}

const COMPOUND = /^(?:if|try|with|while|async[ \t]+with)\b/;

/**
 * A top-level if/try/with/while cut into its headers and the statements of its blocks: no value flows from
 * a condition into the names a block binds (`with … as` and `except … as` bind in their header), so each
 * statement of a block is a unit of its own (dedented), and a platform branch binds only what it writes.
 */
function compoundParts(t: string): { text: string; body: boolean }[] | undefined {
  if (!COMPOUND.test(t)) return undefined;
  const starts: number[] = [];
  scan(t, (o) => starts.push(o));
  const code = (o: number) => {
    const c = t.charCodeAt(o);
    return !Number.isNaN(c) && c !== 10 && c !== 13 && c !== 35;
  };
  const col0 = (o: number) => code(o) && t.charCodeAt(o) !== 32 && t.charCodeAt(o) !== 9;
  const indented = (o: number) => {
    const m = /^[ \t]+/.exec(t.slice(o, o + 200));
    return m !== null && code(o + m[0].length);
  };
  const parts: { text: string; body: boolean }[] = [];
  let i = 0;
  while (i < starts.length) {
    const h = starts[i]!;
    let j = i + 1;
    while (j < starts.length && !indented(starts[j]!) && !col0(starts[j]!)) j++;
    if (j >= starts.length || col0(starts[j]!)) {
      // a one-line compound (`if x: y = 1`) or a header without a block: one unit
      const end = j < starts.length ? starts[j]! : t.length;
      parts.push({ text: t.slice(h, end), body: false });
      i = j;
      continue;
    }
    const bodyStart = starts[j]!;
    let k = j + 1;
    while (k < starts.length && !col0(starts[k]!)) k++;
    const bodyEnd = k < starts.length ? starts[k]! : t.length;
    parts.push({ text: t.slice(h, bodyStart), body: false });
    const ind = /^[ \t]+/.exec(t.slice(bodyStart, bodyStart + 200))![0];
    const body = t.slice(bodyStart, bodyEnd).split('\n').map((l) => (l.startsWith(ind) ? l.slice(ind.length) : l)).join('\n');
    parts.push({ text: body, body: true });
    i = k;
  }
  return parts;
}

/** Comments and the contents of plain string literals (f-strings keep theirs: they hold code). */
const NOT_CODE = /#[^\n]*|([rRbBuUfF]{0,2})("""|'''|"|')((?:\\[^]|(?!\2)[^\\])*?)\2/g;

function codeOf(t: string): string {
  return t.replace(NOT_CODE, (_m, prefix: string | undefined, q: string | undefined, body: string | undefined) => {
    if (q === undefined) return ' ';
    return /[fF]/.test(prefix ?? '') ? `${q}${body}${q}` : `${prefix}${q}${q}`;
  });
}

/** The words of some code, its dotted chains by root, and the words used other than as a chain's root. */
interface Mentions {
  words: Set<string>;
  chains: Map<string, string[][]>;
  bare: Set<string>;
}

function mentionsOf(t: string): Mentions {
  return new TextMentions(t);
}

/** Mentions read off a text, the chains and bare words only when asked (most questions end at the words). */
class TextMentions implements Mentions {
  readonly words: Set<string>;
  private chainsMemo?: Map<string, string[][]>;
  private bareMemo?: Set<string>;
  constructor(private readonly t: string, words?: Set<string>) {
    this.words = words ?? new Set(t.match(WORD) ?? []);
  }

  get chains(): Map<string, string[][]> {
    if (this.chainsMemo) return this.chainsMemo;
    const chains = new Map<string, string[][]>();
    const seenChains = new Set<string>();
    for (const m of this.t.matchAll(CHAIN)) {
      if (seenChains.has(m[0])) continue;
      seenChains.add(m[0]);
      const parts = m[0].split(/[ \t]*\.[ \t]*/);
      const list = chains.get(parts[0]!);
      if (list) list.push(parts);
      else chains.set(parts[0]!, [parts]);
    }
    return (this.chainsMemo = chains);
  }

  get bare(): Set<string> {
    const t = this.t;
    return (this.bareMemo ??= new Set((t.includes('import') ? t.replace(IMPORT_STMT, ' ') : t).match(BARE) ?? []));
  }
}

/** A def's or class's header (decorators, name, parameters and their defaults, bases), up to its colon. */
function headerOf(t: string): string {
  let depth = 0;
  const start = /(?:async[ \t]+)?(?:def|class)\b/.exec(t)?.index ?? 0;
  for (let i = start; i < t.length; i++) {
    const c = t[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === ':' && depth === 0) return t.slice(0, i);
  }
  return t;
}

function unitOf(text: string, at: number): Unit {
  const t = codeOf(text);
  const mentions = mentionsOf(t);
  const words = mentions.words;
  const bound = new Set<string>();
  const shadow = new Set<string>();
  // each scan below needs a literal word of its pattern: a text without it is not scanned
  const hasDef = t.includes('def');
  if (hasDef || t.includes('class')) for (const m of t.matchAll(NESTED_DEF)) shadow.add(m[1]!);
  if (t.includes('=')) for (const m of t.matchAll(ASSIGN)) {
    for (const w of targetNames(m[1]!)) shadow.add(w);
    // chained: `a = b = value`
    let rest = t.slice(m.index! + m[0].length);
    for (let c = CHAINED.exec(rest); c; c = CHAINED.exec(rest)) {
      for (const w of targetNames(c[1]!)) shadow.add(w);
      rest = rest.slice(c[0].length);
    }
  }
  if (t.includes('for')) for (const m of t.matchAll(FOR_TARGET)) for (const w of m[1]!.match(WORD) ?? []) shadow.add(w);
  if (t.includes('as')) for (const m of t.matchAll(AS_NAME)) shadow.add(m[1]!);
  if (t.includes(':=')) for (const m of t.matchAll(WALRUS)) shadow.add(m[1]!);
  const head = DEF_OR_CLASS.exec(t);
  if (head) bound.add(head[1]!);
  else for (const w of shadow) bound.add(w);
  if (hasDef || t.includes('lambda')) for (const m of t.matchAll(PARAMS)) for (const p of (m[1] ?? m[2] ?? "").split(',')) {
    const name = /^[ \t*]*([A-Za-z_]\w*)/.exec(p)?.[1];
    if (name) shadow.add(name);
  }
  if (t.includes('global')) for (const m of t.matchAll(GLOBAL)) for (const w of m[1]!.match(WORD) ?? []) bound.add(w);
  const imports = t.includes('import') ? importsOf(t) : [];
  // imports inside a def or class bind its locals, not module names
  if (!head) for (const i of imports) if (i.alias) bound.add(i.alias);
  return {
    // the chains and bare words only when a question reaches them (a word of the unit is a module alias)
    at, words, get chains() { return mentions.chains; }, get bare() { return mentions.bare; }, shadow, bound: [...bound], imports, dynamic: DYNAMIC.test(t), isImport: /^(?:import|from)\b/.test(t),
    head: head ? mentionsOf(headerOf(t)) : undefined,
    defSource: head && /\bdef[ \t]+\w+$/.test(head[0]) ? text : undefined,
  };
}

/**
 * What `unitOf` reads of one piece of a long class statement (the text of one method, with the blank lines and
 * class-level lines before the next): each of its scans matches within one line (or one statement), so the
 * class's unit is these pieces' reads joined in order, once the pieces start where no string or comment is open.
 */
export interface UnitPart {
  code: string;
  words: Set<string>;
  shadow: string[];
  globals: string[];
  imports: UnitImport[];
  dynamic: boolean;
  /** It holds an f-string (its replacement fields are code, with quotes of their own since Python 3.12): not read apart. */
  fString: boolean;
}

function partOf(text: string): UnitPart {
  const t = codeOf(text);
  const shadow: string[] = [];
  const hasDef = t.includes('def');
  if (hasDef || t.includes('class')) for (const m of t.matchAll(NESTED_DEF)) shadow.push(m[1]!);
  if (t.includes('=')) for (const m of t.matchAll(ASSIGN)) {
    shadow.push(...targetNames(m[1]!));
    let rest = t.slice(m.index! + m[0].length);
    for (let c = CHAINED.exec(rest); c; c = CHAINED.exec(rest)) {
      shadow.push(...targetNames(c[1]!));
      rest = rest.slice(c[0].length);
    }
  }
  if (t.includes('for')) for (const m of t.matchAll(FOR_TARGET)) shadow.push(...(m[1]!.match(WORD) ?? []));
  if (t.includes('as')) for (const m of t.matchAll(AS_NAME)) shadow.push(m[1]!);
  if (t.includes(':=')) for (const m of t.matchAll(WALRUS)) shadow.push(m[1]!);
  if (hasDef || t.includes('lambda')) for (const m of t.matchAll(PARAMS)) for (const p of (m[1] ?? m[2] ?? '').split(',')) {
    const name = /^[ \t*]*([A-Za-z_]\w*)/.exec(p)?.[1];
    if (name) shadow.push(name);
  }
  const globals: string[] = [];
  if (t.includes('global')) for (const m of t.matchAll(GLOBAL)) globals.push(...(m[1]!.match(WORD) ?? []));
  return { code: t, words: new Set(t.match(WORD) ?? []), shadow, globals, imports: t.includes('import') ? importsOf(t) : [], dynamic: DYNAMIC.test(t), fString: F_STRING.test(text) };
}

/** A string prefix with an f: its replacement fields hold code (and, since Python 3.12, quotes of its own), which the piecewise reading does not follow. */
const F_STRING = /(?<![\w])(?:[fF][rR]?|[rR][fF])["']/;

/**
 * The unit of a class statement given as pieces (`pieces.join('')` is its text; each piece but the first starts a
 * line of the class body where the parse has a def, outside any string), each piece's reads taken from `memo` by
 * its text when it has them (`next` gets every piece read): equal to `unitOf(pieces.join(''), at)` — the
 * test in cExports.test.ts holds it so on every class of the stdlib — or undefined where the pieces cannot be read
 * apart (an f-string: its fields are code) or the statement is not a class.
 */
export function unitOfPieces(pieces: readonly string[], at: number, memo: ReadonlyMap<string, UnitPart> | undefined, next: Map<string, UnitPart>): Unit | undefined {
  const parts: UnitPart[] = [];
  for (const p of pieces) {
    const part = next.get(p) ?? memo?.get(p) ?? partOf(p);
    if (part.fString) return undefined;
    next.set(p, part);
    parts.push(part);
  }
  const first = parts[0]!.code;
  const head = DEF_OR_CLASS.exec(first);
  if (!head || !/\bclass[ \t]+\w+$/.test(head[0])) return undefined;
  const header = headerOf(first);
  if (header === first && pieces.length > 1) return undefined; // the header did not end in the first piece
  const words = new Set<string>();
  const shadow = new Set<string>();
  const bound = new Set<string>([head[1]!]);
  const imports: UnitImport[] = [];
  let dynamic = false;
  for (const part of parts) {
    for (const w of part.words) words.add(w);
    for (const w of part.shadow) shadow.add(w);
    for (const w of part.globals) bound.add(w);
    imports.push(...part.imports);
    dynamic ||= part.dynamic;
  }
  let mentions: TextMentions | undefined;
  const whole = () => (mentions ??= new TextMentions(parts.map((p) => p.code).join(''), words));
  return {
    at, words, get chains() { return whole().chains; }, get bare() { return whole().bare; }, shadow, bound: [...bound], imports, dynamic, isImport: false,
    head: mentionsOf(header), defSource: undefined,
  };
}

/** Words after which a `(` groups (or starts a tuple) instead of calling. */
const NOT_CALLEE = /^(?:if|elif|while|for|in|is|not|and|or|return|yield|with|assert|del|raise|except|lambda|await|else|from|import|print|exec|case|match)$/;
const CALLEE_BEFORE = /([A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*)[ \t]*$/;
const ESCAPES = /\b(?:return|yield|raise|lambda|await|global|nonlocal|exec|eval)\b/;
const NESTED_HEAD = /^[ \t]*(?:@|(?:async[ \t]+)?(?:def|class)[ \t]+(\w+))/;

/**
 * Whether a library (or a value holding one) can leave a function that meets one: through a return, yield or
 * raise, a store into an attribute or item, a global, a call handing it to code that is not the library's own
 * (`lst.append(lib)`, `Wrapper(lib)`; `lib.f(h)` keeps it), a closure or a dynamic binding. Inside the body a
 * name assigned from a library-valued expression is library-valued too (a fixpoint over its statements).
 * `libValued` says whether some code mentions a library-valued name of the module or its imports. A function
 * that meets a library and leaks none (test.support's `_is_gui_available`: a local `cdll.LoadLibrary`, a
 * string returned) gives its callers nothing the link step reads, so its name is not library-valued.
 * Over-approximate: any doubt is a leak.
 */
export function defLeaks(source: string, libValued: (m: Mentions) => boolean, seedsAreC = true): boolean {
  const code = codeOf(source);
  if (DYNAMIC.test(code)) return true;
  const starts: number[] = [];
  scan(code, (o) => starts.push(o));
  const stmts: { text: string; m: Mentions; indent: number; nested?: string; targets?: string[] }[] = [];
  for (let i = 0; i < starts.length; i++) {
    const text = code.slice(starts[i]!, i + 1 < starts.length ? starts[i + 1]! : code.length);
    if (!text.trim()) continue;
    const nested = NESTED_HEAD.exec(text);
    stmts.push({ text, m: mentionsOf(text), indent: /^[ \t]*/.exec(text)![0].length, nested: nested ? nested[1] ?? '@' : undefined });
  }
  // the def's own header (decorators, defaults) is read at module level: a library in it leaks
  let body = 0;
  while (body < stmts.length && stmts[body]!.nested !== undefined && stmts[body]!.indent === stmts[0]!.indent) {
    if (libValued(stmts[body]!.m)) return true;
    const isDef = stmts[body]!.nested !== '@';
    body++;
    if (isDef) break;
  }
  if (body === 0) return true;
  // a one-line def (`def f(): return CDLL(x)`): its header statement holds the body
  if (/:[ \t]*[^\s#]/.test(headerTail(stmts[body - 1]!.text))) return true;
  const tainted = new Set<string>();
  const isTainted = (m: Mentions) => libValued(m) || [...m.words].some((w) => tainted.has(w));
  const rest = stmts.slice(body);
  // a foreign function's result is no library (the evaluator: unknown): calls of one with plain arguments are left out
  // (a local is a library only when assigned a loader's call or attribute: a body without a loader's word has none)
  const libraries = seedsAreC && rest.some((st) => LOADER_WORD.test(st.text)) ? libraryLocals(rest, stmts.slice(0, body)) : new Set<string>();
  const foreign = (parts: string[]) => {
    const p = parts[0] === 'ctypes' ? parts.slice(1) : parts;
    if (p.length === 2) return (libraries.has(p[0]!) && parts[0] !== 'ctypes') || p[0] === 'pythonapi';
    return p.length === 3 && LOADER_INSTANCES.has(p[0]!) && p[1] !== 'LoadLibrary';
  };
  const tainting = (st: { text: string; m: Mentions }) => isTainted(st.m) && (libraries.size === 0 && !/\b(?:cdll|windll|oledll|pydll|pythonapi)\b/.test(st.text) ? true : isTainted(mentionsOf(stripForeign(st.text, foreign, isTainted))));
  for (let changed = true; changed;) {
    changed = false;
    const taint = (w: string) => {
      if (!tainted.has(w)) {
        tainted.add(w);
        changed = true;
      }
    };
    for (let i = 0; i < rest.length; i++) {
      const st = rest[i]!;
      if (st.nested !== undefined) {
        // a nested def or class holds what any statement of its block holds
        if (st.nested === '@') continue;
        let end = i + 1;
        while (end < rest.length && rest[end]!.indent > st.indent) end++;
        if (tainting(st) || rest.slice(i + 1, end).some(tainting)) taint(st.nested);
        continue;
      }
      if (!tainting(st)) continue;
      for (const w of (st.targets ??= plainTargets(st.text))) taint(w);
    }
  }
  // a leak is any tainted statement that escapes, stores or hands on: the cheap test over every statement first
  for (const st of rest) if ((st.nested === '@' || ESCAPES.test(st.text)) && tainting(st)) return true;
  for (const st of rest) {
    if (st.nested === '@' || !tainting(st)) continue;
    if (simpleParts(st.text).some(storesInto)) return true;
    if (handsOn(st.text, isTainted, libraries)) return true;
  }
  return false;
}

const LOADER_INSTANCES = new Set(['cdll', 'windll', 'oledll', 'pydll']);
/** The words a library expression (`isLibraryExpression`) starts with or is. */
const LOADER_WORD = /\b(?:CDLL|WinDLL|OleDLL|PyDLL|cdll|windll|oledll|pydll|pythonapi)\b/;
const LIBRARY_CALL = /^(?:ctypes[ \t]*\.[ \t]*)?(?:CDLL|WinDLL|OleDLL|PyDLL|(?:cdll|windll|oledll|pydll)[ \t]*\.[ \t]*LoadLibrary)[ \t]*\(/;
const LIBRARY_ATTRIBUTE = /^(?:ctypes[ \t]*\.[ \t]*)?(?:cdll|windll|oledll|pydll)[ \t]*\.[ \t]*(?!LoadLibrary\b)[A-Za-z_]\w*$|^(?:ctypes[ \t]*\.[ \t]*)?pythonapi$/;

/** Whether an expression is a ctypes library: a loader call (`CDLL(x)`, `cdll.LoadLibrary(x)`) or a loader's attribute (`windll.user32`). */
function isLibraryExpression(value: string): boolean {
  const v = value.trim();
  if (LIBRARY_ATTRIBUTE.test(v)) return true;
  const m = LIBRARY_CALL.exec(v);
  if (!m) return false;
  let depth = 0;
  for (let i = m[0].length - 1; i < v.length; i++) {
    const c = v[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && --depth === 0) return i === v.length - 1;
  }
  return false;
}

/** Names every assignment of which (in the body) is a ctypes library, and that are not parameters. */
function libraryLocals(body: { text: string; nested?: string }[], header: { text: string }[]): Set<string> {
  const lib = new Set<string>();
  const other = new Set<string>();
  for (const h of header) for (const w of h.text.match(WORD) ?? []) other.add(w);
  for (const st of body) {
    if (st.nested !== undefined) {
      if (st.nested !== '@') other.add(st.nested);
      continue;
    }
    const all = new Set(plainTargets(st.text));
    for (const part of simpleParts(st.text)) {
      const targets = assignedTargets(part);
      if (targets.length === 0) continue;
      const value = assignedValue(part);
      const isLib = value !== undefined && isLibraryExpression(value);
      for (const t of targets) {
        const name = t.trim();
        if (!/^[A-Za-z_]\w*$/.test(name)) continue;
        (isLib ? lib : other).add(name);
        all.delete(name);
      }
    }
    for (const w of all) other.add(w); // for, with … as, walrus, augmented, tuples
  }
  for (const w of other) lib.delete(w);
  return lib;
}

/** The value of a simple statement's assignment: the text after its last `=` outside brackets. */
function assignedValue(part: string): string | undefined {
  const signs = assignmentSigns(part);
  if (signs.length === 0 || signs.some((s) => AUGMENTED.test(s.prev))) return undefined; // augmented: not the whole value
  return part.slice(signs[signs.length - 1]!.at + 1);
}

/** The character before an augmented assignment's `=` (`+=`, `//=`, `**=` …). */
const AUGMENTED = /[-+*/%&|^@]/;

/** The assignment `=` signs of a simple statement outside brackets (not `==`, `<=`, `!=`, `:=` …), each with the character before it. */
function assignmentSigns(part: string): { at: number; prev: string }[] {
  const out: { at: number; prev: string }[] = [];
  let depth = 0;
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === '=' && depth === 0) {
      if (part[i + 1] === '=') {
        i++;
        continue;
      }
      const prev = part[i - 1] ?? '';
      if (prev !== '' && '=<>!:'.includes(prev)) continue;
      out.push({ at: i, prev });
    }
  }
  return out;
}

/** The statement with each call of a foreign function whose arguments hold no library replaced by `0` (its result, unknown). */
function stripForeign(stmt: string, foreign: (parts: string[]) => boolean, isTainted: (m: Mentions) => boolean): string {
  let out = stmt;
  for (let i = out.indexOf('('); i >= 0; i = out.indexOf('(', i + 1)) {
    const before = out.slice(Math.max(0, i - 200), i);
    const m = CALLEE_BEFORE.exec(before);
    if (!m) continue;
    const start = i - before.length + m.index;
    if (/[.\w]/.test(out[start - 1] ?? '') || /\.[ \t]*$/.test(out.slice(Math.max(0, start - 20), start))) continue;
    if (!foreign(m[1]!.split(/[ \t]*\.[ \t]*/).map((p) => p.trim()))) continue;
    let depth = 0;
    let j = i;
    for (; j < out.length; j++) {
      const c = out[j];
      if (c === '(' || c === '[' || c === '{') depth++;
      else if ((c === ')' || c === ']' || c === '}') && --depth === 0) break;
    }
    if (j >= out.length || isTainted(mentionsOf(out.slice(i + 1, j)))) continue;
    out = `${out.slice(0, start)}0${out.slice(j + 1)}`;
    i = start;
  }
  return out;
}

const COMPOUND_HEAD = /^[ \t]*(?:if|elif|else|while|for|async|with|try|except|finally)\b/;

/** A statement's simple statements: split at `;` and after the header of a one-line compound (`if x: a.b = y`). */
function simpleParts(stmt: string): string[] {
  const out: string[] = [];
  for (let part of stmt.split(';')) {
    for (let k = 0; k < 8 && COMPOUND_HEAD.test(part); k++) {
      const tail = headerTailAt(part);
      if (tail === undefined) break;
      part = tail;
    }
    out.push(part);
  }
  return out;
}

/** What follows the first `:` outside brackets, when code follows it on the same line. */
function headerTailAt(part: string): string | undefined {
  let depth = 0;
  for (let i = 0; i < part.length; i++) {
    const c = part[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === ':' && depth === 0 && part[i + 1] !== '=') return /\S/.test(part.slice(i + 1).split('\n')[0]!) ? part.slice(i + 1) : undefined;
  }
  return undefined;
}

/** What follows a def header's closing `:` (brackets balanced). */
function headerTail(stmt: string): string {
  const h = headerOf(stmt);
  return stmt.slice(h.length);
}

/**
 * The targets of a simple statement's assignments (`a = b = v`, `x.y += v`, `t: int = v`): the text before each `=`
 * outside brackets (a keyword argument's `=` is inside a call's).
 */
function assignedTargets(part: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (const { at: i, prev } of assignmentSigns(part)) {
    let target = part.slice(from, AUGMENTED.test(prev) ? i - 1 : i);
    if (/[<>*/]/.test(prev) && /[<>*/]/.test(part[i - 2] ?? '')) target = part.slice(from, i - 2);
    const colon = target.indexOf(':');
    out.push(colon >= 0 ? target.slice(0, colon) : target);
    from = i + 1;
  }
  return out;
}

/** Plain names a statement assigns (assignment, augmented, for, with/except … as, walrus, comprehension variables). */
function plainTargets(stmt: string): string[] {
  const out: string[] = [];
  for (const target of simpleParts(stmt).flatMap(assignedTargets)) {
    for (const part of target.split(',')) {
      const p = part.replace(/[()[\]*]/g, ' ').trim();
      if (/^[A-Za-z_]\w*$/.test(p)) out.push(p);
    }
  }
  // (each scan needs a literal word of its pattern: a statement without it is not scanned)
  if (stmt.includes('for')) for (const m of stmt.matchAll(FOR_TARGET)) for (const w of m[1]!.match(WORD) ?? []) out.push(w);
  if (stmt.includes('as')) for (const m of stmt.matchAll(AS_NAME)) out.push(m[1]!);
  if (stmt.includes(':=')) for (const m of stmt.matchAll(WALRUS)) out.push(m[1]!);
  return out;
}

/** Whether a simple statement assigns to an attribute or item (`x.a = …`, `x[k] = …`, `f(x).a += …`). */
function storesInto(part: string): boolean {
  return assignedTargets(part).some((t) => /[.[]/.test(t));
}

/**
 * Whether a call in the statement gets a library-valued argument and its callee is not rooted in a local the body
 * assigns only libraries (`libraryLocals`: `lib = CDLL(x)`, then `lib.close(h)` keeps it). Not "rooted in any
 * library-valued name": that set grows with what the module's fixpoint has found, and a leak that goes away as it
 * grows would make the fixpoint depend on the order it reads the statements in (`runPass`, `updateExports`).
 */
function handsOn(stmt: string, isTainted: (m: Mentions) => boolean, libraries: Set<string>): boolean {
  for (let i = stmt.indexOf('('); i >= 0; i = stmt.indexOf('(', i + 1)) {
    const before = stmt.slice(Math.max(0, i - 200), i);
    const callee = CALLEE_BEFORE.exec(before)?.[1];
    const prev = before.replace(/[ \t]+$/, '').slice(-1);
    let calls: boolean;
    if (callee !== undefined) calls = !NOT_CALLEE.test(callee.trim());
    else calls = prev === ')' || prev === ']' || prev === '"' || prev === "'" || prev === '}';
    if (!calls) continue;
    let depth = 0;
    let j = i;
    for (; j < stmt.length; j++) {
      const c = stmt[j];
      if (c === '(' || c === '[' || c === '{') depth++;
      else if ((c === ')' || c === ']' || c === '}') && --depth === 0) break;
    }
    const args = stmt.slice(i + 1, j);
    if (!isTainted(mentionsOf(args))) continue;
    if (callee !== undefined && libraries.has(callee.split('.')[0]!.trim())) continue; // a function or method of the library itself (`lib.f(h)`)
    return true;
  }
  return false;
}

const KEYWORD = /^(?:def|class|if|elif|while|for|with|return|lambda|yield|assert|del|print|not|and|or|in|is|async|await)$/;
const ATTR_ROOT_LOCAL = new Set(['self', 'cls']);

/**
 * Names an assignment target binds: identifiers outside subscripts and not after a dot; the root of an
 * attribute or subscript target counts too (`holder.lib = CDLL(...)` changes what `holder` holds), except
 * `self`/`cls`. A "target" with a call or a keyword in it is no assignment (`def f(a=1):`, `f(x=1)`).
 */
function targetNames(target: string): string[] {
  if (/\w[ \t]*\(/.test(target)) return [];
  const out: string[] = [];
  let depth = 0;
  for (const m of target.matchAll(/[A-Za-z_]\w*|[[\]]/g)) {
    if (m[0] === '[') depth++;
    else if (m[0] === ']') depth = Math.max(0, depth - 1);
    else if (KEYWORD.test(m[0])) return [];
    else if (depth === 0 && target[m.index! - 1] !== '.' && !ATTR_ROOT_LOCAL.has(m[0])) out.push(m[0]);
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

/**
 * Names of ctypes and cffi that make a statement C-valued in a module importing them: the values the
 * evaluator models (types, prototypes, libraries, ffi objects, find_library) and the declaring attributes.
 * `ctypes.sizeof(...)`, `ctypes.byref(...)` give it nothing, so a mention of `ctypes` alone does not count.
 */
const C_WORDS = new Set([
  ...Object.keys(CTYPES_PRIMITIVES), ...CTYPES_LOADERS, ...CTYPES_LOADER_INSTANCES, ...CTYPES_STRUCT_BASES, ...CTYPES_PROTOTYPE_FACTORIES,
  'POINTER', 'pointer', 'ARRAY', 'Array', 'pythonapi', 'cffi', '_cffi_backend', 'FFI', 'ffi', 'argtypes', 'restype', 'errcheck',
  '_fields_', 'cdef', 'dlopen', 'set_source', 'find_library', 'LoadLibrary', 'wintypes',
]);

const C_PACKAGE = /^(?:ctypes|cffi|_cffi_backend)(?:\.|$)/;

/** Names of a module that can hold (or produce) a kind of value, or all of them. */
export interface NameSet {
  names: Set<string>;
  /** Any name may (a statement of that kind binds names dynamically: globals(), setattr; or a C package). */
  all: boolean;
}

/** A module's C-valued exports. */
export interface CExports extends NameSet {
  /** Which of its units (as given to analyzeExports) are C-valued. */
  cUnits: boolean[];
  /** Which of its units are library-valued. */
  libUnits: boolean[];
  /** Module aliases it binds (`from . import loader`, `import a.b as c`): `mod.alias.x` is resolved in their targets. */
  modules: Map<string, string[]>;
  /** The names that can hold or produce a library or foreign function (a subset of the C-valued ones). */
  lib: NameSet;
  /**
   * Some statement can meet a library or foreign function: the only values through which the evaluator adds
   * findings to a file (a file for which this and the per-file pre-filter are false has no finding).
   */
  observes: boolean;
  /** What the fixpoint found, kept for `updateExports` (an open document's module); used up by it. */
  run?: ExportsRun;
}

const EMPTY: NameSet = Object.freeze({ names: new Set<string>(), all: false }) as NameSet;
export const NO_C: CExports = Object.freeze({ names: new Set<string>(), all: false, lib: EMPTY, observes: false, modules: new Map(), cUnits: [], libUnits: [] }) as CExports;

/** Words that make a statement library-valued in a module importing ctypes/cffi (the loaders, cffi's ffi). */
const LIB_WORDS = new Set([...CTYPES_LOADERS, ...CTYPES_LOADER_INSTANCES, 'LoadLibrary', 'FFI', 'ffi', 'dlopen']);
/** Words of a body that declares: a helper setting a foreign function's signature, a cdef. */
const DECLARING = ['argtypes', 'restype', 'errcheck', '_fields_', 'cdef', 'set_source'];
/** With the ctypes module named in the same statement, these may reach a loader by a computed name. */
const COMPUTED_ATTR = ['getattr', '__dict__', 'vars'];

/** What the analysis asks of the workspace. */
export interface CExportsContext {
  hasModule(name: string): boolean;
  exportsOf(module: string): CExports;
  /** Absolute name of a (possibly relative) import written in `module`. */
  absolute(module: string, level: number, name: string): string | undefined;
}

function nonEmpty(c: NameSet): boolean {
  return c.all || c.names.size > 0;
}

/**
 * A module's C-valued exports given those of the modules it imports (a fixpoint over its statements), and
 * among them the library-valued ones. `importsC`: its text imports ctypes/cffi (only then are ctypes/cffi
 * words C values). `keep`: keep what the fixpoint found (`run`) so that `updateExports` can update it after an edit.
 */
export function analyzeExports(module: string, units: readonly Unit[], importsC: boolean, ctx: CExportsContext, keep = false): CExports {
  const inPackage = C_PACKAGE.test(module);
  const logged = keep && !inPackage ? new LoggedContext(ctx) : undefined;
  const index = wordIndex(units);
  const libPass = passContext(module, units, importsC || inPackage, logged ?? ctx, LIB_WORDS, (x) => x.lib);
  const libState = freshState(libPass, units.length);
  runPass(libPass, units, index, libState, units.keys());
  const lib = passResult(libPass, units, libState);
  if (inPackage) return { names: new Set<string>(), all: true, lib: { names: lib.names, all: lib.all }, observes: lib.any, modules: lib.modules, cUnits: units.map(() => true), libUnits: lib.done };
  const cPass = passContext(module, units, importsC, logged ?? ctx, C_WORDS, (x) => x);
  const cState = freshState(cPass, units.length);
  runPass(cPass, units, index, cState, units.keys(), lib.done);
  const c = passResult(cPass, units, cState);
  const out: CExports = { names: c.names, all: c.all, lib: { names: lib.names, all: lib.all }, observes: lib.any, modules: lib.modules, cUnits: c.done, libUnits: lib.done };
  if (logged) out.run = { module, importsC, units, index: index(), ctx: logged, libPass, libState, cPass, cState };
  return out;
}

/**
 * The library-valued pass of `analyzeExports` alone (its `lib`, `observes`, `modules` and `libUnits`; no C-valued
 * names): what the workspace gate reads, from the library-valued exports of the modules imported.
 */
export function analyzeLibrary(module: string, units: readonly Unit[], importsC: boolean, ctx: CExportsContext): CExports {
  const pass = passContext(module, units, importsC || C_PACKAGE.test(module), ctx, LIB_WORDS, (x) => x.lib);
  const state = freshState(pass, units.length);
  runPass(pass, units, wordIndex(units), state, units.keys());
  const lib = passResult(pass, units, state);
  return { names: new Set(), all: false, lib: { names: lib.names, all: lib.all }, observes: lib.any, modules: lib.modules, cUnits: [], libUnits: lib.done };
}

/**
 * What `analyzeExports` kept of its fixpoint for `updateExports`: the units it read, their word index, both passes'
 * contexts (read from the imports and the workspace, whose every answer is logged) and where each pass ended.
 */
export interface ExportsRun {
  module: string;
  importsC: boolean;
  units: readonly Unit[];
  index: Map<string, number[]>;
  ctx: LoggedContext;
  libPass: PassContext;
  libState: PassState;
  cPass: PassContext;
  cState: PassState;
}

/** The workspace's answers a fixpoint got (`hasModule`, `exportsOf` by identity, `absolute`): the same answers now, the same context. */
class LoggedContext implements CExportsContext {
  private readonly log = new Map<string, unknown>();
  constructor(private ctx: CExportsContext) {}
  private ask<T>(key: string, answer: () => T): T {
    if (this.log.has(key)) return this.log.get(key) as T;
    const a = answer();
    this.log.set(key, a);
    return a;
  }
  hasModule(name: string): boolean {
    return this.ask(`h ${name}`, () => this.ctx.hasModule(name));
  }
  exportsOf(module: string): CExports {
    return this.ask(`e ${module}`, () => this.ctx.exportsOf(module));
  }
  absolute(module: string, level: number, name: string): string | undefined {
    return this.ask(`a ${level} ${module} ${name}`, () => this.ctx.absolute(module, level, name));
  }
  /** Whether `ctx` gives every answer logged; if so, later questions go to it. */
  rebase(ctx: CExportsContext): boolean {
    for (const [key, answer] of this.log) {
      const [kind, a, b, c] = key.split(' ');
      const now = kind === 'h' ? ctx.hasModule(a!) : kind === 'e' ? ctx.exportsOf(a!) : ctx.absolute(b!, Number(a), c!);
      if (now !== answer) return false;
    }
    this.ctx = ctx;
    return true;
  }
}

/** The units that mention each word, by index (built on first use, shared by the two passes of `analyzeExports`). */
function wordIndex(units: readonly Unit[]): () => Map<string, number[]> {
  let byWord: Map<string, number[]> | undefined;
  return () => {
    if (!byWord) {
      byWord = new Map();
      units.forEach((x, j) => {
        for (const w of x.words) {
          const list = byWord!.get(w);
          if (list) list.push(j);
          else byWord!.set(w, [j]);
        }
      });
    }
    return byWord;
  };
}

/** What one pass (library-valued or C-valued) reads besides the units' words and the names found: the imports, the workspace. */
interface PassContext {
  lib: boolean;
  importsC: boolean;
  seeds: Set<string>;
  /** Names bound by imports (C-valued there): local before any statement is read. */
  base: Set<string>;
  /** Names imported inside a def or class: its locals, mentioned there, but no name of the module. */
  inner: Set<string>;
  ctypesAliases: Set<string>;
  /** Module alias → whether a bare mention counts (false: only its dotted chains may, e.g. `ctypes.util.x`). */
  aliasC: Map<string, boolean>;
  /** Module aliases of imports at module level: what importers may follow (`plain.loader.load`). */
  exportedAliases: Map<string, string[]>;
  starC: NameSet[];
  resolveChain(chain: string[]): boolean;
}

/**
 * Where a pass is: the units found C-valued (`done`), those whose names were bound (`bound`: the same array for the
 * C-valued pass), the names; and when each unit got its status and each name was found (a clock): a unit's status
 * was decided from names found before it, which is how `rederive` tells support from a cycle.
 */
interface PassState {
  done: boolean[];
  bound: boolean[];
  local: Set<string>;
  rank: number[];
  nameRank: Map<string, number>;
  clock: number;
}

/** The names a pass has found, as `mentionsC` reads them (a Set, or a view of one). */
interface Names {
  has(name: string): boolean;
}

function passContext(module: string, units: readonly Unit[], importsC: boolean, ctx: CExportsContext, seeds: Set<string>, pick: (c: CExports) => NameSet): PassContext {
  const of = (m: string) => pick(ctx.exportsOf(m));
  const modulesOf = (m: string) => ctx.exportsOf(m).modules;
  const moduleAliases = new Map<string, string[]>();
  const stars: string[] = [];
  const local = new Set<string>();
  const inner = new Set<string>();
  const exportedAliases = new Map<string, string[]>();
  let topLevel = true;
  const addAlias = (alias: string, target: string) => {
    if (topLevel) {
      const e = exportedAliases.get(alias);
      if (e) e.push(target);
      else exportedAliases.set(alias, [target]);
    }
    const list = moduleAliases.get(alias);
    if (list) list.push(target);
    else moduleAliases.set(alias, [target]);
  };
  const lib = seeds === LIB_WORDS;
  const ctypesAliases = new Set(['ctypes']);
  for (const u of units) for (const i of u.imports) {
    const names = u.head ? inner : local;
    topLevel = !u.head;
    const base = ctx.absolute(i.module, i.level, module);
    if (base === undefined) continue;
    if (i.kind === 'star') {
      if (base === 'ctypes' || base === 'cffi') continue; // their names are seed words
      if (ctx.hasModule(base) && !(C_PACKAGE.test(base) && !lib)) stars.push(base);
      continue;
    }
    if (i.kind === 'module') {
      const target = i.alias === i.module.split('.')[0] ? i.alias! : base;
      // `import ctypes` (or ctypes.util): its alias counts only through what its chains name (`ctypes.c_int`)
      if (base === 'ctypes' || base.startsWith('ctypes.')) ctypesAliases.add(i.alias!);
      if (ctx.hasModule(target)) addAlias(i.alias!, target);
      continue;
    }
    const full = base ? `${base}.${i.name}` : i.name!;
    if (base === 'ctypes' || base === 'cffi' || (!lib && C_PACKAGE.test(full))) {
      // ctypes' own names are its builtins, never the workspace's ctypes/__init__.py
      if (importsC && (seeds.has(i.name!) || (!lib && C_PACKAGE.test(full)))) names.add(i.alias!);
      if (lib && ctx.hasModule(full)) addAlias(i.alias!, full);
      continue;
    }
    if (ctx.hasModule(full)) addAlias(i.alias!, full);
    if (ctx.hasModule(base)) {
      const x = of(base);
      if (x.all || x.names.has(i.name!)) names.add(i.alias!);
      for (const t of modulesOf(base).get(i.name!) ?? []) addAlias(i.alias!, t);
    }
  }
  topLevel = true;
  for (const st of stars) for (const [alias, targets] of modulesOf(st)) for (const t of targets) addAlias(alias, t);
  const resolve = (mod: string, attrs: string[], at: number): boolean => {
    // `ctypes.x` is a builtin (a seed word when a loader); only its submodules (ctypes.util, …) are the workspace's
    const x = mod === 'ctypes' || mod === 'cffi' ? EMPTY : of(mod);
    if (at >= attrs.length) return nonEmpty(x);
    const a = attrs[at]!;
    if (x.all || x.names.has(a)) return true;
    const sub = `${mod}.${a}`;
    if (ctx.hasModule(sub) && resolve(sub, attrs, at + 1)) return true;
    return (modulesOf(mod).get(a) ?? []).some((t) => t !== sub && t !== mod && resolve(t, attrs, at + 1));
  };
  const resolved = new Map<string, boolean>();
  const resolveChain = (ch: string[]): boolean => {
    const key = ch.join('.');
    let r = resolved.get(key);
    if (r === undefined) resolved.set(key, (r = moduleAliases.get(ch[0]!)!.some((t) => resolve(t, ch, 1))));
    return r;
  };
  const aliasC = new Map<string, boolean>();
  for (const [alias, targets] of moduleAliases) aliasC.set(alias, targets.some((t) => t !== 'ctypes' && t !== 'cffi' && nonEmpty(of(t))));
  return { lib, importsC, seeds, base: local, inner, ctypesAliases, aliasC, exportedAliases, starC: stars.map(of), resolveChain };
}

function freshState(pass: PassContext, n: number): PassState {
  const done = new Array<boolean>(n).fill(false);
  return { done, bound: pass.lib ? new Array<boolean>(n).fill(false) : done, local: new Set(pass.base), rank: new Array<number>(n).fill(0), nameRank: new Map(), clock: 0 };
}

function mentionsC(pass: PassContext, local: Names, u: Mentions, shadow: Set<string>): boolean {
  const { importsC, seeds, inner, lib, ctypesAliases, aliasC, starC } = pass;
  for (const w of u.words) {
    if (local.has(w) || inner.has(w) || (importsC && seeds.has(w))) return true;
    if (lib && importsC && ctypesAliases.has(w) && COMPUTED_ATTR.some((c) => u.words.has(c))) return true;
    const bare = aliasC.get(w);
    if (bare !== undefined) {
      // a module alias: `alias.attr` counts when attr is C-valued there; a bare mention when anything is
      if (bare && u.bare.has(w) && !shadow.has(w)) return true;
      for (const ch of u.chains.get(w) ?? []) if (pass.resolveChain(ch)) return true;
    }
    for (const s of starC) if (s.all || s.names.has(w)) return true;
  }
  return false;
}

/**
 * Reads the units `todo` names (in that order), then those that mention a name found since (by the word index), until
 * nothing changes. Every test below is monotone in the names found (and in `libraryUnits`), so the names and units
 * it ends with are the least fixpoint, whatever the order and whatever (sound) state it starts from.
 */
/**
 * A def or class is C-valued when it can hold or make a library (libraryUnits), declares (argtypes…), or its
 * header is (a Structure base, a ctypes default): types computed inside function bodies are not followed.
 */
function isCUnit(pass: PassContext, local: Names, u: Unit, i: number, libraryUnits?: boolean[]): boolean {
  return !pass.lib && u.head ? libraryUnits?.[i] === true || DECLARING.some((w) => u.words.has(w)) || mentionsC(pass, local, u.head, u.shadow) : mentionsC(pass, local, u, u.shadow);
}

function runPass(pass: PassContext, units: readonly Unit[], index: () => Map<string, number[]>, state: PassState, todo: Iterable<number>, libraryUnits?: boolean[]): void {
  const { done, bound, local, rank, nameRank } = state;
  const lib = pass.lib;
  const isC = (u: Unit, i: number): boolean => isCUnit(pass, local, u, i, libraryUnits);
  const again: number[] = [];
  // units whose names were bound (for the library-valued pass, a function that meets a library but leaks none
  // binds nothing, and is read again when a name it mentions becomes library-valued)
  const mark = (u: Unit, i: number) => {
    const t = ++state.clock;
    done[i] = true;
    rank[i] = t;
    if (lib) {
      if (u.defSource !== undefined && !leaksOf(u, (m) => mentionsC(pass, local, m, u.shadow), pass.importsC)) return;
      bound[i] = true;
    }
    for (const b of u.bound) {
      if (local.has(b)) continue;
      local.add(b);
      nameRank.set(b, t);
      for (const j of index().get(b) ?? []) if (!bound[j]) again.push(j);
    }
  };
  for (const i of todo) if (!bound[i] && isC(units[i]!, i)) mark(units[i]!, i);
  while (again.length) {
    const j = again.pop()!;
    if (!bound[j] && isC(units[j]!, j)) mark(units[j]!, j);
  }
}

function passResult(pass: PassContext, units: readonly Unit[], state: PassState): NameSet & { any: boolean; modules: Map<string, string[]>; done: boolean[] } {
  let all = false;
  let any = false;
  for (let i = 0; i < units.length; i++) if (state.done[i]) {
    any = true;
    if (units[i]!.dynamic) all = true;
  }
  const exported = new Set(state.local);
  for (const s of pass.starC) {
    if (s.all) all = true;
    for (const n of s.names) exported.add(n);
  }
  return { names: exported, all, any, modules: pass.exportedAliases, done: state.done.slice() };
}

/**
 * `analyzeExports` of `after` (a module's units after an edit) from the fixpoint kept on `before` (`run`), without
 * reading every unit again: delete and re-derive. The units that differ (by identity) and, transitively, every unit
 * found C-valued that mentions a name one of them bound, are unmarked and their names dropped; what is left was
 * derived without them (each of its units mentions none of the dropped names), so it holds in the new fixpoint
 * too; those units are then read again and the pass runs on from there (`runPass`: a least fixpoint, reached from
 * any sound start). The C-valued pass also reads again the units whose library-valued answer changed. Undefined
 * (run `analyzeExports`) when the units are not as many, an edited unit's imports or kind changed, the workspace
 * answers otherwise, or the deletion reaches half the module (and 64 units). `before.run` is used up either way.
 */
export function updateExports(before: CExports, after: readonly Unit[], importsC: boolean, ctx: CExportsContext): CExports | undefined {
  const run = before.run;
  if (!run) return undefined;
  before.run = undefined;
  const old = run.units;
  if (old.length !== after.length || run.importsC !== importsC || !run.ctx.rebase(ctx)) return undefined;
  const changed: number[] = [];
  for (let i = 0; i < old.length; i++) {
    const a = old[i]!;
    const b = after[i]!;
    if (a === b) continue;
    if (!a.head !== !b.head || JSON.stringify(a.imports) !== JSON.stringify(b.imports)) return undefined;
    changed.push(i);
  }
  if (changed.length === 0) {
    before.run = run;
    return before;
  }
  const index = run.index;
  for (const i of changed) {
    const a = old[i]!.words;
    const b = after[i]!.words;
    for (const w of a) if (!b.has(w)) {
      const list = index.get(w)!;
      list.splice(list.indexOf(i), 1);
      if (list.length === 0) index.delete(w);
    }
    for (const w of b) if (!a.has(w)) {
      const list = index.get(w);
      if (list) list.push(i);
      else index.set(w, [i]);
    }
  }
  const getIndex = () => index;
  // past this many units unmarked, reading every unit again costs less (a small module: never)
  const limit = Math.max(64, after.length / 2);
  const libStart = rederive(run.libPass, run.libState, old, after, changed, index, limit);
  if (!libStart) return undefined;
  runPass(run.libPass, after, getIndex, libStart.state, libStart.todo);
  const lib = passResult(run.libPass, after, libStart.state);
  // the C-valued pass reads `libraryUnits`: a unit whose library-valued answer moved is read again there
  const seeds = changed.slice();
  for (let i = 0; i < after.length; i++) if (lib.done[i] !== before.libUnits[i] && old[i] === after[i]) seeds.push(i);
  const cStart = rederive(run.cPass, run.cState, old, after, seeds, index, limit, lib.done);
  if (!cStart) return undefined;
  runPass(run.cPass, after, getIndex, cStart.state, cStart.todo, lib.done);
  const c = passResult(run.cPass, after, cStart.state);
  return {
    names: c.names, all: c.all, lib: { names: lib.names, all: lib.all }, observes: lib.any, modules: lib.modules, cUnits: c.done, libUnits: lib.done,
    run: { ...run, units: after, libState: libStart.state, cState: cStart.state },
  };
}

/**
 * The deletion step of `updateExports` for one pass: where it ended, with the `seeds` (by index) unmarked,
 * their names dropped (their old versions'), and each unit found C-valued that mentions a dropped name unmarked too
 * (and so on) unless it still has its status from the names found before it that are not dropped (`rank`): that
 * support is acyclic, so a unit kept is derived again from kept units alone (a unit supported only through a cycle
 * with an unmarked one is unmarked: its support came after it). The unmarked units, in order, to read again.
 * Undefined past `limit` units.
 */
function rederive(pass: PassContext, ended: PassState, old: readonly Unit[], after: readonly Unit[], seeds: readonly number[], index: Map<string, number[]>, limit: number, libraryUnits?: boolean[]): { state: PassState; todo: number[] } | undefined {
  const unmarked = new Set<number>();
  const dropped = new Set<string>();
  const work: string[] = [];
  const unmark = (i: number, u: Unit) => {
    if (unmarked.has(i)) return;
    unmarked.add(i);
    if (ended.bound[i]) for (const b of u.bound) if (!pass.base.has(b) && !dropped.has(b)) {
      dropped.add(b);
      work.push(b);
    }
  };
  // whether unit j (unchanged) still has its status from the names found before it and not dropped
  const supported = (j: number): boolean => {
    const r = ended.rank[j]!;
    const before: Names = { has: (w) => ended.local.has(w) && !dropped.has(w) && (ended.nameRank.get(w) ?? -1) < r };
    const u = after[j]!;
    if (!isCUnit(pass, before, u, j, libraryUnits)) return false;
    return !(pass.lib && ended.bound[j] && u.defSource !== undefined) || leaksOf(u, (m) => mentionsC(pass, before, m, u.shadow), pass.importsC);
  };
  for (const i of seeds) unmark(i, old[i]!);
  while (work.length) {
    const name = work.pop()!;
    // a unit that binds a dropped name is read again whatever its support: so the name is found again if it stands
    for (const j of index.get(name) ?? []) if (ended.done[j] && !unmarked.has(j) && ((ended.bound[j] && after[j]!.bound.includes(name)) || !supported(j))) unmark(j, after[j]!);
    if (unmarked.size > limit) return undefined;
  }
  // in place: the run is used up (what the last answer held is in its CExports' copies)
  const { done, bound, local, nameRank } = ended;
  for (const i of unmarked) done[i] = bound[i] = false;
  for (const n of dropped) {
    local.delete(n);
    nameRank.delete(n);
  }
  return { state: ended, todo: [...unmarked].sort((a, b) => a - b) };
}

/**
 * The units worth evaluating (a statement is evaluated when one of its units is): the C-valued ones and, transitively,
 * those binding a name they mention (a table of names, a path), and any that binds names dynamically. The
 * rest can give the evaluator nothing another module may read (only C-valued names are read across
 * modules) nor a reference to a library or foreign function (those are C-valued), so it skips them.
 */
export function relevantStatements(units: readonly Unit[], cUnits: readonly boolean[]): boolean[] {
  return relevantStatementsFrom(units, cUnits).keep;
}

/** One `relevantStatements` result with what it read of the units (`relevantStatementsAfter`). */
export interface RelevantMemo {
  units: readonly Unit[];
  cUnits: readonly boolean[];
  /** Every name some unit binds: the only words the computation reads. */
  bound: Set<string>;
  keep: boolean[];
}

/**
 * `relevantStatements` again after an edit, from the last result: that result when every unit is the same object or
 * reads as it did (`sameForRelevance`) and the C-valued flags are the same; else computed. The computation reads of a
 * unit only its first flag (C-valued, dynamic, a star import), the names it binds, and which of its words some unit
 * binds (`mentioned` acts on a name of `boundBy` alone): when those are the same for every unit, so is its least
 * fixpoint. A keystroke in one method of a long class re-reads that unit's words, not every unit's.
 */
export function relevantStatementsAfter(units: readonly Unit[], cUnits: readonly boolean[], prior: RelevantMemo | undefined): RelevantMemo {
  if (prior && prior.units.length === units.length && sameFlags(prior.cUnits, cUnits)) {
    let same = true;
    for (let i = 0; i < units.length && same; i++) if (units[i] !== prior.units[i]) same = sameForRelevance(prior.units[i]!, units[i]!, prior.bound);
    if (same) return { units, cUnits, bound: prior.bound, keep: prior.keep };
  }
  return relevantStatementsFrom(units, cUnits);
}

function sameFlags(a: readonly boolean[], b: readonly boolean[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function startsKept(u: Unit): boolean {
  return u.dynamic || (u.isImport && u.imports.some((x) => x.kind === 'star'));
}

/** Whether `relevantStatements` reads `b` as it read `a`: the same first flag, bound names, and words among `bound` (every name a unit binds, `a`'s and `b`'s being the same). */
function sameForRelevance(a: Unit, b: Unit, bound: ReadonlySet<string>): boolean {
  if (startsKept(a) !== startsKept(b) || a.bound.length !== b.bound.length) return false;
  for (let i = 0; i < a.bound.length; i++) if (a.bound[i] !== b.bound[i]) return false;
  const inBound = (x: Set<string>, y: Set<string>) => {
    if (x.size <= bound.size) {
      for (const w of x) if (bound.has(w) && !y.has(w)) return false;
    } else for (const w of bound) if (x.has(w) && !y.has(w)) return false;
    return true;
  };
  return inBound(a.words, b.words) && inBound(b.words, a.words);
}

function relevantStatementsFrom(units: readonly Unit[], cUnits: readonly boolean[]): RelevantMemo {
  const bound = new Set<string>();
  for (const u of units) for (const b of u.bound) bound.add(b);
  const keep = units.map((u, i) => cUnits[i] === true || startsKept(u));
  // the names each unit not kept yet binds: only those can make a kept unit's words keep another
  const boundBy = new Map<string, number[]>();
  units.forEach((u, i) => {
    if (keep[i]) return;
    for (const b of u.bound) {
      const list = boundBy.get(b);
      if (list) list.push(i);
      else boundBy.set(b, [i]);
    }
  });
  const work = units.filter((_, i) => keep[i]);
  const mentioned = (name: string) => {
    const list = boundBy.get(name);
    if (!list) return;
    boundBy.delete(name);
    for (const j of list) if (!keep[j]) {
      keep[j] = true;
      work.push(units[j]!);
    }
  };
  // a unit's words against the names still unclaimed, whichever is fewer (a 115 KB class has thousands of words)
  while (work.length && boundBy.size) {
    const u = work.pop()!;
    if (u.words.size <= boundBy.size) for (const w of u.words) mentioned(w);
    else for (const name of boundBy.keys()) if (u.words.has(name)) mentioned(name);
  }
  return { units, cUnits, bound, keep };
}

/**
 * What `analyzeExports` gives for `after`, a module's units after an edit, without running it: `before` again when
 * there are as many units, each the same or differing only in words that can make nothing C-valued (no C-valued
 * or library-valued name of the module, no ctypes/cffi word, no import alias, none of the words the fixpoint
 * tests), with the same bound names, imports and kinds, and a def's code (what `defLeaks` reads: its source
 * without string contents and comments) the same. Then the old fixpoint is the new one (every unit's test gives
 * what it gave: the words that decided it are still there). A keystroke in a name inside a 115 KB class, or in a
 * string inside a function, re-reads that statement's text, not the module's fixpoint. Undefined otherwise.
 */
export function exportsForUnits(old: readonly Unit[], after: readonly Unit[], before: CExports): CExports | undefined {
  if (old.length !== after.length || before.all || before.lib.all) return undefined;
  let aliases: Set<string> | undefined;
  const neutral = (w: string): boolean => {
    if (before.names.has(w) || before.lib.names.has(w) || before.modules.has(w) || C_WORDS.has(w) || LIB_WORDS.has(w) || COMPUTED_ATTR.includes(w) || w === 'ctypes' || w === 'cffi') return false;
    if (!aliases) {
      aliases = new Set();
      for (const u of after) for (const i of u.imports) {
        if (i.alias) aliases.add(i.alias);
        for (const p of i.module.split('.')) aliases.add(p);
      }
    }
    return !aliases.has(w);
  };
  const sameWords = (a: Set<string>, b: Set<string>): boolean => {
    for (const w of a) if (!b.has(w) && !neutral(w)) return false;
    for (const w of b) if (!a.has(w) && !neutral(w)) return false;
    return true;
  };
  const sameMentions = (a: Mentions, b: Mentions): boolean => {
    if (!sameWords(a.words, b.words) || !sameWords(a.bare, b.bare)) return false;
    const roots = new Set([...a.chains.keys(), ...b.chains.keys()]);
    for (const r of roots) {
      const x = (a.chains.get(r) ?? []).map((c) => c.join('.')).sort().join(' ');
      const y = (b.chains.get(r) ?? []).map((c) => c.join('.')).sort().join(' ');
      if (x !== y && !neutral(r)) return false;
    }
    return true;
  };
  for (let i = 0; i < old.length; i++) {
    const a = old[i]!;
    const b = after[i]!;
    if (a === b) continue;
    if (a.dynamic !== b.dynamic || a.isImport !== b.isImport || !a.head !== !b.head || a.bound.join() !== b.bound.join()) return undefined;
    if (a.defSource !== b.defSource && (a.defSource === undefined || b.defSource === undefined || codeOf(a.defSource) !== codeOf(b.defSource))) return undefined;
    if (JSON.stringify(a.imports) !== JSON.stringify(b.imports)) return undefined;
    if (!sameMentions(a, b) || !sameWords(a.shadow, b.shadow) || (a.head && !sameMentions(a.head, b.head!))) return undefined;
  }
  return before;
}
