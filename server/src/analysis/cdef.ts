import type { Language, Parser } from 'web-tree-sitter';
import { fieldId, flatten, type FlatTree } from '../parser/flatTree';
import type { Region } from '../documents/parsedDocument';
import type { CDeclaration, CdefProblem, CField, Span } from './model';
import { AnchoredSpan } from './spans';
import { decodeParts, mapOffset, type DecodedString } from './stringLiteral';
import { checkCdef } from './cdefCheck';

/** Types cffi knows without a declaration (cffi's cdef.rst, "predefined types"). */
export const CFFI_PREDEFINED_TYPES = new Set([
  'char', 'short', 'int', 'long', 'float', 'double', 'void', 'signed', 'unsigned', '_Bool', 'bool',
  'int8_t', 'uint8_t', 'int16_t', 'uint16_t', 'int32_t', 'uint32_t', 'int64_t', 'uint64_t',
  'int_least8_t', 'uint_least8_t', 'int_least16_t', 'uint_least16_t', 'int_least32_t', 'uint_least32_t',
  'int_least64_t', 'uint_least64_t', 'int_fast8_t', 'uint_fast8_t', 'int_fast16_t', 'uint_fast16_t',
  'int_fast32_t', 'uint_fast32_t', 'int_fast64_t', 'uint_fast64_t', 'intptr_t', 'uintptr_t', 'intmax_t',
  'uintmax_t', 'ptrdiff_t', 'size_t', 'ssize_t', 'wchar_t', 'char16_t', 'char32_t', 'FILE',
  'float _Complex', 'double _Complex',
  // Windows types cffi predefines
  'ATOM', 'BOOL', 'BOOLEAN', 'BYTE', 'CCHAR', 'CHAR', 'COLORREF', 'DWORD', 'DWORDLONG', 'DWORD_PTR', 'DWORD32',
  'DWORD64', 'FLOAT', 'HACCEL', 'HALF_PTR', 'HANDLE', 'HBITMAP', 'HBRUSH', 'HCOLORSPACE', 'HCONV', 'HCONVLIST',
  'HCURSOR', 'HDC', 'HDDEDATA', 'HDESK', 'HDROP', 'HDWP', 'HENHMETAFILE', 'HFILE', 'HFONT', 'HGDIOBJ', 'HGLOBAL',
  'HHOOK', 'HICON', 'HINSTANCE', 'HKEY', 'HKL', 'HLOCAL', 'HMENU', 'HMETAFILE', 'HMODULE', 'HMONITOR', 'HPALETTE',
  'HPEN', 'HRESULT', 'HRGN', 'HRSRC', 'HSZ', 'HWINSTA', 'HWND', 'INT', 'INT_PTR', 'INT8', 'INT16', 'INT32',
  'INT64', 'LANGID', 'LCID', 'LCTYPE', 'LGRPID', 'LONG', 'LONGLONG', 'LONG_PTR', 'LONG32', 'LONG64', 'LPARAM',
  'LPBOOL', 'LPBYTE', 'LPCOLORREF', 'LPCSTR', 'LPCVOID', 'LPCWSTR', 'LPDWORD', 'LPHANDLE', 'LPINT', 'LPLONG',
  'LPSTR', 'LPVOID', 'LPWORD', 'LPWSTR', 'LRESULT', 'PBOOL', 'PBOOLEAN', 'PBYTE', 'PCHAR', 'PCSTR', 'PCWSTR',
  'PDWORD', 'PDWORDLONG', 'PDWORD_PTR', 'PDWORD32', 'PDWORD64', 'PFLOAT', 'PHALF_PTR', 'PHANDLE', 'PHKEY', 'PINT',
  'PINT_PTR', 'PINT8', 'PINT16', 'PINT32', 'PINT64', 'PLCID', 'PLONG', 'PLONGLONG', 'PLONG_PTR', 'PLONG32',
  'PLONG64', 'POINTER_32', 'POINTER_64', 'POINTER_SIGNED', 'POINTER_UNSIGNED', 'PSHORT', 'PSIZE_T', 'PSSIZE_T',
  'PSTR', 'PUCHAR', 'PUHALF_PTR', 'PUINT', 'PUINT_PTR', 'PUINT8', 'PUINT16', 'PUINT32', 'PUINT64', 'PULONG',
  'PULONGLONG', 'PULONG_PTR', 'PULONG32', 'PULONG64', 'PUSHORT', 'PVOID', 'PWCHAR', 'PWORD', 'PWSTR', 'QWORD',
  'SC_HANDLE', 'SC_LOCK', 'SERVICE_STATUS_HANDLE', 'SHORT', 'SIZE_T', 'SSIZE_T', 'UCHAR', 'UHALF_PTR', 'UINT',
  'UINT_PTR', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'ULONG', 'ULONGLONG', 'ULONG_PTR', 'ULONG32', 'ULONG64',
  'UNICODE_STRING', 'USHORT', 'USN', 'VOID', 'WCHAR', 'WINSTA', 'WORD', 'WPARAM', 'TBYTE', 'TCHAR', 'LPTSTR',
  'LPCTSTR', 'PTCHAR', 'PTSTR', 'PCTSTR',
]);

/** A cdef string parsed as C; positions are anchored in the region holding the Python literal. */
export interface ParsedCdef {
  source: string;
  exact: boolean;
  declarations: CDeclaration[];
  problems: CdefProblem[];
  /** Every type name used (for the undeclared-type check, done per ffi since typedefs may be elsewhere). */
  typeRefs: { name: string; span: Span }[];
  /** Where the cffi-only `...` appears (outside a variadic parameter list). */
  ellipses: Span[];
}

interface Mapper {
  span(cStart: number, cEnd: number): Span;
}

const DIRECTIVE_TYPES = new Set(['preproc_include', 'preproc_if', 'preproc_ifdef', 'preproc_call', 'preproc_else', 'preproc_elif', 'preproc_function_def']);

/**
 * Masks cffi's extensions to C so that tree-sitter-c sees plain C of the same length:
 * `...` outside parameter lists (and a following `;`), and `extern "Python"` prefixes.
 */
/** `typedef ... name;` (or `*name`): an opaque type, which cffi accepts in ABI mode too (used through pointers). */
function isOpaqueTypedef(source: string, s: number, e: number): boolean {
  return /\btypedef\s*$/.test(source.slice(Math.max(0, s - 40), s)) && /^\s*\*?\s*[A-Za-z_]\w*\s*;/.test(source.slice(e, e + 200));
}

/** Whether `source[..b]` (its end past whitespace) is `#define NAME` on a line of its own. */
function isDefineValue(source: string, b: number): boolean {
  let k = b;
  while (k > 0 && /\w/.test(source[k - 1]!)) k--;
  if (k === b || k === 0 || !/[ \t]/.test(source[k - 1]!)) return false;
  while (k > 0 && /[ \t]/.test(source[k - 1]!)) k--;
  if (source.slice(k - 6, k) !== 'define') return false;
  k -= 6;
  while (k > 0 && /[ \t]/.test(source[k - 1]!)) k--;
  if (source[k - 1] !== '#') return false;
  k--;
  while (k > 0 && /[ \t]/.test(source[k - 1]!)) k--;
  return k === 0 || source[k - 1] === '\n';
}

export interface MaskedCdef {
  c: string;
  ellipses: [number, number][];
  /** Where each `extern "Python"` prefix ends. */
  externPython: number[];
  /** `extern "Python" { ... }`: from the prefix's end to the closing brace (both braces masked too). */
  externBlocks: [number, number][];
}

export function maskCffiSyntax(source: string): MaskedCdef {
  // the characters are split out only when something is masked (most cdefs of a file have no `...`)
  let chars: string[] | undefined;
  const ellipses: [number, number][] = [];
  const externPython: number[] = [];
  const externBlocks: [number, number][] = [];
  const blank = (from: number, to: number) => {
    chars ??= source.split('');
    for (let i = from; i < to; i++) if (chars[i] !== '\n') chars[i] = ' ';
  };
  for (const m of source.matchAll(/extern\s+"Python(\+C)?"/g)) {
    const p = m.index + m[0].length;
    blank(m.index, p);
    externPython.push(p);
    // the declarations of a block are top-level ones for tree-sitter-c (else it reads a compound statement)
    const open = /^\s*\{/.exec(source.slice(p, p + 200));
    const close = open ? source.indexOf('}', p + open[0].length) : -1;
    if (open && close >= 0) {
      blank(p + open[0].length - 1, p + open[0].length);
      blank(close, close + 1);
      externBlocks.push([p, close]);
    }
  }
  const space = /\s/;
  for (const m of source.matchAll(/\.\.\./g)) {
    // the characters either side past whitespace (found by scanning, not by a regex over the whole prefix)
    let b = m.index;
    while (b > 0 && space.test(source[b - 1]!)) b--;
    let a = m.index + 3;
    while (a < source.length && space.test(source[a]!)) a++;
    const before = b > 0 ? source[b - 1] : '';
    const after = source[a] ?? '';
    if (before === ',' && after === ')') continue; // a variadic parameter list
    let end = m.index + 3;
    if (after === ';' && (before === '{' || before === ';')) end = a + 1; // `...;` as a struct member
    // an enumerator's `= ...`: the enumerator alone (else tree-sitter-c's error recovery drops the `=`)
    const from = before === '=' && (after === ',' || after === '}') ? b - 1 : m.index;
    blank(from, end);
    // `#define NAME ...` keeps a value: with none, tree-sitter-c's preproc_arg runs on into the next line
    if (isDefineValue(source, b)) chars![m.index] = '0';
    ellipses.push([m.index, m.index + 3]);
  }
  return { c: chars ? chars.join('') : source, ellipses, externPython, externBlocks };
}

/** Whether the declaration starting at `start` is an `extern "Python"` one (right after the prefix, or in a block). */
export function externPythonAt(source: string, masked: MaskedCdef, start: number): boolean {
  // only the last prefix before `start` can have nothing but whitespace up to it (both lists are in text order)
  const k = lastAtOrBefore(masked.externPython, start, (p) => p);
  if (k >= 0 && source.slice(masked.externPython[k], start).trim() === '') return true;
  const b = lastAtOrBefore(masked.externBlocks, start, ([p]) => p);
  return b >= 0 && start < masked.externBlocks[b]![1];
}

/** The index of the last item whose key is at most `at` (-1: none), by binary search over keys in ascending order. */
function lastAtOrBefore<T>(xs: readonly T[], at: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(xs[mid]!) <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The field ids of tree-sitter-c that the declaration reader follows, looked up once per language. */
interface CFields {
  declarator: number; type: number; name: number; body: number; parameters: number;
}
const cFieldsOf = new WeakMap<Language, CFields>();
function cFields(language: Language): CFields {
  let f = cFieldsOf.get(language);
  if (!f) {
    const id = (n: string) => fieldId(language, n);
    f = { declarator: id('declarator'), type: id('type'), name: id('name'), body: id('body'), parameters: id('parameters') };
    cFieldsOf.set(language, f);
  }
  return f;
}

/**
 * Reads declarations off a flat copy of the C tree (parser/flatTree.ts); node texts are those of the masked
 * C the tree was parsed from, statement texts those of the cdef source. Node -1 stands for "none".
 */
class CReader {
  readonly f: CFields;
  constructor(readonly t: FlatTree, readonly source: string, readonly map: Mapper, readonly out: ParsedCdef, readonly isExternPython: (start: number) => boolean) {
    this.f = cFields(t.language);
  }

  type(n: number): string {
    return this.t.typeName(n);
  }

  text(n: number): string {
    return this.t.nodeText(n);
  }

  span(n: number): Span {
    return this.map.span(this.t.start[n]!, this.t.end[n]!);
  }

  /** A name node that is there: error recovery's MISSING nodes (`typedef ... t;` masked, `int : 3;`) have no text. */
  named(n: number): boolean {
    return n >= 0 && this.t.end[n]! > this.t.start[n]!;
  }

  declaratorName(n: number): number {
    let cur = n;
    while (cur >= 0) {
      const type = this.type(cur);
      if (type === 'identifier' || type === 'field_identifier' || type === 'type_identifier') return cur;
      // `(*name)` in function-pointer declarators has no `declarator` field
      cur = type === 'parenthesized_declarator' ? (this.t.namedChildren(cur)[0] ?? -1) : this.t.childByField(cur, this.f.declarator);
    }
    return -1;
  }

  findFunctionDeclarator(n: number): number {
    let cur = n;
    while (cur >= 0) {
      if (this.type(cur) === 'function_declarator') {
        // `int (*fp)(int)` is a pointer variable, not a function
        const inner = this.t.childByField(cur, this.f.declarator);
        if (inner >= 0 && this.type(inner) === 'parenthesized_declarator') return -1;
        return cur;
      }
      cur = this.t.childByField(cur, this.f.declarator);
    }
    return -1;
  }

  typeText(typeNode: number, declarator: number, nameNode: number): string {
    const base = typeNode >= 0 ? this.text(typeNode) : 'int';
    if (declarator < 0 || nameNode < 0) return base;
    // the declarator text with the name removed gives the pointer/array part
    const d = this.text(declarator);
    const rel = this.t.start[nameNode]! - this.t.start[declarator]!;
    const abstract = (d.slice(0, rel) + d.slice(rel + this.text(nameNode).length)).replace(/\s+/g, ' ').trim();
    return abstract ? `${base} ${abstract}` : base;
  }

  collect(top: number): void {
    const { t, f, out, map } = this;
    const text = this.source.slice(t.start[top], t.end[top]).trim();
    const span = this.span(top);
    const topType = this.type(top);
    if (DIRECTIVE_TYPES.has(topType)) return; // reported by checkCdef
    if (topType === 'preproc_def') {
      const name = t.childByField(top, f.name);
      if (this.named(name)) out.declarations.push({ kind: 'macro', name: this.text(name), nameSpan: this.span(name), span, text });
      return;
    }
    const addTagged = (spec: number) => {
      const kind = this.type(spec).replace('_specifier', '') as 'struct' | 'union' | 'enum';
      const name = t.childByField(spec, f.name);
      const body = t.childByField(spec, f.body);
      if (this.named(name) && body >= 0) {
        const fields = kind === 'enum' ? undefined : this.fieldsOf(body);
        out.declarations.push({ kind, name: this.text(name), nameSpan: this.span(name), span, text, ...(fields ? { fields } : {}) });
      }
      if (kind === 'enum' && body >= 0) {
        for (const e of t.namedChildren(body)) {
          const en = this.type(e) === 'enumerator' ? t.childByField(e, f.name) : -1;
          if (this.named(en)) out.declarations.push({ kind: 'enumerator', name: this.text(en), nameSpan: this.span(en), span: this.span(e), text: this.text(e) });
        }
      }
    };
    if (/^(struct|union|enum)_specifier$/.test(topType)) {
      addTagged(top);
      return;
    }
    if (topType === 'type_definition') {
      const type = t.childByField(top, f.type);
      if (type >= 0 && /^(struct|union|enum)_specifier$/.test(this.type(type))) addTagged(type);
      for (const d of t.childrenByField(top, f.declarator)) {
        const name = this.declaratorName(d);
        if (this.named(name)) out.declarations.push({ kind: 'typedef', name: this.text(name), nameSpan: this.span(name), span, text });
      }
      return;
    }
    if (topType !== 'declaration') return;
    const type = t.childByField(top, f.type);
    if (type >= 0 && /^(struct|union|enum)_specifier$/.test(this.type(type))) addTagged(type);
    const topNamed = t.namedChildren(top);
    for (const d of t.childrenByField(top, f.declarator)) {
      const fn = this.findFunctionDeclarator(d);
      const name = this.declaratorName(d);
      if (!this.named(name)) continue;
      const nameSpan = this.span(name);
      if (fn >= 0) {
        const params: { type: string; name?: string }[] = [];
        let variadic = false;
        const plist = t.childByField(fn, f.parameters);
        for (const p of plist >= 0 ? t.namedChildren(plist) : []) {
          const pType = this.type(p);
          if (pType === 'variadic_parameter') {
            variadic = true;
            continue;
          }
          if (pType !== 'parameter_declaration') continue;
          const pd = t.childByField(p, f.declarator);
          const pn = this.declaratorName(pd);
          const typeNode = t.childByField(p, f.type);
          const ptype = this.typeText(typeNode, pd, pn);
          const qualifiers = t.namedChildren(p).filter((c) => this.type(c) === 'type_qualifier').map((c) => this.text(c));
          const full = [...qualifiers, pn >= 0 ? ptype : ((typeNode >= 0 ? this.text(typeNode) : '') + ' ' + (pd >= 0 ? this.text(pd) : '')).trim()].join(' ');
          params.push({ type: full.replace(/\s+/g, ' '), name: pn >= 0 ? this.text(pn) : undefined });
        }
        if (params.length === 1 && params[0]!.type === 'void' && !params[0]!.name) params.length = 0;
        // the return type is the declaration's type plus the pointer stars before the function declarator
        const stars = (this.text(d).slice(0, Math.max(0, t.start[fn]! - t.start[d]!)).match(/\*/g) ?? []).join('');
        const returns = `${topNamed.filter((c) => this.type(c) === 'type_qualifier').map((c) => this.text(c) + ' ').join('')}${type >= 0 ? this.text(type) : 'int'}${stars ? ' ' + stars : ''}`;
        out.declarations.push({ kind: 'function', name: this.text(name), nameSpan, span, text, returns, params, variadic, externPython: this.isExternPython(t.start[top]!) });
      } else {
        out.declarations.push({ kind: 'variable', name: this.text(name), nameSpan, span, text, returns: this.typeText(type, d, name) });
      }
    }
  }

  fieldsOf(body: number): CField[] {
    const { t, f } = this;
    const fields: CField[] = [];
    for (const fd of t.namedChildren(body)) {
      if (this.type(fd) !== 'field_declaration') continue;
      const type = t.childByField(fd, f.type);
      for (const d of t.childrenByField(fd, f.declarator)) {
        const name = this.declaratorName(d);
        if (this.named(name)) fields.push({ name: this.text(name), nameSpan: this.span(name), span: this.span(fd), type: this.typeText(type, d, name) });
      }
    }
    return fields;
  }
}

/**
 * Parses a cdef once, with the cffi-language checker, which also reads its declarations; tree-sitter-c reads
 * them only when the checker gives up (a problem in the cdef, or a construct the two parses may read
 * differently; `treeSitter` forces it: test/unit/cdefDeclarations.test.ts compares the two).
 */
export function parseCdef(cParser: Parser, decoded: DecodedString, toSpan: (docRelStart: number, docRelEnd: number) => Span, treeSitter = false): ParsedCdef {
  const source = decoded.value;
  const map: Mapper = {
    span: (s, e) => {
      const a = mapOffset(decoded, s);
      const b = e > s ? mapOffset(decoded, e - 1) + 1 : a;
      return toSpan(a, Math.max(a, b));
    },
  };
  const masked = maskCffiSyntax(source);
  const result: ParsedCdef = { source, exact: decoded.exact, declarations: [], problems: [], typeRefs: [], ellipses: masked.ellipses.filter(([s, e]) => !isOpaqueTypedef(source, s, e)).map(([s, e]) => map.span(s, e)) };
  const isExternPython = (start: number) => externPythonAt(source, masked, start);
  // syntax, directives and type names come from the cffi-language checker (analysis/cdefCheck.ts); so do the
  // declarations of a cdef it reads without a problem, else tree-sitter's error recovery gives them
  const checked = checkCdef(source, CFFI_PREDEFINED_TYPES, treeSitter ? undefined : { masked: masked.c, span: map.span, isExternPython });
  if (checked.declarations) result.declarations = checked.declarations;
  else if (!readWithTreeSitter(cParser, source, masked.c, map, result, isExternPython)) return result;
  for (const p of checked.problems) result.problems.push({ kind: p.kind, span: map.span(p.start, p.end), message: p.message, detail: p.detail });
  result.typeRefs = checked.typeRefs.map((r) => ({ name: r.name, span: map.span(r.start, r.end) }));
  const lastTypedef = new Map<string, number>();
  for (const t of checked.typedefNames) lastTypedef.set(t.name, Math.max(t.start, lastTypedef.get(t.name) ?? -1));
  for (const r of checked.typeRefs) {
    const later = (lastTypedef.get(r.name) ?? -1) > r.start;
    if (later) result.problems.push({ kind: 'syntax', span: map.span(r.start, r.end), message: `\`${r.name}\` is used before its typedef: move the typedef up`, detail: r.name });
  }
  const seen = new Set(result.declarations.filter((d) => d.kind === 'typedef').map((d) => d.name));
  for (const t of checked.typedefNames) {
    if (seen.has(t.name)) continue;
    seen.add(t.name);
    const span = map.span(t.start, t.end);
    result.declarations.push({ kind: 'typedef', name: t.name, nameSpan: span, span, text: `typedef ${t.name}` });
  }
  return result;
}

/** The declarations of the masked C as tree-sitter-c parses it; false when it gives no tree. */
function readWithTreeSitter(cParser: Parser, source: string, c: string, map: Mapper, out: ParsedCdef, isExternPython: (start: number) => boolean): boolean {
  const tree = cParser.parse(c);
  if (!tree) return false;
  try {
    const reader = new CReader(flatten(tree, c), source, map, out, isExternPython);
    for (const top of reader.t.namedChildren(0)) reader.collect(top);
  } finally {
    tree.delete();
  }
  return true;
}

/** Parses (or fetches from the region cache) the cdef literal whose parts are given as region-relative ranges. */
export function cdefForLiteral(region: Region, cParser: Parser, parts: { relStart: number; relEnd: number }[]): ParsedCdef {
  const cache = (region.cache ??= {}) as { cdefs?: Map<string, ParsedCdef> };
  cache.cdefs ??= new Map();
  const key = parts.map((p) => `${p.relStart}:${p.relEnd}`).join(',');
  const hit = cache.cdefs.get(key);
  if (hit) return hit;
  const decoded = decodeParts(parts.map((p) => ({ text: region.text.slice(p.relStart, p.relEnd), start: p.relStart })));
  const parsed = parseCdef(cParser, decoded, (s, e) => new AnchoredSpan(region, s, e));
  cache.cdefs.set(key, parsed);
  return parsed;
}
