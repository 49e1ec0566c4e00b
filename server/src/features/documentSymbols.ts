/**
 * Document symbols for the Outline and breadcrumbs: each cdef with its declarations (structs with their
 * fields, functions, typedefs, globals, constants), the cffi libs, and the ctypes libraries, declared
 * functions, structures (with fields) and prototypes.
 */
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type { BindingModel, CDeclaration, Span } from '../analysis/model';
import type { PositionMapper } from '../hover/hover';

const KIND: Record<CDeclaration['kind'], SymbolKind> = {
  function: SymbolKind.Function,
  variable: SymbolKind.Variable,
  struct: SymbolKind.Struct,
  union: SymbolKind.Struct,
  enum: SymbolKind.Enum,
  typedef: SymbolKind.TypeParameter,
  macro: SymbolKind.Constant,
  enumerator: SymbolKind.EnumMember,
};

export function documentSymbols(model: BindingModel, positions: PositionMapper): DocumentSymbol[] {
  const range = (s: Span) => ({ start: positions.positionAt(s.start), end: positions.positionAt(s.end) });
  const symbol = (name: string, detail: string | undefined, kind: SymbolKind, whole: Span, selection: Span, children?: DocumentSymbol[]): DocumentSymbol => {
    // the selection must lie inside the range (clients drop the symbol otherwise)
    const r: Span = { start: Math.min(whole.start, selection.start), end: Math.max(whole.end, selection.end) };
    return { name, ...(detail ? { detail } : {}), kind, range: range(r), selectionRange: range(selection), ...(children?.length ? { children } : {}) };
  };
  const out: { at: number; s: DocumentSymbol }[] = [];

  for (const ffi of model.cffi.ffis) {
    const mode = ffi.outOfLine ? 'cffi, out-of-line module' : ffi.mode === 'unknown' ? 'cffi' : `cffi ${ffi.mode.toUpperCase()} mode`;
    out.push({ at: ffi.statementSpan.start, s: symbol(ffi.name, mode, SymbolKind.Object, ffi.statementSpan, ffi.nameSpan) });
    for (const cdef of ffi.cdefs) {
      const children: DocumentSymbol[] = [];
      let lastEnum: { decl: CDeclaration; sym: DocumentSymbol } | undefined;
      for (const d of cdef.declarations) {
        if (d.kind === 'enumerator') {
          const sym = symbol(d.name, undefined, KIND[d.kind], d.span, d.nameSpan);
          if (lastEnum && contains(lastEnum.decl.span, d.span)) (lastEnum.sym.children ??= []).push(sym);
          else children.push(sym);
          continue;
        }
        const fields = d.fields?.map((f) => symbol(f.name, f.type, SymbolKind.Field, f.span, f.nameSpan));
        const detail = d.kind === 'function' ? `${d.returns ?? ''}(${(d.params ?? []).map((p) => p.type).join(', ')}${d.variadic ? ', ...' : ''})` : d.kind === 'variable' ? d.returns : d.kind === 'struct' || d.kind === 'union' || d.kind === 'enum' ? d.kind : undefined;
        // a typedef of a struct shares the struct's span: keep its own name as the selection
        const sym = symbol(d.kind === 'struct' || d.kind === 'union' || d.kind === 'enum' ? `${d.kind} ${d.name}` : d.name, detail, KIND[d.kind], d.span, d.nameSpan, fields);
        if (d.kind === 'enum') lastEnum = { decl: d, sym };
        children.push(sym);
      }
      out.push({ at: cdef.callSpan.start, s: symbol(`${ffi.name}.cdef`, `${cdef.declarations.filter((d) => d.kind !== 'enumerator').length} declarations`, SymbolKind.Namespace, cdef.callSpan, cdef.callSpan, children) });
    }
    for (const lib of ffi.libs) out.push({ at: lib.statementSpan.start, s: symbol(lib.name, `cffi lib of ${ffi.name}`, SymbolKind.Module, lib.statementSpan, lib.nameSpan) });
  }

  for (const lib of model.ctypes.libraries) out.push({ at: lib.statementSpan.start, s: symbol(lib.name, `ctypes ${lib.loader}`, SymbolKind.Module, lib.statementSpan, lib.nameSpan) });
  for (const fn of model.ctypes.functions) {
    const decls = [fn.argtypes, fn.restype, fn.errcheck].filter((x) => x !== undefined).sort((a, b) => a.statementSpan.start - b.statementSpan.start);
    if (!decls.length) continue;
    const whole = { start: Math.min(...decls.map((d) => d.statementSpan.start)), end: Math.max(...decls.map((d) => d.statementSpan.end)) };
    const first = decls.reduce((a, b) => (a.targetSpan.start <= b.targetSpan.start ? a : b));
    const detail = decls.map((d) => model.text.slice(d.targetSpan.start, d.targetSpan.end).split('.').pop()).join(', ');
    out.push({ at: whole.start, s: symbol(`${fn.library.name}.${fn.name}`, detail, SymbolKind.Function, whole, first.targetSpan) });
  }
  for (const s of model.ctypes.structs) {
    const fields = s.fields?.map((f) => symbol(f.name, f.type.kind === 'unknown' ? f.type.text : model.text.slice(f.type.span.start, f.type.span.end), SymbolKind.Field, f.span, f.span));
    out.push({ at: s.span.start, s: symbol(s.name, `ctypes ${s.base}`, SymbolKind.Struct, s.span, s.nameSpan, fields) });
  }
  for (const p of model.ctypes.prototypes) out.push({ at: p.statementSpan.start, s: symbol(p.name, `ctypes ${p.factory}`, SymbolKind.Interface, p.statementSpan, p.nameSpan) });

  return out.sort((a, b) => a.at - b.at).map((x) => x.s);
}

function contains(outer: Span | undefined, inner: Span): boolean {
  return !!outer && outer.start <= inner.start && inner.end <= outer.end;
}
