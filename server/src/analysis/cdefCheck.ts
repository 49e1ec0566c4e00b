/**
 * Checks a cdef in cffi's language: pycparser's C99 after cffi's own pre-pass (cffi/cparser.py
 * `_preprocess`): comments removed, `#define NAME ...|integer` taken out, `__stdcall`/`WINAPI`/`__cdecl`
 * dropped, `extern "Python"` unwrapped, `[...]`, `= ...` and `...}` in enums, `int...`/`float...` and any
 * other `...` turned into names pycparser accepts. A recursive-descent parser of declarations then reports
 * the first error of each declaration with a C message, at the spot (test/oracle judges it against cffi).
 * Offsets are into the cdef's source text.
 *
 * Given a DeclarationReader, the same parse also reads the declarations analysis/cdef.ts returns, exactly
 * as its tree-sitter reader (CReader) reads them off the masked C: names, spans, texts and type strings
 * quoted from the masked text. It gives up (declarations undefined, and cdef.ts parses with tree-sitter)
 * on any problem and on every construct where the two parses could differ (see `giveUp`).
 */
import type { CDeclaration, CField, Span } from './model';

export interface CdefCheckProblem {
  kind: 'syntax' | 'directive' | 'unknownType';
  start: number;
  end: number;
  message: string;
  detail?: string;
}

export interface CdefCheckResult {
  problems: CdefCheckProblem[];
  /** Identifiers used as type names where no typedef before them declares them (cffi's predefined types aside). */
  typeRefs: { name: string; start: number; end: number }[];
  /** Names this cdef declares with typedef. */
  typedefNames: { name: string; start: number; end: number }[];
  /** The declarations, when a DeclarationReader was given and the parse could read them exactly. */
  declarations?: CDeclaration[];
}

/** What reading declarations needs from analysis/cdef.ts. */
export interface DeclarationReader {
  /** The cdef as maskCffiSyntax masks it: type strings and enumerator texts are quoted from it, as tree-sitter's node texts are. */
  masked: string;
  span(start: number, end: number): Span;
  isExternPython(start: number): boolean;
}

/** A directive line as the lexer saw it: `#` to the newline (or the end), and whether a comment or continuation is in it. */
interface Directive {
  s: number;
  e: number;
  plain: boolean;
}

type Kind = 'id' | 'num' | 'str' | 'char' | 'punct' | 'eof';
interface Tok {
  k: Kind;
  v: string;
  s: number;
  e: number;
  line: number;
  /** A placeholder cffi's pre-pass puts in for `...`: 'type' (a typedef name), 'name' (an enumerator), 'num' (an array length). */
  dots?: 'type' | 'name' | 'num';
  /** A comment lies between the previous token and this one. */
  c?: boolean;
}

/** `A-Za-z_$` and, after the first, digits. */
function isIdStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
}
function isIdPart(c: number): boolean {
  return isIdStart(c) || (c >= 48 && c <= 57);
}
const PUNCTS = ['...', '<<=', '>>=', '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+=', '-=', '*=', '/=', '%=', '&=', '^=', '|=', '##'];
const PUNCT_START = new Set(PUNCTS.map((p) => p[0]!));
const BUILTIN_TYPES = new Set(['void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', '_Complex', '__int128']);
const STORAGE = new Set(['typedef', 'extern', 'static', 'auto', 'register', '_Thread_local']);
const QUALIFIERS = new Set(['const', 'volatile', 'restrict', '_Atomic']);
const FUNCTION_SPECIFIERS = new Set(['inline', '_Noreturn']);
const KEYWORDS = new Set([
  ...BUILTIN_TYPES, ...STORAGE, ...QUALIFIERS, ...FUNCTION_SPECIFIERS, 'struct', 'union', 'enum', 'sizeof', '_Alignof', '_Alignas',
  '_Static_assert', 'break', 'case', 'continue', 'default', 'do', 'else', 'for', 'goto', 'if', 'return', 'switch', 'while', 'offsetof',
]);
/** Words cffi's pre-pass removes (`__cdecl`) or turns into qualifiers (`__stdcall`, `WINAPI`). */
const CALLING_CONVENTIONS = new Set(['__stdcall', 'WINAPI', '__cdecl']);
/** Compiler extensions pycparser does not know: the usual reason a header pasted into a cdef fails. */
const EXTENSIONS = new Set(['__attribute__', '__attribute', '__declspec', '__restrict', '__restrict__', '__inline', '__inline__', '__asm__', '__asm', 'asm', '__extension__', '__const', '__signed__', '__volatile__', '__typeof__', 'typeof', '__nonnull', '_Nullable', '_Nonnull']);
/** The primitive types cffi's model knows, spelled as its normalisation produces them. */
const CFFI_PRIMITIVES = new Set(['char', 'short', 'int', 'long', 'long long', 'signed char', 'unsigned char', 'unsigned short', 'unsigned int', 'unsigned long', 'unsigned long long', 'float', 'double', 'long double', 'float _Complex', 'double _Complex', '_Bool']);
const INT_WORDS = new Set(['int', 'long', 'short', 'signed', 'unsigned', 'char']);
const INT_LITERAL = /^-?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)[uUlL]*$/;

class SyntaxStop extends Error {}

/** How many `*` are in `text[from, to)`. */
function countStars(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 42) n++;
  return n;
}

function quote(t: Tok): string {
  if (t.k === 'eof') return 'the end of the cdef';
  if (t.dots) return '`...`';
  return `\`${t.v.length > 30 ? t.v.slice(0, 30) + '…' : t.v}\``;
}

/** Tokens of the cdef, with directives handled on the way (cffi removes them before pycparser runs). */
function lex(src: string, problems: CdefCheckProblem[], directives: Directive[]): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = true;
  let comment = false;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === '\n') { line++; i++; lineStart = true; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') { i++; continue; }
    if (c === '\\' && src[i + 1] === '\n') { i += 2; line++; comment = true; continue; }
    if (c === '/' && (src[i + 1] === '*' || src[i + 1] === '/')) comment = true;
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let j = i; j < stop; j++) if (src[j] === '\n') line++;
      if (end < 0) problems.push({ kind: 'syntax', start: i, end: i + 2, message: 'unterminated comment: expected `*/`' });
      i = stop;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i += src[i] === '\\' && src[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    if (c === '#' && lineStart) {
      // a directive runs to the end of the line, with backslash continuations; comments inside are blanked
      let j = i;
      let text = '';
      let plain = true;
      while (j < n && src[j] !== '\n') {
        if (src[j] === '\\' && src[j + 1] === '\n') { j += 2; line++; text += ' '; plain = false; continue; }
        if (src[j] === '/' && src[j + 1] === '*') plain = false;
        if (src[j] === '/' && src[j + 1] === '*') {
          const end = src.indexOf('*/', j + 2);
          const stop = end < 0 ? n : end + 2;
          for (let q = j; q < stop; q++) if (src[q] === '\n') line++;
          j = stop;
          text += ' ';
          continue;
        }
        if (src[j] === '/' && src[j + 1] === '/') { while (j < n && src[j] !== '\n') j++; break; }
        text += src[j++];
      }
      checkDirective(text, i, i + text.trimEnd().length, problems);
      directives.push({ s: i, e: j, plain });
      i = j;
      continue;
    }
    lineStart = false;
    const start = i;
    const code = src.charCodeAt(i);
    if (isIdStart(code)) {
      i++;
      while (i < n && isIdPart(src.charCodeAt(i))) i++;
      toks.push(comment ? { k: 'id', v: src.slice(start, i), s: start, e: i, line, c: true } : { k: 'id', v: src.slice(start, i), s: start, e: i, line });
      comment = false;
      continue;
    }
    if ((code >= 48 && code <= 57) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      while (i < n && (/[A-Za-z0-9_.]/.test(src[i]!) || (/[eEpP]/.test(src[i - 1]!) && /[+-]/.test(src[i]!)))) i++;
      toks.push({ k: 'num', v: src.slice(start, i), s: start, e: i, line, ...(comment ? { c: true } : {}) });
      comment = false;
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < n && src[i] !== c && src[i] !== '\n') i += src[i] === '\\' ? 2 : 1;
      if (src[i] !== c) {
        problems.push({ kind: 'syntax', start, end: Math.min(i, start + 1), message: `unterminated ${c === '"' ? 'string' : 'character'} literal` });
        throw new SyntaxStop();
      }
      i++;
      toks.push({ k: c === '"' ? 'str' : 'char', v: src.slice(start, i), s: start, e: i, line, ...(comment ? { c: true } : {}) });
      comment = false;
      continue;
    }
    const p = PUNCT_START.has(c) ? (PUNCTS.find((q) => src.startsWith(q, i)) ?? c) : c;
    i += p.length;
    toks.push(comment ? { k: 'punct', v: p, s: start, e: i, line, c: true } : { k: 'punct', v: p, s: start, e: i, line });
    comment = false;
  }
  toks.push({ k: 'eof', v: '', s: n, e: n, line });
  return toks;
}

function checkDirective(text: string, start: number, end: number, problems: CdefCheckProblem[]): void {
  const m = /^#\s*([A-Za-z_]\w*|\d+)?/.exec(text);
  const word = m?.[1] ?? '';
  if (word === 'pragma' && /^#\s*pragma\s+pack\b/.test(text)) {
    // cffi accepts and ignores it, so the layout silently differs from the C compiler's
    problems.push({ kind: 'directive', start, end, message: 'cffi ignores `#pragma pack`: pass packed=True or pack=n to ffi.cdef', detail: text.trim() });
    return;
  }
  if (word === 'line' || /^\d+$/.test(word) || word === 'pragma') return; // pycparser accepts these
  if (word === 'define') {
    const d = /^#\s*define\s+([A-Za-z_]\w*)\b(.*)$/s.exec(text);
    const value = d?.[2]?.trim() ?? '';
    if (d && (value === '...' || INT_LITERAL.test(value))) return;
    const name = d?.[1] ?? '';
    const message = !d
      ? '`#define` needs a name'
      : /^\(/.test(d[2] ?? '')
        ? `function-like macro \`${name}\`: cffi accepts only \`#define ${name} ...\` or an integer`
        : `\`#define ${name}\` needs \`...\` or an integer literal as its value`;
    problems.push({ kind: 'directive', start, end, message, detail: text.trim() });
    return;
  }
  problems.push({ kind: 'directive', start, end, message: `\`#${word}\` is not allowed in a cdef: cffi does not run the C preprocessor`, detail: text.trim() });
}

/** cffi's `...` rewrites, on tokens: `[...]`, enum `= ...`/`...}`, `int...`/`float...`, the rest a type name. */
function rewriteDots(toks: Tok[]): Tok[] {
  if (!toks.some((t) => t.k === 'punct' && t.v === '...')) return toks; // most cdefs: no copy
  const out: Tok[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.v !== '...' || t.k !== 'punct') {
      out.push(t);
      continue;
    }
    const prev = out[out.length - 1];
    const next = toks[i + 1];
    if (prev?.v === '[' && next?.v === ']') {
      out.push({ ...t, k: 'num', dots: 'num' });
    } else if (prev?.v === '=' && (next?.v === ',' || next?.v === '}')) {
      out[out.length - 1] = { ...prev, v: ',' }; // `A = ..., B` becomes `A, <name>, B`
      out.push({ ...t, k: 'id', dots: 'name' });
    } else if (next?.v === '}') {
      out.push({ ...t, k: 'id', dots: 'name' });
    } else if (prev && prev.k === 'id' && (INT_WORDS.has(prev.v) || prev.v === 'float' || prev.v === 'double')) {
      // `unsigned long...` becomes one type name
      let j = out.length - 1;
      const words = prev.v === 'float' || prev.v === 'double' ? new Set([prev.v]) : INT_WORDS;
      while (j > 0 && out[j - 1]!.k === 'id' && words.has(out[j - 1]!.v) && words === INT_WORDS) j--;
      const first = out[j]!;
      out.length = j;
      out.push({ k: 'id', v: 'int...', s: first.s, e: t.e, line: first.line, dots: 'type' });
    } else {
      out.push({ ...t, k: 'id', dots: 'type' });
    }
  }
  return out;
}

/** Brackets must pair up before anything else makes sense: reports the first one that does not. */
function checkBrackets(toks: Tok[], problems: CdefCheckProblem[]): boolean {
  // braces are left to the parser, which says where a struct or enum stops making sense
  const pairs: Record<string, string> = { ')': '(', ']': '[' };
  const close: Record<string, string> = { '(': ')', '[': ']' };
  const stack: Tok[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.k !== 'punct') continue;
    if (t.v === '(' || t.v === '[') stack.push(t);
    else if (t.v in pairs) {
      const top = stack[stack.length - 1];
      if (top?.v === pairs[t.v]) { stack.pop(); continue; }
      const deeper = stack.some((o) => o.v === pairs[t.v]);
      if (deeper && top) problems.push({ kind: 'syntax', start: top.s, end: top.e, message: `unbalanced \`${top.v}\`: expected \`${close[top.v]}\` before ${quote(t)}` });
      else problems.push({ kind: 'syntax', start: t.s, end: t.e, message: `unbalanced \`${t.v}\`: no \`${pairs[t.v]}\` opens it` });
      return false;
    }
  }
  const open = stack[stack.length - 1];
  if (open) {
    problems.push({ kind: 'syntax', start: open.s, end: open.e, message: `unbalanced \`${open.v}\`: no \`${close[open.v]}\` closes it` });
    return false;
  }
  return true;
}

interface Specifiers {
  typedef: boolean;
  hasType: boolean;
  builtins: Tok[];
  /** The type is a struct/union/enum (a declaration of it alone is fine). */
  tag: boolean;
  /** The type is one of cffi's `...` placeholders. */
  dots?: Tok;
  /** Any storage class, qualifier or function specifier (pycparser then takes a lone name as `int name`). */
  any: boolean;
  /** Token indexes of the first specifier and of the type's first and last tokens (-1: no type). */
  first: number;
  typeFrom: number;
  typeTo: number;
  /** `const`, `volatile`, `restrict` among the specifiers (before or after the type). */
  quals: Tok[];
  tagged?: TagInfo;
}

/** A struct, union or enum specifier, with what tree-sitter's reader takes from its body. */
interface TagInfo {
  kw: Tok;
  name?: Tok;
  body: boolean;
  fields: CField[];
  enumerators: CDeclaration[];
}

interface Declarator {
  name?: Tok;
  isFunction: boolean;
  /** Stars and suffixes: a bare `name` has neither. */
  pointers: number;
  suffixes: number;
  /** Token indexes of its first and last tokens (to < from: no token). */
  from: number;
  to: number;
  /** What the stars are applied to: a name, a parenthesised declarator, nothing (abstract). */
  core: 'name' | 'paren' | 'none';
  /** Its own suffixes in order, `a` an array, `f` a parameter list (`fa`: `f(int)[3]`). */
  kinds: string;
  /** The parameters of its last parameter list. */
  params?: Param[];
  variadic?: boolean;
}

/** One parameter: its specifiers and declarator, or a lone name (an old-style identifier list). */
interface Param {
  specs?: Specifiers;
  d?: Declarator;
  lone?: Tok;
}

const READ_QUALIFIERS = new Set(['const', 'volatile', 'restrict']);
/** The specifiers' word lists until a word is added (most specifiers have one builtin word and no qualifier). */
const NO_TOKS = Object.freeze([]) as unknown as Tok[];
/** Words tree-sitter-c reads as a storage_class_specifier (not part of a type string). */
const TS_STORAGE = new Set(['extern', 'static', 'register', 'inline']);
const SIZE_WORDS = new Set(['signed', 'unsigned', 'long', 'short']);

class CdefParser {
  private i = 0;
  /** The declarations read so far; undefined once the parse met something the tree-sitter reader may read differently. */
  private out?: CDeclaration[];
  readonly typedefs: Set<string>;
  readonly declaredTypedefs: { name: string; start: number; end: number }[] = [];
  readonly typeRefs: { name: string; start: number; end: number }[] = [];
  /** Integer constants cffi knows at this point (integer #defines, enumerators so far). */
  private readonly constants: Set<string>;
  private externPython = false;
  private paramDepth = 0;
  private parenDepth = 0;
  /** Inside an array length, enum value or bit width: cffi computes these itself, with few operators. */
  private inConstant = false;
  private constIssue?: Tok;
  private constIds: Tok[] = [];

  constructor(
    private readonly toks: Tok[],
    private readonly problems: CdefCheckProblem[],
    known: ReadonlySet<string>,
    macros: ReadonlySet<string>,
    private readonly source = '',
    private readonly directives: Directive[] = [],
    private readonly reader?: DeclarationReader,
  ) {
    this.typedefs = new Set(known);
    this.constants = new Set(macros);
    if (reader) this.out = [];
  }

  /** The declarations, or undefined when not asked for or not read exactly. */
  declarations(): CDeclaration[] | undefined {
    return this.out;
  }

  /**
   * Stops reading declarations (analysis/cdef.ts then reads them with tree-sitter): called on every construct
   * where tree-sitter's parse of the masked C and this one may differ, or the reader's rules were not copied.
   */
  private giveUp(): void {
    this.out = undefined;
  }

  private get t(): Tok {
    return this.toks[this.i]!;
  }
  private peek(n = 1): Tok {
    return this.toks[Math.min(this.i + n, this.toks.length - 1)]!;
  }
  private prev(): Tok | undefined {
    return this.toks[this.i - 1];
  }
  private is(v: string): boolean {
    return this.t.v === v && (this.t.k === 'punct' || this.t.k === 'id') && !this.t.dots;
  }
  private eat(v: string): boolean {
    if (!this.is(v)) return false;
    this.i++;
    return true;
  }

  private fail(message: string, at: Tok = this.t): never {
    this.problems.push({ kind: 'syntax', start: at.s, end: Math.max(at.e, at.s + (at.k === 'eof' ? 0 : 1)), message });
    throw new SyntaxStop();
  }
  private failExtension(t: Tok): never {
    this.problems.push({ kind: 'directive', start: t.s, end: t.e, message: `\`${t.v}\` is a compiler extension cffi's parser rejects`, detail: t.v });
    throw new SyntaxStop();
  }
  /** `expected X` after the previous token when the next one is on a later line or the end, else before it. */
  private expectAfter(what: string, where: string): never {
    const p = this.prev();
    if (p && (this.t.k === 'eof' || this.t.line > p.line || this.startsSpecifiers())) this.fail(`expected ${what} after this ${where}`, p);
    this.fail(`expected ${what} before ${quote(this.t)}`);
  }

  private isTypeName(t: Tok): boolean {
    return t.k === 'id' && (t.dots === 'type' || (!t.dots && this.typedefs.has(t.v)));
  }
  private startsSpecifiers(t: Tok = this.t): boolean {
    if (t.k !== 'id') return false;
    if (t.dots) return t.dots === 'type';
    return BUILTIN_TYPES.has(t.v) || STORAGE.has(t.v) || QUALIFIERS.has(t.v) || FUNCTION_SPECIFIERS.has(t.v) || t.v === 'struct' || t.v === 'union' || t.v === 'enum' || this.typedefs.has(t.v);
  }
  /** An identifier no declaration made a type, in a place only a type fits (pycparser: a parse error). */
  private looksLikeUnknownType(): boolean {
    const t = this.t;
    if (t.k !== 'id' || t.dots || KEYWORDS.has(t.v) || this.typedefs.has(t.v)) return false;
    const n = this.peek();
    const n2 = this.peek(2);
    return (n.k === 'id' && !n.dots) || n.v === '*' || (n.k === 'id' && n.dots === 'type') || (n.v === '(' && (n2.v === '*' || n2.v === '(')) || n.v === ')' || n.v === ',' || n.v === '[';
  }

  parseAll(): void {
    let di = 0;
    while (this.t.k !== 'eof') {
      const start = this.i;
      if (this.out) di = this.macrosBefore(di, this.t.s);
      try {
        this.externalDeclaration();
      } catch (e) {
        if (!(e instanceof SyntaxStop)) throw e;
        this.recover(start);
      }
      // a directive inside a declaration
      if (this.out && di < this.directives.length && this.i > 0 && this.directives[di]!.s < this.toks[this.i - 1]!.e) this.giveUp();
    }
    if (this.out) this.macrosBefore(di, Infinity);
  }

  /** The `#define`s before `upTo`, as tree-sitter's `preproc_def` (from `#` to past the newline). */
  private macrosBefore(di: number, upTo: number): number {
    for (; di < this.directives.length && this.directives[di]!.s < upTo && this.out; di++) {
      const d = this.directives[di]!;
      const m = /^#[ \t]*define[ \t]+([A-Za-z_]\w*)/.exec(this.source.slice(d.s, d.e));
      if (!m || !d.plain) {
        this.giveUp();
        break;
      }
      const ns = d.s + m[0].length - m[1]!.length;
      const end = d.e < this.source.length ? d.e + 1 : d.e;
      const span = this.reader!.span(d.s, end);
      this.out.push({ kind: 'macro', name: m[1]!, nameSpan: this.reader!.span(ns, ns + m[1]!.length), span, text: this.source.slice(d.s, end).trim() });
    }
    return di;
  }

  private masked(from: number, to: number): string {
    return this.reader!.masked.slice(from, to);
  }

  /** The text of the type (tree-sitter's `type` node), or `int` without one. */
  private baseType(specs: Specifiers): string {
    return specs.typeFrom >= 0 ? this.masked(this.toks[specs.typeFrom]!.s, this.toks[specs.typeTo]!.e) : 'int';
  }

  /** CReader.typeText: the type, then the declarator's text without the name, whitespace collapsed. */
  private typeText(specs: Specifiers, d: Declarator | undefined): string {
    const base = this.baseType(specs);
    if (!d || !d.name || d.to < d.from) return base;
    const abstract = (this.masked(this.toks[d.from]!.s, d.name.s) + this.masked(d.name.e, this.toks[d.to]!.e)).replace(/\s+/g, ' ').trim();
    return abstract ? `${base} ${abstract}` : base;
  }

  private addTagged(tag: TagInfo, span: Span, text: string): void {
    const kind = tag.kw.v as 'struct' | 'union' | 'enum';
    const out = this.out!;
    if (tag.name && tag.body) out.push({ kind, name: tag.name.v, nameSpan: this.reader!.span(tag.name.s, tag.name.e), span, text, ...(kind === 'enum' ? {} : { fields: tag.fields }) });
    if (kind === 'enum' && tag.body) out.push(...tag.enumerators);
  }

  /** `struct s { ... };`: tree-sitter's top-level node is the specifier alone, without the `;`. */
  private emitBare(specs: Specifiers): void {
    if (specs.typedef || specs.any || !specs.tagged) return this.giveUp();
    const s = this.toks[specs.typeFrom]!.s;
    const e = this.toks[specs.typeTo]!.e;
    this.addTagged(specs.tagged, this.reader!.span(s, e), this.source.slice(s, e).trim());
  }

  /** A declaration or typedef, as CReader.collect reads its `declaration` or `type_definition` node. */
  private emitDeclaration(specs: Specifiers, first: Tok, ds: Declarator[]): void {
    const r = this.reader!;
    const out = this.out!;
    const start = first.s;
    const end = this.toks[this.i - 1]!.e;
    const span = r.span(start, end);
    const text = this.source.slice(start, end).trim();
    if (specs.tagged) this.addTagged(specs.tagged, span, text);
    if (specs.typedef) {
      if (specs.dots && ds.length > 1) return this.giveUp();
      for (const d of ds) {
        if (!d.name) continue;
        // `typedef ... name;` is masked to `typedef name;`: tree-sitter reads the name as the type and no declarator
        if (specs.dots && specs.dots.v === '...' && d.pointers + d.suffixes === 0) continue;
        out.push({ kind: 'typedef', name: d.name.v, nameSpan: r.span(d.name.s, d.name.e), span, text });
      }
      return;
    }
    if (specs.dots) return this.giveUp();
    // `name (*fp)(int);` at the top is a call expression to tree-sitter-c, which knows no typedef names
    if (specs.builtins.length === 0 && !specs.tag && ds[0] && this.toks[ds[0].from]!.v === '(') return this.giveUp();
    for (const d of ds) {
      if (!d.name) continue;
      let fn = false;
      if (d.core === 'name' && d.kinds === 'f') fn = true;
      else if (!(d.core === 'name' && /^a*$/.test(d.kinds)) && !(d.core === 'paren' && d.kinds.length <= 1)) return this.giveUp();
      const nameSpan = r.span(d.name.s, d.name.e);
      if (!fn) {
        out.push({ kind: 'variable', name: d.name.v, nameSpan, span, text, returns: this.typeText(specs, d) });
        continue;
      }
      const params: { type: string; name?: string }[] = [];
      for (const p of d.params ?? []) {
        if (p.lone) {
          params.push({ type: p.lone.v, name: undefined });
          continue;
        }
        const ps = p.specs!;
        const pd = p.d && p.d.to >= p.d.from ? p.d : undefined;
        const type = pd?.name ? this.typeText(ps, pd) : (this.baseType(ps) + ' ' + (pd ? this.masked(this.toks[pd.from]!.s, this.toks[pd.to]!.e) : '')).trim();
        const full = ps.quals.length === 0 ? type : [...ps.quals.map((q) => q.v), type].join(' ');
        params.push({ type: full.replace(/\s+/g, ' '), name: pd?.name ? pd.name.v : undefined });
      }
      if (params.length === 1 && params[0]!.type === 'void' && !params[0]!.name) params.length = 0;
      const stars = '*'.repeat(countStars(this.reader!.masked, this.toks[d.from]!.s, d.name.s));
      const returns = `${specs.quals.length === 0 ? '' : specs.quals.map((q) => q.v + ' ').join('')}${this.baseType(specs)}${stars ? ' ' + stars : ''}`;
      out.push({ kind: 'function', name: d.name.v, nameSpan, span, text, returns, params, variadic: d.variadic ?? false, externPython: r.isExternPython(start) });
    }
  }

  /** After an error: skip to the `;` that ends the declaration (at bracket depth 0), or a line start that begins a new one. */
  private recover(start: number): void {
    let depth = 0;
    if (this.i === start) this.i++;
    const errLine = this.prev()?.line ?? 0;
    while (this.t.k !== 'eof') {
      const v = this.t.k === 'punct' ? this.t.v : '';
      if (v === '(' || v === '[' || v === '{') depth++;
      else if (v === ')' || v === ']' || v === '}') depth--;
      else if (v === ';' && depth <= 0) { this.i++; return; }
      if (depth <= 0 && this.t.line > errLine && this.prev()?.v !== ',' && this.startsSpecifiers() && (this.t.v === 'typedef' || this.t.v === 'extern' || this.t.v === 'struct')) return;
      this.i++;
    }
  }

  private externalDeclaration(): void {
    if (this.eat(';')) return;
    while (this.is('extern') && this.peek().v === 'extern' && this.peek(2).k === 'str') this.i++, this.giveUp(); // cffi's regex takes the last one
    if (this.is('extern') && this.peek().k === 'str') {
      const str = this.peek();
      if (!/^"\s*(Python|Python\s*\+\s*C|C\s*\+\s*Python)\s*"$/.test(str.v)) this.fail(`\`extern ${str.v}\` is not allowed in a cdef; only \`extern "Python"\` is`, str);
      // maskCffiSyntax blanks only `extern\s+"Python(+C)?"`
      if ((str.v !== '"Python"' && str.v !== '"Python+C"') || str.c || str.s === this.t.e) this.giveUp();
      this.i += 2;
      this.externPython = true;
      try {
        if (this.is('{')) {
          // maskCffiSyntax masks the braces (their declarations are top-level ones for tree-sitter), if it found them
          if (this.reader && this.reader.masked[this.t.s] !== ' ') this.giveUp();
          this.i++;
          while (!this.is('}')) {
            if (this.t.k === 'eof') this.fail('expected `}` to close `extern "Python" {`');
            if (this.is('{')) this.fail('cffi does not allow `{` inside `extern "Python" { ... }`');
            this.declaration();
          }
          if (this.reader && this.reader.masked[this.t.s] !== ' ') this.giveUp();
          this.i++;
          return;
        }
        this.declaration();
      } finally {
        this.externPython = false;
      }
      return;
    }
    if (this.is('_Static_assert')) this.fail('`_Static_assert` is valid C but not allowed in a cdef');
    this.declaration();
  }

  private declaration(): void {
    if (this.eat(';')) return;
    const first = this.t;
    const specs = this.specifiers('declaration');
    if (this.is(';')) {
      if (!specs.tag || specs.typedef && this.prev()?.v === '}') this.fail('this declaration declares nothing: give it a name', first);
      this.i++;
      if (this.out) this.emitBare(specs);
      return;
    }
    let count = 0;
    const ds: Declarator[] = [];
    for (;;) {
      const d = this.declarator('named');
      ds.push(d);
      count++;
      if (specs.dots) this.checkDotsType(specs, d, 'declaration');
      if (!specs.hasType && !d.isFunction) this.fail('missing type in this declaration', first);
      if (this.externPython && !d.isFunction && d.name) this.fail('`extern "Python"` declares only functions', d.name);
      if (this.is('{')) {
        if (d.isFunction && count === 1) this.fail('a function body is not allowed in a cdef: declare the function with `;`');
        this.expectAfter('`;`', 'declaration');
      }
      if (this.eat('=')) {
        this.giveUp();
        this.initializer();
      }
      this.checkBuiltins(specs);
      if (specs.typedef && d.name) {
        this.typedefs.add(d.name.v);
        this.declaredTypedefs.push({ name: d.name.v, start: d.name.s, end: d.name.e });
      }
      if (this.eat(',')) continue;
      if (this.eat(';')) break;
      this.expectAfter('`;`', 'declaration');
    }
    if (this.out) this.emitDeclaration(specs, first, ds);
  }

  /** cffi accepts its `...` type only in `typedef ... name;` (or `*name`), `typedef int... name;`, `...;` members and varargs. */
  private checkDotsType(specs: Specifiers, d: Declarator, where: 'declaration' | 'member' | 'parameter'): void {
    const dots = specs.dots!;
    const intLike = dots.v === 'int...';
    if (where === 'declaration' && specs.typedef && (intLike ? d.pointers + d.suffixes === 0 : d.suffixes === 0 && d.pointers <= 1)) return;
    if (intLike) this.fail('`int...`/`float...` is allowed only as `typedef int... name;`', dots);
    this.fail('`...` stands for a type only in `typedef ... name;`', dots);
  }

  /** cffi's type table: a list of builtin words it does not know is rejected (FFIError "Unsupported type"). */
  private checkBuiltins(specs: Specifiers): void {
    if (specs.builtins.length === 0) return;
    if (specs.builtins.length === 1 && CFFI_PRIMITIVES.has(specs.builtins[0]!.v)) return; // `int`, `char`, `double`
    const words = specs.builtins.map((b) => b.v);
    // cffi's normalisation (cparser.py): leading short/long/signed/unsigned are prefixes, `signed` is dropped
    let names = [...words];
    if (names.join(' ') !== 'signed char') {
      const prefixes = new Map<string, number>();
      while (names.length && ['short', 'long', 'signed', 'unsigned'].includes(names[0]!)) {
        prefixes.set(names[0]!, (prefixes.get(names[0]!) ?? 0) + 1);
        names.shift();
      }
      const lead: string[] = [];
      for (const p of ['unsigned', 'short', 'long']) for (let k = 0; k < (prefixes.get(p) ?? 0); k++) lead.push(p);
      if (!names.length) names = ['int'];
      if (names.join(' ') === 'int' && (prefixes.has('short') || prefixes.has('long'))) names = [];
      names = [...lead, ...names];
    }
    const key = names.join(' ');
    if (key === 'void' || CFFI_PRIMITIVES.has(key)) return;
    const a = specs.builtins[0]!;
    const b = specs.builtins[specs.builtins.length - 1]!;
    this.problems.push({ kind: 'syntax', start: a.s, end: b.e, message: `\`${words.join(' ')}\` is not a type cffi supports` });
    throw new SyntaxStop();
  }

  private specifiers(where: 'declaration' | 'member' | 'parameter' | 'typename'): Specifiers {
    const specs: Specifiers = { typedef: false, hasType: false, builtins: NO_TOKS, tag: false, any: false, first: this.i, typeFrom: -1, typeTo: -1, quals: NO_TOKS };
    for (;;) {
      const t = this.t;
      if (t.k !== 'id') break;
      if (EXTENSIONS.has(t.v)) this.failExtension(t);
      if (!t.dots && CALLING_CONVENTIONS.has(t.v)) { specs.any = true; this.i++; this.giveUp(); continue; } // cffi: `volatile volatile const`
      if (!t.dots && STORAGE.has(t.v)) {
        if (where === 'member' || where === 'typename' || (where === 'parameter' && t.v === 'typedef')) this.fail(`\`${t.v}\` is not allowed in a ${where === 'member' ? 'struct member' : where}`);
        if (t.v === 'typedef') specs.typedef = true;
        // tree-sitter's type_definition starts with `typedef`
        if (t.v === 'typedef' ? this.i !== specs.first : !TS_STORAGE.has(t.v)) this.giveUp();
        specs.any = true;
        this.i++;
        continue;
      }
      if (!t.dots && (QUALIFIERS.has(t.v) || FUNCTION_SPECIFIERS.has(t.v))) {
        if (READ_QUALIFIERS.has(t.v)) specs.quals = specs.quals === NO_TOKS ? [t] : [...specs.quals, t];
        else if (!TS_STORAGE.has(t.v)) this.giveUp();
        specs.any = true;
        this.i++;
        continue;
      }
      if (!t.dots && BUILTIN_TYPES.has(t.v)) {
        if (specs.tag || specs.dots || (specs.hasType && specs.builtins.length === 0)) this.twoTypes(t);
        // one sized_type_specifier or primitive_type: size words, then at most one other word, with nothing between
        const last = specs.builtins[specs.builtins.length - 1];
        if (t.v === '_Complex' || t.v === '__int128' || (last && (specs.typeTo !== this.i - 1 || !SIZE_WORDS.has(last.v)))) this.giveUp();
        if (specs.typeFrom < 0) specs.typeFrom = this.i;
        specs.typeTo = this.i;
        specs.builtins = specs.builtins === NO_TOKS ? [t] : [...specs.builtins, t];
        specs.hasType = true;
        this.i++;
        continue;
      }
      if (!t.dots && (t.v === 'struct' || t.v === 'union' || t.v === 'enum')) {
        if (specs.hasType) this.twoTypes(t);
        specs.typeFrom = this.i;
        specs.tagged = this.tagged();
        specs.typeTo = this.i - 1;
        specs.hasType = true;
        specs.tag = true;
        continue;
      }
      if (!specs.hasType && this.isTypeName(t)) {
        specs.hasType = true;
        if (t.dots) specs.dots = t;
        specs.typeFrom = specs.typeTo = this.i;
        this.i++;
        continue;
      }
      if (!specs.hasType && this.looksLikeUnknownType()) {
        this.typeRefs.push({ name: t.v, start: t.s, end: t.e });
        specs.hasType = true;
        specs.typeFrom = specs.typeTo = this.i;
        this.i++;
        continue;
      }
      break;
    }
    if (!specs.hasType && specs.any && where === 'declaration') {
      this.giveUp();
      return specs; // `const x;` is `const int x;`
    }
    if (!specs.hasType) {
      const t = this.t;
      if (t.k === 'id' && !t.dots && !KEYWORDS.has(t.v) && !this.typedefs.has(t.v) && where !== 'typename') {
        // pycparser fails here too; the name is reported as an unknown type (PB310), which says more
        this.typeRefs.push({ name: t.v, start: t.s, end: t.e });
        this.i++;
        this.giveUp();
        return { ...specs, hasType: true };
      }
      if (t.dots === 'name' && where === 'member') this.fail('expected `;` after `...`');
      if (where === 'parameter') this.fail(`expected a parameter type before ${quote(t)}`);
      if (where === 'typename') this.fail(`expected a type before ${quote(t)}`);
      if (t.k === 'str') this.fail(`unexpected string ${quote(t)} in a cdef`);
      this.fail(`expected a declaration before ${quote(t)}`);
    }
    return specs;
  }

  private twoTypes(t: Tok): never {
    const p = this.prev();
    if (p?.v === '}') this.fail('expected `;` after this `}`', p);
    this.fail(`two types in one declaration: ${quote(t)} after a type`);
  }

  private tagged(): TagInfo {
    const kw = this.t;
    this.i++;
    let name: Tok | undefined;
    if (this.t.k === 'id' && !this.t.dots && !KEYWORDS.has(this.t.v)) name = this.t, this.i++;
    const tag: TagInfo = { kw, name, body: false, fields: [], enumerators: [] };
    if (!this.is('{')) {
      if (!name) this.fail(`expected a ${kw.v} name or \`{\` after \`${kw.v}\``);
      return tag;
    }
    this.i++;
    tag.body = true;
    if (kw.v === 'enum') {
      if (this.is('}')) this.fail('an enum needs at least one enumerator');
      for (;;) {
        const e = this.t;
        if (e.k !== 'id' || (KEYWORDS.has(e.v) && !e.dots)) this.fail(`expected an enumerator name before ${quote(e)}`);
        // `...` (`A = ...` masked to `A`, a trailing `...` to nothing) is no enumerator tree-sitter reads
        this.i++;
        this.constants.add(e.v);
        if (this.eat('=')) this.constant();
        if (this.out && !e.dots) {
          const end = this.prev()!.e;
          tag.enumerators.push({ kind: 'enumerator', name: e.v, nameSpan: this.reader!.span(e.s, e.e), span: this.reader!.span(e.s, end), text: this.masked(e.s, end) });
        }
        if (this.eat(',')) {
          while (this.eat(',')) this.giveUp(); // pycparser lets `A, , B` through
          if (this.eat('}')) return tag;
          continue;
        }
        if (this.eat('}')) return tag;
        this.expectAfter('`,` or `}`', 'enumerator');
      }
    }
    while (!this.eat('}')) {
      if (this.t.k === 'eof') this.fail(`expected \`}\` to close the ${kw.v}`);
      if (this.eat(';')) {
        this.giveUp();
        continue;
      }
      const memberStart = this.t;
      const specs = this.specifiers('member');
      if (this.is(';')) {
        if (!specs.tag && !(specs.dots && specs.dots.v === '...')) this.fail('this member declares nothing: give it a name', memberStart);
        this.i++;
        continue;
      }
      const ds: Declarator[] = [];
      let bits = false;
      for (;;) {
        if (!this.is(':')) {
          const d = this.declarator('named');
          ds.push(d);
          if (specs.dots) this.checkDotsType(specs, d, 'member');
        } else if (specs.dots) this.checkDotsType(specs, { isFunction: false, pointers: 0, suffixes: 0, from: 0, to: -1, core: 'none', kinds: '' }, 'member');
        if (this.eat(':')) {
          bits = true;
          this.constant();
        }
        this.checkBuiltins(specs);
        if (this.eat(',')) continue;
        if (this.eat(';')) break;
        if (this.is('}')) this.expectAfter('`;`', 'member');
        this.expectAfter('`;`', 'member');
      }
      if (!this.out) continue;
      // tree-sitter-c allows a bit width only after the last declarator of a member
      if (bits && ds.length > 1) this.giveUp();
      const span = this.reader!.span(memberStart.s, this.prev()!.e);
      for (const d of ds) if (d.name) tag.fields.push({ name: d.name.v, nameSpan: this.reader!.span(d.name.s, d.name.e), span, type: this.typeText(specs, d) });
    }
    return tag;
  }

  private pointer(): number {
    let n = 0;
    while (this.eat('*')) {
      n++;
      while (this.t.k === 'id' && !this.t.dots && (QUALIFIERS.has(this.t.v) || CALLING_CONVENTIONS.has(this.t.v))) {
        if (!READ_QUALIFIERS.has(this.t.v)) this.giveUp();
        this.i++;
      }
      if (this.t.k === 'id' && EXTENSIONS.has(this.t.v)) this.failExtension(this.t);
    }
    return n;
  }

  /** 'named' needs a name, 'abstract' has none, 'either' (parameters) may have one. */
  private declarator(mode: 'named' | 'abstract' | 'either'): Declarator {
    while (this.t.k === 'id' && !this.t.dots && CALLING_CONVENTIONS.has(this.t.v)) this.i++, this.giveUp();
    const from = this.i;
    const d: Declarator = { isFunction: false, pointers: this.pointer(), suffixes: 0, from, to: from - 1, core: 'none', kinds: '' };
    while (this.t.k === 'id' && !this.t.dots && CALLING_CONVENTIONS.has(this.t.v)) this.i++, this.giveUp();
    const t = this.t;
    let nestedPointers = 0;
    if (t.k === 'id' && !t.dots && EXTENSIONS.has(t.v)) this.failExtension(t);
    if (t.k === 'id' && mode !== 'abstract' && (!t.dots || t.v === '...' || t.dots === 'name') && !(KEYWORDS.has(t.v) && !t.dots)) {
      d.name = t;
      d.core = 'name';
      if (t.dots) this.giveUp(); // masked away
      this.i++;
    } else if (this.is('(') && (mode === 'named' || this.nestedDeclaratorAhead())) {
      this.i++;
      d.core = 'paren';
      // CReader takes the first named child of a parenthesized declarator as its declarator: not a comment
      if (this.t.c) this.giveUp();
      this.parenDepth++;
      const inner = this.declarator(mode);
      this.parenDepth--;
      d.name = inner.name;
      nestedPointers = inner.pointers;
      d.pointers += inner.pointers;
      d.suffixes += inner.suffixes;
      if (!this.eat(')')) this.fail(`expected \`)\` before ${quote(this.t)}`);
      if (inner.isFunction) d.isFunction = true;
    } else if (mode === 'named') {
      if (KEYWORDS.has(t.v) && t.k === 'id') this.fail(`expected a name before ${quote(t)}: \`${t.v}\` is a C keyword`);
      if (this.isTypeName(t) || (t.k === 'id' && t.dots === 'type')) this.fail(`expected a name before ${quote(t)}`);
      this.fail(`expected a name before ${quote(t)}`);
    }
    let suffixes = 0;
    for (;;) {
      if (this.eat('[')) {
        while (this.t.k === 'id' && !this.t.dots && (this.t.v === 'static' || QUALIFIERS.has(this.t.v))) this.i++;
        if (this.t.k === 'num' && this.t.dots === 'num') {
          if (this.paramDepth > 0 || this.parenDepth > 0 || nestedPointers > 0) this.fail('`[...]` is allowed only for a global, typedef or struct member, not here');
          this.i++;
        } else if (this.is('*') && this.peek().v === ']') this.i++;
        else if (!this.is(']')) this.constant();
        if (!this.eat(']')) this.fail(`expected \`]\` before ${quote(this.t)}`);
        suffixes++;
        d.kinds += 'a';
        continue;
      }
      if (this.is('(')) {
        this.i++;
        this.paramDepth++;
        const list = this.parameters();
        d.params = list.params;
        d.variadic = list.variadic;
        d.kinds += 'f';
        this.paramDepth--;
        if (suffixes === 0 && d.name && d.pointers === 0) d.isFunction = true;
        else if (suffixes === 0 && d.name && this.parenDepth === 0) d.isFunction = true;
        suffixes++;
        continue;
      }
      break;
    }
    d.suffixes += suffixes;
    d.to = this.i - 1;
    return d;
  }

  /** In an abstract declarator, `(` opens a nested declarator (`(*)`, `(*[3])`) rather than a parameter list. */
  private nestedDeclaratorAhead(): boolean {
    const n = this.peek();
    return n.v === '*' || n.v === '[' || (n.v === '(' && n.k === 'punct') || (n.k === 'id' && !n.dots && CALLING_CONVENTIONS.has(n.v)) || (n.k === 'id' && !n.dots && !KEYWORDS.has(n.v) && !this.typedefs.has(n.v));
  }

  private parameters(): { params: Param[]; variadic: boolean } {
    const list = { params: [] as Param[], variadic: false };
    if (this.eat(')')) return list;
    for (let index = 0; ; index++) {
      if (this.t.k === 'id' && !this.t.dots && !KEYWORDS.has(this.t.v) && !this.typedefs.has(this.t.v) && (this.peek().v === ',' || this.peek().v === ')')) {
        // `f(foo)`: an old-style identifier list, which cffi rejects as an unknown type
        const t = this.t;
        this.typeRefs.push({ name: t.v, start: t.s, end: t.e });
        this.i++;
        list.params.push({ lone: t });
      } else {
        const specs = this.specifiers('parameter');
        const d = this.declarator('either');
        this.checkBuiltins(specs);
        if (specs.dots && specs.dots.v === '...' && !d.name && d.pointers + d.suffixes === 0) {
          if (!this.is(')')) this.fail('`...` must be the last parameter', specs.dots);
          if (index === 0) this.fail('a function needs a parameter before `...`', specs.dots);
          // maskCffiSyntax keeps `...` only right between `,` and `)`
          if (specs.dots.c || this.t.c) this.giveUp();
          list.variadic = true;
        } else if (specs.dots) this.fail(specs.dots.v === 'int...' ? '`int...` is allowed only as `typedef int... name;`' : '`...` stands for a type only in `typedef ... name;`', specs.dots);
        else list.params.push({ specs, d });
      }
      if (this.eat(',')) continue;
      if (this.eat(')')) return list;
      if (this.startsSpecifiers() || this.t.k === 'id') this.fail(`expected \`,\` before ${quote(this.t)}`);
      this.fail(`expected \`,\` or \`)\` before ${quote(this.t)}`);
    }
  }

  private typeName(): void {
    const specs = this.specifiers('typename');
    this.declarator('abstract');
    this.checkBuiltins(specs);
  }

  private initializer(): void {
    if (this.is('{')) {
      let depth = 0;
      do {
        if (this.is('{')) depth++;
        else if (this.is('}')) depth--;
        this.i++;
      } while (depth > 0 && this.t.k !== 'eof');
      return;
    }
    this.assignment();
  }

  private assignment(): void {
    this.conditional();
    if (this.t.k === 'punct' && /^(=|\*=|\/=|%=|\+=|-=|<<=|>>=|&=|\^=|\|=)$/.test(this.t.v)) {
      this.i++;
      this.assignment();
    }
  }

  /** A constant cffi evaluates itself: numbers, known constants, unary + -, and + - * / % << >> & | ^. */
  private constant(): void {
    this.inConstant = true;
    this.constIssue = undefined;
    this.constIds = [];
    try {
      this.conditional();
    } finally {
      this.inConstant = false;
    }
    const bad = this.constIssue as Tok | undefined;
    if (bad) this.fail(`cffi cannot compute ${quote(bad)} in a constant; it knows only + - * / % << >> & | ^`, bad);
    for (const id of this.constIds) {
      if (this.constants.has(id.v)) continue;
      this.problems.push({ kind: 'syntax', start: id.s, end: id.e, message: `\`${id.v}\` is not a constant cffi knows here: \`#define ${id.v} <number>\` first`, detail: `constant:${id.v}` });
      throw new SyntaxStop();
    }
  }
  private unsupported(t: Tok): void {
    if (this.inConstant && !this.constIssue) this.constIssue = t;
  }

  private static readonly BINARY: Record<string, number> = {
    '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
  };

  private conditional(): void {
    this.binary(1);
    if (this.is('?')) this.unsupported(this.t);
    if (this.eat('?')) {
      this.assignment();
      if (!this.eat(':')) this.fail(`expected \`:\` before ${quote(this.t)}`);
      this.conditional();
    }
  }

  private binary(min: number): void {
    this.unary();
    for (;;) {
      const p = this.t.k === 'punct' ? CdefParser.BINARY[this.t.v] : undefined;
      if (p === undefined || p < min) return;
      if (p <= 2 || (p >= 6 && p <= 7)) this.unsupported(this.t);
      this.i++;
      this.binary(p + 1);
    }
  }

  private unary(): void {
    const t = this.t;
    if (t.k === 'punct' && ['+', '-', '!', '~', '*', '&', '++', '--'].includes(t.v)) {
      if (t.v !== '+' && t.v !== '-') this.unsupported(t);
      this.i++;
      this.unary();
      return;
    }
    if (t.k === 'id' && !t.dots && (t.v === 'sizeof' || t.v === '_Alignof')) {
      this.unsupported(t);
      this.i++;
      if (this.is('(') && this.startsSpecifiers(this.peek())) {
        this.i++;
        this.typeName();
        if (!this.eat(')')) this.fail(`expected \`)\` before ${quote(this.t)}`);
      } else this.unary();
      return;
    }
    if (this.is('(') && this.startsSpecifiers(this.peek())) {
      this.unsupported(t);
      this.i++;
      this.typeName();
      if (!this.eat(')')) this.fail(`expected \`)\` before ${quote(this.t)}`);
      this.unary();
      return;
    }
    this.postfix();
  }

  private postfix(): void {
    const t = this.t;
    if (this.eat('(')) {
      this.assignment();
      while (this.eat(',')) this.assignment();
      if (!this.eat(')')) this.fail(`expected \`)\` before ${quote(this.t)}`);
    } else if (t.k === 'num' || t.k === 'char' || (t.k === 'id' && (!KEYWORDS.has(t.v) || t.v === 'offsetof') && !this.isTypeName(t))) {
      if (t.k === 'num' && /[.]|^[1-9]\d*[eE]|^0[xX].*[pP]/.test(t.v)) this.unsupported(t);
      if (t.k === 'id' && this.inConstant) this.constIds.push(t);
      this.i++;
    } else if (t.k === 'str') {
      this.unsupported(t);
      while (this.t.k === 'str') this.i++;
    } else {
      this.fail(`expected an expression before ${quote(t)}`);
    }
    for (;;) {
      if (['[', '(', '.', '->', '++', '--'].includes(this.t.v) && this.t.k === 'punct') this.unsupported(this.t);
      if (this.eat('[')) {
        this.assignment();
        if (!this.eat(']')) this.fail(`expected \`]\` before ${quote(this.t)}`);
      } else if (this.eat('(')) {
        if (this.eat(')')) continue;
        this.assignment();
        while (this.eat(',')) this.assignment();
        if (!this.eat(')')) this.fail(`expected \`)\` before ${quote(this.t)}`);
      } else if (this.eat('.') || this.eat('->')) {
        if (this.t.k !== 'id') this.fail(`expected a member name before ${quote(this.t)}`);
        this.i++;
      } else if (this.eat('++') || this.eat('--')) {
        continue;
      } else return;
    }
  }
}

/**
 * Checks one cdef source. `known` holds the type names visible before it (cffi's predefined types and
 * typedefs of earlier cdefs of the same ffi).
 */
export function checkCdef(source: string, known: ReadonlySet<string>, reader?: DeclarationReader): CdefCheckResult {
  const problems: CdefCheckProblem[] = [];
  const directives: Directive[] = [];
  let toks: Tok[];
  try {
    toks = rewriteDots(lex(source, problems, directives));
  } catch (e) {
    if (!(e instanceof SyntaxStop)) throw e;
    return { problems, typeRefs: [], typedefNames: [] };
  }
  let read = !!reader;
  const count = toks.length;
  if (toks.some((t) => t.k === 'id' && t.v === '__cdecl')) toks = toks.filter((t) => !(t.k === 'id' && t.v === '__cdecl'));
  if (toks.length !== count) read = false;
  if (!checkBrackets(toks, problems)) return { problems, typeRefs: [], typedefNames: [] };
  if (read && !readable(source, toks)) read = false;
  const macros = new Set<string>();
  for (const m of source.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+(-?\w+)[ \t]*$/gm)) if (INT_LITERAL.test(m[2]!)) macros.add(m[1]!);
  const parser = new CdefParser(toks, problems, known, macros, source, directives, read ? reader : undefined);
  parser.parseAll();
  const declarations = problems.length === 0 ? parser.declarations() : undefined;
  return { problems, typeRefs: parser.typeRefs, typedefNames: parser.declaredTypedefs, ...(declarations ? { declarations } : {}) };
}

/**
 * Whether the tokens are ones tree-sitter sees alike: no line continuation, no `$` in a
 * name, no comment next to a `...` (maskCffiSyntax looks at the characters either side of it past whitespace).
 */
function readable(source: string, toks: Tok[]): boolean {
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.dots && (t.c || toks[k + 1]?.c)) return false;
    if (t.k === 'id' && t.v.includes('$')) return false;
  }
  return !/\\\r?\n/.test(source);
}
