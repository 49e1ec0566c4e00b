/**
 * Completion where the binding model knows more than a Python tool can: the members of a cffi `lib` (its
 * cdefs) or of a ctypes library (its declared functions and its header's), the C type names inside the type
 * string of `ffi.new`/`cast`/`sizeof`/…, and `restype`/`argtypes` values from the function's prototype.
 */
import { CompletionItemKind, type CompletionItem, type CompletionList, type Range } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { BindingModel, CDeclaration } from '../analysis/model';
import { CFFI_PREDEFINED_TYPES } from '../analysis/cdef';
import type { ParsedDocument } from '../documents/parsedDocument';
import { prototypeToCdef } from '../data/cPrototypes';
import { impliedPrototype } from '../hover/cSpelling';
import type { PositionMapper } from '../hover/hover';
import {
  ctypesLibraryByName, ctypesPrefix, declarationsOf, ffiByName, ffiLibByName, headerPrototype, headerPrototypesOf,
  isLibMember, isTypeDeclaration, NO_EXTERNAL, type ExternalDeclarations,
} from './bindings';
import { ctypesFor } from './ctypesSpelling';
import { cursorContext, wordBefore } from './scan';

/** ffi methods whose first argument is a C type string. */
export const TYPE_STRING_METHODS = new Set(['new', 'cast', 'sizeof', 'typeof', 'callback', 'alignof', 'offsetof', 'new_array', 'from_buffer', 'getctype']);

/** The standard C types cffi predefines (its Windows names are left out of completion: they would flood it). */
const BUILTIN_TYPES = [...CFFI_PREDEFINED_TYPES].filter((t) => /^[a-z_]/.test(t) || t === 'FILE');

const KIND: Record<CDeclaration['kind'], CompletionItemKind> = {
  function: CompletionItemKind.Function,
  variable: CompletionItemKind.Variable,
  struct: CompletionItemKind.Struct,
  union: CompletionItemKind.Struct,
  enum: CompletionItemKind.Enum,
  typedef: CompletionItemKind.TypeParameter,
  macro: CompletionItemKind.Constant,
  enumerator: CompletionItemKind.EnumMember,
};

export function completionAt(
  model: BindingModel,
  doc: ParsedDocument,
  offset: number,
  positions: PositionMapper,
  ext: ExternalDeclarations = NO_EXTERNAL,
): CompletionList | null {
  const text = model.text;
  const region = doc.regionAt(offset) ?? doc.regionAt(offset - 1);
  const from = region ? region.offset : text.lastIndexOf('\n', offset - 1) + 1;
  const ctx = cursorContext(text, from, offset);
  if (ctx.inComment) return null;
  const range = (start: number): Range => ({ start: positions.positionAt(start), end: positions.positionAt(offset) });
  const list = (items: CompletionItem[]) => (items.length ? { isIncomplete: false, items } : null);

  if (ctx.string) {
    const call = ctx.call;
    if (!call || call.argIndex !== 0 || call.argStart > ctx.string.quoteStart) return null;
    const dot = call.callee.lastIndexOf('.');
    const ffi = dot > 0 ? ffiByName(model, call.callee.slice(0, dot)) : undefined;
    if (!ffi || !TYPE_STRING_METHODS.has(call.callee.slice(dot + 1))) return null;
    const typed = /(?:\b(struct|union|enum)\s+)?(\w*)$/.exec(text.slice(ctx.string.start, offset))!;
    const r = range(ctx.string.start + typed.index);
    const tag = typed[1];
    const items: CompletionItem[] = [];
    for (const { decl } of declarationsOf(model, ffi, ext)) {
      if (!isTypeDeclaration(decl) || (tag && decl.kind !== tag)) continue;
      const label = decl.kind === 'typedef' ? decl.name : `${decl.kind} ${decl.name}`;
      items.push({ label, kind: KIND[decl.kind], detail: oneLine(decl.text), documentation: cBlock(decl.text), textEdit: { range: r, newText: label }, filterText: label, sortText: `0${label}` });
    }
    if (!tag) for (const t of BUILTIN_TYPES) items.push({ label: t, kind: CompletionItemKind.Keyword, detail: 'predefined by cffi', textEdit: { range: r, newText: t }, sortText: `1${t}` });
    return list(items);
  }

  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const line = text.slice(lineStart, offset);
  const assign = /([A-Za-z_][\w.]*)\.(\w+)\.(restype|argtypes)\s*=\s*([^=]*)$/.exec(line);
  if (assign) {
    const lib = ctypesLibraryByName(model, assign[1]!);
    const proto = lib ? headerPrototype(model, assign[2]!, ext) : undefined;
    if (!proto) return null;
    const prefix = ctypesPrefix(model);
    const value =
      assign[3] === 'restype'
        ? ctypesFor(proto.returns, prefix, true)
        : proto.params.map((p) => ctypesFor(p, prefix)).every((x) => x !== undefined)
          ? `[${proto.params.map((p) => ctypesFor(p, prefix)).join(', ')}]`
          : undefined;
    if (!value) return null;
    const start = offset - assign[4]!.length;
    const note = assign[3] === 'argtypes' && proto.variadic ? ' (the fixed parameters; ctypes passes the variadic ones by their Python type)' : '';
    return list([{ label: value, kind: CompletionItemKind.Value, detail: `${proto.header}: ${prototypeToCdef(proto)}`, documentation: { kind: 'markdown', value: `From the prototype in \`${proto.header}\`${note}:\n\n${fence(prototypeToCdef(proto))}` }, textEdit: { range: range(start), newText: value }, filterText: value, preselect: true }]);
  }

  const member = /([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)\.(\w*)$/.exec(line);
  if (!member) return null;
  const object = member[1]!;
  const start = wordBefore(text, offset).start;
  const onLib = ffiLibByName(model, object);
  if (onLib) {
    const items: CompletionItem[] = [];
    const seen = new Set<string>();
    let inEnum = '';
    const where = declaredWhere(model, onLib.ffi.name, positions);
    for (const { decl, uri, text: declText } of declarationsOf(model, onLib.ffi, ext)) {
      if (decl.kind === 'enum') inEnum = decl.name;
      if (!isLibMember(decl) || decl.externPython || seen.has(decl.name)) continue;
      seen.add(decl.name);
      const enumerator = decl.kind === 'enumerator';
      items.push({
        label: decl.name, kind: KIND[decl.kind], detail: enumerator ? `enum ${inEnum}: ${decl.text}` : oneLine(decl.text),
        documentation: { kind: 'markdown', value: where(uri, declText, decl.nameSpan.start) }, textEdit: { range: range(start), newText: decl.name },
      });
    }
    return list(items);
  }
  const lib = ctypesLibraryByName(model, object);
  if (lib) {
    const ctx = { structs: new Map(model.ctypes.structs.map((s) => [s.name, s])), prototypes: new Map(model.ctypes.prototypes.map((p) => [p.name, p])) };
    const items: CompletionItem[] = [];
    const seen = new Set<string>();
    const typing = text.slice(start, offset);
    for (const fn of lib.functions) {
      // the half-typed name under the cursor is itself a `lib.NAME` use: not a suggestion
      if (seen.has(fn.name) || (fn.name === typing && !fn.argtypes && !fn.restype && fn.calls.length === 0)) continue;
      seen.add(fn.name);
      const declared = fn.argtypes || fn.restype ? impliedPrototype(fn, ctx).text : undefined;
      const known = headerPrototype(model, fn.name, ext);
      const detail = declared ?? (known ? prototypeToCdef(known) : 'used in this file');
      items.push({ label: fn.name, kind: CompletionItemKind.Function, detail, documentation: known ? { kind: 'markdown', value: `Declared in \`${known.header}\`:\n\n${fence(prototypeToCdef(known))}` } : undefined, textEdit: { range: range(start), newText: fn.name }, sortText: `0${fn.name}` });
    }
    for (const p of headerPrototypesOf(model, lib, ext)) {
      if (seen.has(p.name)) continue;
      seen.add(p.name);
      items.push({ label: p.name, kind: CompletionItemKind.Function, detail: prototypeToCdef(p), documentation: { kind: 'markdown', value: `Declared in \`${p.header}\`.` }, textEdit: { range: range(start), newText: p.name }, sortText: `1${p.name}` });
    }
    return list(items);
  }
  return null;
}

/** "Declared in the cdef of `ffi`, line 7" (of this file, or of the build script that declares it). */
function declaredWhere(model: BindingModel, ffiName: string, positions: PositionMapper) {
  const others = new Map<string, TextDocument>();
  return (uri: string, text: string, offset: number): string => {
    if (uri === model.uri) return `Declared in the cdef of \`${ffiName}\`, line ${positions.positionAt(offset).line + 1}.`;
    let doc = others.get(uri);
    if (!doc) others.set(uri, (doc = TextDocument.create(uri, 'python', 0, text)));
    return `Declared in the cdef of \`${uri.slice(uri.lastIndexOf('/') + 1)}\`, line ${doc.positionAt(offset).line + 1}.`;
  };
}

function oneLine(c: string): string {
  const flat = c.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? flat.slice(0, 119) + '…' : flat;
}

function fence(c: string): string {
  return '```c\n' + c + '\n```';
}

function cBlock(c: string) {
  return { kind: 'markdown' as const, value: fence(c.endsWith(';') || c.endsWith('}') ? c : c + ';') };
}
