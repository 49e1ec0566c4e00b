import type { Node, Parser } from 'web-tree-sitter';
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

export function maskCffiSyntax(source: string): { c: string; ellipses: [number, number][]; externPython: number[] } {
  const chars = source.split('');
  const ellipses: [number, number][] = [];
  const externPython: number[] = [];
  const blank = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (chars[i] !== '\n') chars[i] = ' ';
  };
  for (const m of source.matchAll(/extern\s+"Python(\+C)?"/g)) {
    blank(m.index, m.index + m[0].length);
    externPython.push(m.index + m[0].length);
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
    blank(m.index, end);
    ellipses.push([m.index, m.index + 3]);
  }
  return { c: chars.join(''), ellipses, externPython };
}

function declaratorName(n: Node | null): Node | null {
  let cur: Node | null = n;
  while (cur) {
    if (cur.type === 'identifier' || cur.type === 'field_identifier' || cur.type === 'type_identifier') return cur;
    // `(*name)` in function-pointer declarators has no `declarator` field
    cur = cur.type === 'parenthesized_declarator' ? cur.namedChild(0) : cur.childForFieldName('declarator');
  }
  return null;
}

function findFunctionDeclarator(n: Node | null): Node | null {
  let cur: Node | null = n;
  while (cur) {
    if (cur.type === 'function_declarator') {
      // `int (*fp)(int)` is a pointer variable, not a function
      const inner = cur.childForFieldName('declarator');
      if (inner && inner.type === 'parenthesized_declarator') return null;
      return cur;
    }
    cur = cur.childForFieldName('declarator');
  }
  return null;
}

function typeText(typeNode: Node | null, declarator: Node | null, nameNode: Node | null): string {
  const base = typeNode?.text ?? 'int';
  if (!declarator || !nameNode) return base;
  // the declarator text with the name removed gives the pointer/array part
  const d = declarator.text;
  const rel = nameNode.startIndex - declarator.startIndex;
  const abstract = (d.slice(0, rel) + d.slice(rel + nameNode.text.length)).replace(/\s+/g, ' ').trim();
  return abstract ? `${base} ${abstract}` : base;
}

export function parseCdef(cParser: Parser, decoded: DecodedString, toSpan: (docRelStart: number, docRelEnd: number) => Span): ParsedCdef {
  const source = decoded.value;
  const map: Mapper = {
    span: (s, e) => {
      const a = mapOffset(decoded, s);
      const b = e > s ? mapOffset(decoded, e - 1) + 1 : a;
      return toSpan(a, Math.max(a, b));
    },
  };
  const masked = maskCffiSyntax(source);
  const tree = cParser.parse(masked.c);
  const result: ParsedCdef = { source, exact: decoded.exact, declarations: [], problems: [], typeRefs: [], ellipses: masked.ellipses.filter(([s, e]) => !isOpaqueTypedef(source, s, e)).map(([s, e]) => map.span(s, e)) };
  if (!tree) return result;
  try {
    const root = tree.rootNode;
    const isExternPython = (n: Node) => masked.externPython.some((p) => p <= n.startIndex && source.slice(p, n.startIndex).trim() === '');
    for (const top of root.namedChildren) {
      if (!top) continue;
      collectDeclarations(top, source, map, result, isExternPython);
    }
    // syntax, directives and type names come from the cffi-language checker (analysis/cdefCheck.ts)
    const checked = checkCdef(source, CFFI_PREDEFINED_TYPES);
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
  } finally {
    tree.delete();
  }
  return result;
}

function collectDeclarations(top: Node, source: string, map: Mapper, out: ParsedCdef, isExternPython: (n: Node) => boolean): void {
  const text = source.slice(top.startIndex, top.endIndex).trim();
  const span = map.span(top.startIndex, top.endIndex);
  if (DIRECTIVE_TYPES.has(top.type)) return; // reported by checkCdef
  if (top.type === 'preproc_def') {
    const name = top.childForFieldName('name');
    if (name) out.declarations.push({ kind: 'macro', name: name.text, nameSpan: map.span(name.startIndex, name.endIndex), span, text });
    return;
  }
  const addTagged = (spec: Node) => {
    const kind = spec.type.replace('_specifier', '') as 'struct' | 'union' | 'enum';
    const name = spec.childForFieldName('name');
    const body = spec.childForFieldName('body');
    if (name && body) {
      const fields = kind === 'enum' ? undefined : fieldsOf(body, map);
      out.declarations.push({ kind, name: name.text, nameSpan: map.span(name.startIndex, name.endIndex), span, text, ...(fields ? { fields } : {}) });
    }
    if (kind === 'enum' && body) {
      for (const e of body.namedChildren) {
        const en = e?.type === 'enumerator' ? e.childForFieldName('name') : null;
        if (en) out.declarations.push({ kind: 'enumerator', name: en.text, nameSpan: map.span(en.startIndex, en.endIndex), span: map.span(e!.startIndex, e!.endIndex), text: e!.text });
      }
    }
  };
  if (/^(struct|union|enum)_specifier$/.test(top.type)) {
    addTagged(top);
    return;
  }
  if (top.type === 'type_definition') {
    const type = top.childForFieldName('type');
    if (type && /^(struct|union|enum)_specifier$/.test(type.type)) addTagged(type);
    for (const d of top.childrenForFieldName('declarator')) {
      const name = declaratorName(d);
      if (name) out.declarations.push({ kind: 'typedef', name: name.text, nameSpan: map.span(name.startIndex, name.endIndex), span, text });
    }
    return;
  }
  if (top.type !== 'declaration') return;
  const type = top.childForFieldName('type');
  if (type && /^(struct|union|enum)_specifier$/.test(type.type)) addTagged(type);
  const isExtern = top.namedChildren.some((c) => c?.type === 'storage_class_specifier' && c.text === 'extern');
  for (const d of top.childrenForFieldName('declarator')) {
    const fn = findFunctionDeclarator(d);
    const name = declaratorName(d);
    if (!name) continue;
    const nameSpan = map.span(name.startIndex, name.endIndex);
    if (fn) {
      const params: { type: string; name?: string }[] = [];
      let variadic = false;
      const plist = fn.childForFieldName('parameters');
      for (const p of plist?.namedChildren ?? []) {
        if (!p) continue;
        if (p.type === 'variadic_parameter') {
          variadic = true;
          continue;
        }
        if (p.type !== 'parameter_declaration') continue;
        const pd = p.childForFieldName('declarator');
        const pn = declaratorName(pd);
        const ptype = typeText(p.childForFieldName('type'), pd, pn);
        const qualifiers = p.namedChildren.filter((c) => c?.type === 'type_qualifier').map((c) => c!.text);
        const full = [...qualifiers, pn ? ptype : ((p.childForFieldName('type')?.text ?? '') + ' ' + (pd?.text ?? '')).trim()].join(' ');
        params.push({ type: full.replace(/\s+/g, ' '), name: pn?.text });
      }
      if (params.length === 1 && params[0]!.type === 'void' && !params[0]!.name) params.length = 0;
      // the return type is the declaration's type plus the pointer stars before the function declarator
      const stars = (d.text.slice(0, Math.max(0, fn.startIndex - d.startIndex)).match(/\*/g) ?? []).join('');
      const returns = `${top.namedChildren.filter((c) => c?.type === 'type_qualifier').map((c) => c!.text + ' ').join('')}${type?.text ?? 'int'}${stars ? ' ' + stars : ''}`;
      out.declarations.push({ kind: 'function', name: name.text, nameSpan, span, text, returns, params, variadic, externPython: isExternPython(top) });
    } else {
      out.declarations.push({ kind: 'variable', name: name.text, nameSpan, span, text, returns: typeText(type, d, name) });
      if (!isExtern && !isExternPython(top)) {
        // cffi warns for globals declared without `extern`; keep it visible as information in the text
      }
    }
  }
}

function fieldsOf(body: Node, map: Mapper): CField[] {
  const fields: CField[] = [];
  for (const f of body.namedChildren) {
    if (f?.type !== 'field_declaration') continue;
    const type = f.childForFieldName('type');
    for (const d of f.childrenForFieldName('declarator')) {
      const name = declaratorName(d);
      if (name) fields.push({ name: name.text, nameSpan: map.span(name.startIndex, name.endIndex), span: map.span(f.startIndex, f.endIndex), type: typeText(type, d, name) });
    }
  }
  return fields;
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
