/**
 * Go to definition for bindings: `lib.f` → its declaration in the cdef string (this file, or the build script
 * of an out-of-line module), else the header; a ctypes function → the statements declaring its
 * argtypes/restype; a type name inside a type string or a cdef → its struct, union, enum or typedef.
 */
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Location } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { BindingModel, FfiObject, Span } from '../analysis/model';
import type { ParsedDocument } from '../documents/parsedDocument';
import type { PositionMapper } from '../hover/hover';
import { declarationsOf, ffiByName, ffiLibByName, isLibMember, isTypeDeclaration, NO_EXTERNAL, type ExternalDeclarations, type HeaderPrototype, type LocatedDeclaration } from './bindings';
import { TYPE_STRING_METHODS } from './completion';
import { cursorContext, wordAt } from './scan';

const within = (s: Span, offset: number) => offset >= s.start && offset <= s.end;

export function definitionAt(
  model: BindingModel,
  doc: ParsedDocument,
  offset: number,
  positions: PositionMapper,
  ext: ExternalDeclarations = NO_EXTERNAL,
): Location[] | null {
  const text = model.text;
  /** Positions in this file come from its open document; other files' texts get a throwaway one. */
  const location = (uri: string, t: string, s: Span): Location => {
    const p = uri === model.uri && t === text ? positions : TextDocument.create(uri, 'python', 0, t);
    return { uri, range: { start: p.positionAt(s.start), end: p.positionAt(s.end) } };
  };
  const locate = (d: LocatedDeclaration) => location(d.uri, d.text, d.decl.nameSpan);
  const here = (spans: Span[]): Location[] => spans.map((s) => location(model.uri, text, s));

  // lib.f
  for (const a of model.cffi.libAccesses) {
    if (!within(a.nameSpan, offset)) continue;
    const found = declarationsOf(model, a.ffi, ext).filter((d) => isLibMember(d.decl) && d.decl.name === a.name);
    if (found.length) return found.map(locate);
    return headerLine(ext.headerPrototype?.(model, a.name));
  }

  // a ctypes foreign function: where its prototype is declared
  for (const fn of model.ctypes.functions) {
    const uses = [...fn.refs, ...fn.calls.map((c) => c.calleeSpan)];
    if (!uses.some((s) => within(s, offset))) continue;
    const decls = [fn.argtypes, fn.restype].filter((x) => x !== undefined).map((x) => x.statementSpan);
    if (decls.length) return here(decls);
    // declared in another module of the workspace: its statements there; else the header's declaration
    const elsewhere = fn.declaredElsewhere && declaringLines(fn.declaredElsewhere.uri, fn.name);
    if (elsewhere?.length) return elsewhere;
    return headerLine(ext.headerPrototype?.(model, fn.name));
  }

  // a ctypes struct named in a type: its class
  const word = wordAt(text, offset);
  const region = doc.regionAt(offset);
  const ctx = cursorContext(text, region ? region.offset : text.lastIndexOf('\n', offset - 1) + 1, offset);
  if (!word) return null;
  const name = text.slice(word.start, word.end);

  // a type name inside a type string (ffi.new("struct point *")) or inside a cdef
  const ffi = ctx.string ? ffiOfString(model, ctx, offset) : undefined;
  if (ffi) {
    const found = declarationsOf(model, ffi, ext).filter((d) => isTypeDeclaration(d.decl) && d.decl.name === name && !(d.decl.nameSpan.start <= offset && offset <= d.decl.nameSpan.end && d.uri === model.uri));
    return found.length ? found.map(locate) : null;
  }
  if (ctx.string) return null;
  const struct = model.ctypes.structs.find((s) => s.name === name);
  if (struct && !within(struct.nameSpan, offset)) return here([struct.nameSpan]);
  return null;
}

function headerLine(h: HeaderPrototype | undefined): Location[] | null {
  if (!h?.uri || !h.line) return null;
  const at = { line: h.line - 1, character: 0 };
  return [{ uri: h.uri, range: { start: at, end: at } }];
}

/** The `….NAME.argtypes = …` / `.restype = …` lines of another module (the workspace model keeps no spans there). */
function declaringLines(uri: string, name: string): Location[] {
  let text: string;
  try {
    text = fs.readFileSync(fileURLToPath(uri), 'utf8');
  } catch {
    return [];
  }
  const out: Location[] = [];
  const re = new RegExp(`^([ \\t]*)\\S*\\b${name}\\.(argtypes|restype)\\s*=`, 'gm');
  for (const m of text.matchAll(re)) {
    const line = text.slice(0, m.index).split('\n').length - 1;
    const end = text.indexOf('\n', m.index);
    out.push({ uri, range: { start: { line, character: m[1]!.length }, end: { line, character: (end < 0 ? text.length : end) - m.index } } });
  }
  return out;
}

/** The ffi whose type string or cdef the cursor is in. */
function ffiOfString(model: BindingModel, ctx: ReturnType<typeof cursorContext>, offset: number): FfiObject | undefined {
  for (const ffi of model.cffi.ffis) for (const c of ffi.cdefs) if (within(c.stringSpan, offset)) return ffi;
  const call = ctx.call;
  if (!call || call.argIndex !== 0) return undefined;
  const dot = call.callee.lastIndexOf('.');
  if (dot <= 0 || !TYPE_STRING_METHODS.has(call.callee.slice(dot + 1))) return undefined;
  return ffiByName(model, call.callee.slice(0, dot)) ?? ffiLibByName(model, call.callee.slice(0, dot))?.ffi;
}

