/**
 * The oracle of server/src/analysis/cdef.ts's declaration reader: the cdef parse as it was written on
 * web-tree-sitter's node API (node objects, field lookups, `.text`). test/unit/flatTree.test.ts requires the
 * flat-tree reader to give the same declarations, spans and problems on generated and real cdefs.
 */
import type { Node, Parser } from 'web-tree-sitter';
import type { CDeclaration, CdefProblem, CField, Span } from '../../server/src/analysis/model';
import { CFFI_PREDEFINED_TYPES, externPythonAt, maskCffiSyntax, type ParsedCdef } from '../../server/src/analysis/cdef';
import { mapOffset, type DecodedString } from '../../server/src/analysis/stringLiteral';
import { checkCdef } from '../../server/src/analysis/cdefCheck';

interface Mapper {
  span(cStart: number, cEnd: number): Span;
}

const DIRECTIVE_TYPES = new Set(['preproc_include', 'preproc_if', 'preproc_ifdef', 'preproc_call', 'preproc_else', 'preproc_elif', 'preproc_function_def']);

function isOpaqueTypedef(source: string, s: number, e: number): boolean {
  return /\btypedef\s*$/.test(source.slice(Math.max(0, s - 40), s)) && /^\s*\*?\s*[A-Za-z_]\w*\s*;/.test(source.slice(e, e + 200));
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

export function nodeApiParseCdef(cParser: Parser, decoded: DecodedString, toSpan: (docRelStart: number, docRelEnd: number) => Span): ParsedCdef {
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
    const isExternPython = (n: Node) => externPythonAt(source, masked, n.startIndex);
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
    if (name?.text) out.declarations.push({ kind: 'macro', name: name.text, nameSpan: map.span(name.startIndex, name.endIndex), span, text });
    return;
  }
  const addTagged = (spec: Node) => {
    const kind = spec.type.replace('_specifier', '') as 'struct' | 'union' | 'enum';
    const name = spec.childForFieldName('name');
    const body = spec.childForFieldName('body');
    if (name?.text && body) {
      const fields = kind === 'enum' ? undefined : fieldsOf(body, map);
      out.declarations.push({ kind, name: name.text, nameSpan: map.span(name.startIndex, name.endIndex), span, text, ...(fields ? { fields } : {}) });
    }
    if (kind === 'enum' && body) {
      for (const e of body.namedChildren) {
        const en = e?.type === 'enumerator' ? e.childForFieldName('name') : null;
        if (en?.text) out.declarations.push({ kind: 'enumerator', name: en.text, nameSpan: map.span(en.startIndex, en.endIndex), span: map.span(e!.startIndex, e!.endIndex), text: e!.text });
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
      if (name?.text) out.declarations.push({ kind: 'typedef', name: name.text, nameSpan: map.span(name.startIndex, name.endIndex), span, text });
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
    if (!name?.text) continue; // error recovery's MISSING nodes have no text
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
      if (name?.text) fields.push({ name: name.text, nameSpan: map.span(name.startIndex, name.endIndex), span: map.span(f.startIndex, f.endIndex), type: typeText(type, d, name) });
    }
  }
  return fields;
}

