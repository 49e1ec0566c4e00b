/**
 * What is under the cursor, in the binding model's terms, and what to say about it.
 * Targets come from the model's spans (indexed once per model); the region's syntax tree is used only to
 * read the name under the cursor where the model keeps no span (`ffi.errno`, `ctypes.sizeof(x)` arguments …).
 */
import type { Node } from 'web-tree-sitter';
import { dottedText } from '../analysis/model';
import type {
  BindingModel, Expr, BindingModule, CDeclaration, CdefSource, CtypesLibrary, CtypesPrototype, CtypesStruct, CtypesType,
  FfiLib, FfiLibAccess, FfiObject, ForeignFunction, Span,
} from '../analysis/model';
import { CFFI_PREDEFINED_TYPES } from '../analysis/cdef';
import { cNameOfPrimitive } from '../analysis/ctypesNames';
import type { ParsedDocument } from '../documents/parsedDocument';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { isLibMember, type ExternalDeclarations } from '../features/bindings';
import { lookupPrototype, prototypeToCdef } from '../data/cPrototypes';
import { loadGuide, rankingLine } from '../guide/guide';
import { codeSpan } from '../guide/markdown';
import { CTYPES_API, PRIMITIVE_NOTES } from './ctypesApi';
import { cTypeOf, impliedPrototype, structDeclaration, type TypeContext } from './cSpelling';
import { ffiMember } from './ffiApi';
import type { GuideRef } from './guideQuote';
import type { PositionMapper } from './hover';

export type Target =
  | { k: 'module'; span: Span; binding: BindingModule }
  /** `arg` is the type a `POINTER(...)` call is given. */
  | { k: 'ctypesName'; span: Span; name: string; arg?: Expr }
  /** `match`, when set, is where the cursor selects the target (its `span` is still the hover's range). */
  | { k: 'ctypesType'; span: Span; type: CtypesType; match?: Span }
  | { k: 'struct'; span: Span; struct: CtypesStruct }
  | { k: 'prototype'; span: Span; proto: CtypesPrototype }
  | { k: 'function'; span: Span; fn: ForeignFunction }
  | { k: 'library'; span: Span; lib: CtypesLibrary }
  | { k: 'ffi'; span: Span; ffi?: FfiObject }
  | { k: 'ffiMember'; span: Span; ffi: FfiObject; member: string }
  | { k: 'ffiLib'; span: Span; ffi: FfiObject; lib: FfiLib }
  | { k: 'libAccess'; span: Span; access: FfiLibAccess }
  | { k: 'cdef'; span: Span; ffi: FfiObject; cdef: CdefSource }
  | { k: 'cdefName'; span: Span; ffi: FfiObject; name: string; decl?: CDeclaration; cdef?: CdefSource }
  | { k: 'cppyy'; span: Span; name?: string }
  | { k: 'mixedModule'; span: Span; part: 'class' | 'interpleveldefs' | 'appleveldefs' | 'import' };

interface Index {
  targets: Target[];
  /** Where each target is matched, snapshotted as numbers: scanning these is what keeps hovers fast. */
  starts: Int32Array;
  ends: Int32Array;
  /** The document version the snapshot was taken at (anchored spans move with later edits). */
  version: number;
  ctx: TypeContext;
  ffiByName: Map<string, FfiObject>;
}

const indexes = new WeakMap<BindingModel, Index>();

function sub(start: number, end: number): Span {
  return { start, end };
}

/** Every span of the model worth a hover, in order of increasing priority for equal spans. */
function buildIndex(model: BindingModel): Index {
  const t: Target[] = [];
  const structs = new Map(model.ctypes.structs.map((s) => [s.name, s]));
  const prototypes = new Map(model.ctypes.prototypes.map((p) => [p.name, p]));
  const addType = (type: CtypesType | undefined) => {
    if (!type || type.kind === 'unknown') return;
    t.push({ k: 'ctypesType', span: type.span, type });
    if (type.kind === 'pointer') {
      // the `POINTER` word itself explains the whole pointer type, not the bare factory
      const paren = model.text.indexOf('(', type.span.start);
      if (paren > type.span.start && paren < type.span.end) t.push({ k: 'ctypesType', span: type.span, match: sub(type.span.start, paren), type });
      addType(type.to);
    }
    if (type.kind === 'array') addType(type.of);
  };

  for (const imp of model.imports) {
    if (!imp.binding) continue;
    t.push({ k: 'module', span: imp.moduleSpan, binding: imp.binding });
    for (const n of imp.names) {
      if (imp.binding === 'ctypes' && imp.module === 'ctypes') t.push({ k: 'ctypesName', span: n.span, name: n.name });
      else if (imp.binding === 'cffi' && n.name === 'FFI') t.push({ k: 'ffi', span: n.span });
      else if (imp.binding === 'mixedmodule') t.push({ k: 'mixedModule', span: n.span, part: 'import' });
      else if (imp.binding === 'cppyy') t.push({ k: 'cppyy', span: n.span, name: n.name });
      else t.push({ k: 'module', span: n.span, binding: imp.binding });
    }
  }
  for (const u of model.ctypes.uses) t.push({ k: 'ctypesName', span: u.span, name: u.name, arg: u.name === 'POINTER' ? u.call?.args[0] : undefined });
  for (const lib of model.ctypes.libraries) t.push({ k: 'library', span: lib.nameSpan, lib });
  for (const fn of model.ctypes.functions) {
    for (const a of [fn.argtypes, fn.restype, fn.errcheck]) if (a) t.push({ k: 'function', span: a.targetSpan, fn });
    for (const r of fn.refs) t.push({ k: 'function', span: r, fn });
    for (const c of fn.calls) t.push({ k: 'function', span: c.calleeSpan, fn });
    fn.argtypes?.types?.forEach(addType);
    addType(fn.restype?.type);
  }
  for (const s of model.ctypes.structs) {
    t.push({ k: 'struct', span: s.nameSpan, struct: s });
    for (const f of s.fields ?? []) addType(f.type);
  }
  for (const p of model.ctypes.prototypes) {
    t.push({ k: 'prototype', span: p.nameSpan, proto: p });
    addType(p.restype);
    p.argtypes.forEach(addType);
  }

  const ffiByName = new Map<string, FfiObject>();
  for (const ffi of model.cffi.ffis) {
    ffiByName.set(ffi.name, ffi);
    t.push({ k: 'ffi', span: ffi.nameSpan, ffi });
    for (const lib of ffi.libs) t.push({ k: 'ffiLib', span: lib.nameSpan, ffi, lib });
    for (const cdef of ffi.cdefs) t.push({ k: 'cdef', span: cdef.stringSpan, ffi, cdef });
  }
  for (const c of model.calls) if (c.callee === 'cffi.FFI' || c.callee === 'cffi.api.FFI') t.push({ k: 'ffi', span: c.call.calleeSpan });
  for (const c of model.cffi.calls) {
    const objectEnd = c.methodSpan.start - 1;
    t.push({ k: 'ffi', span: sub(c.call.calleeSpan.start, objectEnd), ffi: c.ffi });
    if (ffiMember(c.method)) t.push({ k: 'ffiMember', span: c.methodSpan, ffi: c.ffi, member: c.method });
  }
  for (const a of model.cffi.libAccesses) {
    t.push({ k: 'ffiLib', span: sub(a.span.start, a.nameSpan.start - 1), ffi: a.ffi, lib: a.lib });
    t.push({ k: 'libAccess', span: a.nameSpan, access: a });
  }
  for (const u of model.cppyy.uses) t.push({ k: 'cppyy', span: u.span, name: u.name });
  for (const m of model.mixedModules) {
    t.push({ k: 'mixedModule', span: m.nameSpan, part: 'class' });
    if (m.interpleveldefs) t.push({ k: 'mixedModule', span: m.interpleveldefs, part: 'interpleveldefs' });
    if (m.appleveldefs) t.push({ k: 'mixedModule', span: m.appleveldefs, part: 'appleveldefs' });
  }
  const starts = new Int32Array(t.length);
  const ends = new Int32Array(t.length);
  t.forEach((target, i) => {
    const m = (target.k === 'ctypesType' && target.match) || target.span;
    starts[i] = m.start;
    ends[i] = m.end;
  });
  return { targets: t, starts, ends, version: -1, ctx: { structs, prototypes }, ffiByName };
}

function indexFor(model: BindingModel, version?: number): Index {
  let index = indexes.get(model);
  if (!index || (version !== undefined && index.version !== version)) {
    index = buildIndex(model);
    if (version !== undefined) index.version = version;
    indexes.set(model, index);
  }
  return index;
}

/** The narrowest target under the offset (later entries win ties), or a name read from the syntax tree. */
export function findTarget(model: BindingModel, doc: ParsedDocument, offset: number): Target | undefined {
  const index = indexFor(model, doc.version);
  const { starts, ends } = index;
  let best: Target | undefined;
  let bestWidth = Infinity;
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i]!;
    const end = ends[i]!;
    if (offset < start || offset >= end) continue;
    const width = end - start;
    if (width <= bestWidth) {
      best = index.targets[i];
      bestWidth = width;
    }
  }
  if (best?.k === 'cdef') return cdefNameAt(model, best, offset);
  return best ?? fromTree(model, doc, offset, index);
}

const C_IDENT = /[A-Za-z0-9_]/;

/** The C identifier under the cursor inside a cdef string, with its declaration in the same ffi. */
function cdefNameAt(model: BindingModel, t: Extract<Target, { k: 'cdef' }>, offset: number): Target | undefined {
  const text = model.text;
  if (!C_IDENT.test(text[offset] ?? '')) return undefined;
  let start = offset;
  let end = offset;
  while (start > t.span.start && C_IDENT.test(text[start - 1]!)) start--;
  while (end < t.span.end && C_IDENT.test(text[end]!)) end++;
  const name = text.slice(start, end);
  if (!/^[A-Za-z_]/.test(name)) return undefined;
  for (const cdef of t.ffi.cdefs) {
    const decl = cdef.declarations.find((d) => d.name === name);
    if (decl) return { k: 'cdefName', span: sub(start, end), ffi: t.ffi, name, decl, cdef };
  }
  if (CFFI_PREDEFINED_TYPES.has(name)) return { k: 'cdefName', span: sub(start, end), ffi: t.ffi, name };
  return undefined;
}

/** Reads the dotted name under the cursor from the region's tree, for binding names the model has no span for. */
function fromTree(model: BindingModel, doc: ParsedDocument, offset: number, index: Index): Target | undefined {
  if (model.uses.size === 0 && model.cffi.ffis.length === 0) return undefined;
  const region = doc.regionAt(offset);
  if (!region || offset < region.offset || offset >= region.end) return undefined;
  const node: Node | null = region.tree.rootNode.descendantForIndex(offset - region.offset);
  if (!node || node.type !== 'identifier') return undefined;
  const parent = node.parent;
  const span = (n: Node) => sub(region.offset + n.startIndex, region.offset + n.endIndex);
  // `ffi.errno`, `ffi.NULL`: members read without a call
  if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.equals(node)) {
    const object = parent.childForFieldName('object');
    const ffi = object ? index.ffiByName.get(object.text) : undefined;
    if (ffi) return ffiMember(node.text) ? { k: 'ffiMember', span: span(node), ffi, member: node.text } : undefined;
  } else {
    const ffi = index.ffiByName.get(node.text);
    if (ffi) return { k: 'ffi', span: span(node), ffi };
  }
  // a name or attribute chain that qualifies to a binding module: `ctypes.sizeof`, `c_int` from `from ctypes import *`
  let chain: Node = node;
  if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.equals(node)) chain = parent;
  if (!/^[A-Za-z_][\w.]*$/.test(chain.text)) return undefined;
  const q = model.qualify(chain.text);
  const s = span(chain);
  if (q.startsWith('ctypes.') && q.split('.').length === 2) return { k: 'ctypesName', span: s, name: q.slice(7) };
  if (q === 'ctypes') return { k: 'module', span: s, binding: 'ctypes' };
  if (q === 'cffi') return { k: 'module', span: s, binding: 'cffi' };
  if (q === 'cffi.FFI') return { k: 'ffi', span: s };
  if (q === 'cppyy' || q.startsWith('cppyy.')) return { k: 'cppyy', span: s, name: q.split('.')[1] };
  if (q === '_rawffi' || q.startsWith('_rawffi.')) return { k: 'module', span: s, binding: '_rawffi' };
  if (q.endsWith('mixedmodule.MixedModule')) return { k: 'mixedModule', span: s, part: 'import' };
  return undefined;
}

export interface Explanation {
  markdown?: string;
  /** The part of the guide whose relevant paragraph the hover quotes. */
  guide?: GuideRef;
  /** A guide section to point at in one line, when the hover quotes nothing else. */
  footer?: 'cffi' | 'ctypes';
}

const GUIDE_OF: Record<BindingModule, GuideRef> = {
  ctypes: 'ctypes',
  cffi: 'cffi',
  _cffi_backend: 'cffi',
  cppyy: 'cppyy',
  _rawffi: 'rawffi',
  '_rawffi.alt': 'rawffi',
  _ffi: 'rawffi',
  mixedmodule: 'rpython-mixed-modules',
};

/** A one-line pointer to a guide section, for hovers that quote none of it. */
export function guideFooter(sectionId: 'cffi' | 'ctypes'): string {
  const guide = loadGuide();
  const section = guide.section(sectionId);
  if (!section) return '';
  const rank = rankingLine(guide, sectionId);
  return `PyPy guide: [${section.title}](${section.url})${rank ? ` — ${rank}` : ''}`;
}

function codeBlock(language: string, code: string): string {
  const fence = code.includes('```') ? '````' : '```';
  return `${fence}${language}\n${code}\n${fence}`;
}

function line(positions: PositionMapper, offset: number): number {
  return positions.positionAt(offset).line + 1;
}

function typeText(model: BindingModel, type: CtypesType): string {
  return model.text.slice(type.span.start, type.span.end);
}

export function explainTarget(model: BindingModel, target: Target, positions: PositionMapper, ext?: ExternalDeclarations): Explanation {
  const ctx = indexFor(model).ctx;
  switch (target.k) {
    case 'module':
      return { guide: GUIDE_OF[target.binding] };
    case 'ctypesName': {
      const pointer = target.arg && pointerTo(model, target.arg, ctx, target.span.start);
      if (pointer) return { markdown: explainType(model, pointer, ctx), guide: 'ctypes' };
      return { markdown: explainCtypesName(target.name), guide: 'ctypes' };
    }
    case 'ctypesType':
      return { markdown: explainType(model, target.type, ctx), guide: 'ctypes' };
    case 'struct':
      return { markdown: explainStruct(target.struct, ctx), guide: 'ctypes' };
    case 'prototype': {
      const p = target.proto;
      const c = cTypeOf({ kind: 'funcptr', name: p.name, span: p.nameSpan }, ctx);
      return {
        markdown: [
          `${codeSpan(p.name)} — a ctypes \`${p.factory}\` function-pointer type`,
          c ? `C type: ${codeSpan(c)}` : 'Its argument or result types are not all ctypes types this file declares.',
          `cffi: ${CTYPES_API[p.factory]?.cffi ?? 'none'}`,
        ].join('\n\n'),
        guide: 'ctypes',
      };
    }
    case 'function':
      return { markdown: explainFunction(model, target.fn, ctx), footer: 'ctypes' };
    case 'library': {
      const lib = target.lib;
      const how = model.text.slice(lib.loadSpan.start, lib.loadSpan.end);
      const fns = lib.functions.map((f) => codeSpan(f.name)).join(', ');
      return {
        markdown: [
          `${codeSpan(lib.name)} — a ctypes library, loaded by ${codeSpan(how)}`,
          fns ? `Foreign functions used from it: ${fns}.` : 'No foreign function is used from it in this file.',
          `cffi: ${CTYPES_API[lib.loader === 'attribute' ? 'cdll' : lib.loader]?.cffi ?? '`ffi.dlopen(path)`'}`,
        ].join('\n\n'),
        guide: 'ctypes',
      };
    }
    case 'ffi':
      return { markdown: target.ffi ? explainFfi(target.ffi) : '`cffi.FFI()` — creates the object that holds the C declarations (`cdef`) and opens or builds the library.', guide: 'cffi' };
    case 'ffiMember': {
      const m = ffiMember(target.member)!;
      return { markdown: [codeBlock('python', m.signature), m.summary, m.pitfall ? `**Pitfall:** ${m.pitfall}` : ''].filter(Boolean).join('\n\n'), footer: 'cffi' };
    }
    case 'ffiLib': {
      const lib = target.lib;
      const from =
        lib.via === 'import'
          ? `imported with ${codeSpan(target.ffi.name)} from a compiled (out-of-line) module`
          : `from ${codeSpan(model.text.slice(lib.statementSpan.start, lib.statementSpan.end).replace(/^[^=]*=\s*/, ''))}`;
      const count = target.ffi.cdefs.reduce((n, c) => n + c.declarations.filter((d) => d.kind !== 'struct' && d.kind !== 'union' && d.kind !== 'typedef').length, 0);
      return {
        markdown: [
          `${codeSpan(lib.name)} — the cffi library object of ${codeSpan(target.ffi.name)}, ${from}`,
          target.ffi.outOfLine ? 'Its functions and globals are those declared in the build script’s cdef.' : `It exposes the ${count} function(s), global(s) and constant(s) declared in the cdef.`,
        ].join('\n\n'),
        footer: 'cffi',
      };
    }
    case 'libAccess':
      return { markdown: explainLibAccess(model, target.access, positions, ext), footer: 'cffi' };
    case 'cdef':
      return {};
    case 'cdefName': {
      if (!target.decl) return { markdown: `${codeSpan(target.name)} — a type cffi predefines; it needs no declaration in the cdef.` };
      const d = target.decl;
      const at = line(positions, d.nameSpan.start);
      const self = target.span.start === d.nameSpan.start;
      // in a build script (set_source) the names to use are those of the compiled module, not the builder's
      const built = builtModule(target.ffi);
      const ffiName = built ? 'ffi' : target.ffi.name;
      const from = built ? ` (after \`from ${built} import ffi, lib\`)` : '';
      const use =
        d.kind === 'function'
          ? d.externPython
            ? `From Python${from}: define it with \`@${ffiName}.def_extern()\` and pass \`lib.${d.name}\` to C.`
            : `From Python${from}: \`lib.${d.name}(...)\`.`
          : d.kind === 'struct' || d.kind === 'union'
            ? `From Python${from}: \`${ffiName}.new("${d.kind} ${d.name} *")\`.`
            : d.kind === 'variable' || d.kind === 'enumerator' || d.kind === 'macro'
              ? `From Python${from}: \`lib.${d.name}\`.`
              : '';
      return {
        markdown: [codeBlock('c', d.text.endsWith(';') ? d.text : d.text + ';'), `${self ? 'Declared here' : 'Declared'} in the cdef of ${codeSpan(target.ffi.name)}, line ${at}.`, use].filter(Boolean).join('\n\n'),
        footer: 'cffi',
      };
    }
    case 'cppyy':
      return { markdown: target.name && CPPYY_API[target.name] ? `${codeSpan('cppyy.' + target.name)} — ${CPPYY_API[target.name]}` : undefined, guide: 'cppyy' };
    case 'mixedModule':
      return { markdown: MIXED_MODULE_TEXT[target.part], guide: 'rpython-mixed-modules' };
  }
}

/** The pointer type `POINTER(arg)` builds, read from the argument as written (`ctypes.c_char`, `POINTER(c_int)`, `Point`). */
function pointerTo(model: BindingModel, arg: Expr, ctx: TypeContext, start: number): CtypesType | undefined {
  const read = (e: Expr): CtypesType | undefined => {
    const dotted = dottedText(e);
    if (dotted) {
      const q = model.qualify(dotted);
      if (q.startsWith('ctypes.') && cNameOfPrimitive(q.slice(7))) return { kind: 'prim', name: q.slice(7), span: e.span };
      if (ctx.structs.has(dotted)) return { kind: 'struct', name: dotted, span: e.span };
      if (ctx.prototypes.has(dotted)) return { kind: 'funcptr', name: dotted, span: e.span };
      return undefined;
    }
    if (e.k === 'call' && model.qualify(dottedText(e.callee) ?? '') === 'ctypes.POINTER' && e.args[0]) {
      const inner = read(e.args[0]);
      return inner && { kind: 'pointer', to: inner, span: e.span };
    }
    return undefined;
  };
  const to = read(arg);
  const end = model.text.indexOf(')', arg.span.end);
  return to && { kind: 'pointer', to, span: { start, end: end < 0 ? arg.span.end : end + 1 } };
}

/** The module a build script's `set_source("_name", ...)` compiles, or undefined for a runtime ffi. */
function builtModule(ffi: FfiObject): string | undefined {
  const arg = ffi.setSource?.args[0];
  return arg?.k === 'str' && /^[\w.]+$/.test(arg.value) ? arg.value : undefined;
}

function explainCtypesName(name: string): string | undefined {
  const c = cNameOfPrimitive(name);
  if (c) return primitiveText(name, name, c);
  const hint = CTYPES_API[name];
  if (!hint) return undefined;
  return [`${codeSpan('ctypes.' + name)} — in cffi: ${hint.cffi}`, hint.note ?? ''].filter(Boolean).join('\n\n');
}

function primitiveText(written: string, name: string, c: string): string {
  const lines = [`${codeSpan(written)} — ctypes type for the C type ${codeSpan(c)}`];
  if (name !== 'py_object') lines.push(`cffi spelling: ${codeSpan(c)} in the cdef and in type strings, e.g. ${codeSpan(`ffi.new("${c.endsWith('*') ? c + '[1]' : c + ' *'}")`)}`);
  if (PRIMITIVE_NOTES[name]) lines.push(PRIMITIVE_NOTES[name]!);
  return lines.join('\n\n');
}

function explainType(model: BindingModel, type: CtypesType, ctx: TypeContext): string | undefined {
  const written = typeText(model, type);
  if (type.kind === 'prim') {
    const c = cNameOfPrimitive(type.name) ?? type.name.replace(/^wintypes\./, '');
    return primitiveText(written, type.name, c);
  }
  if (type.kind === 'struct') {
    const s = ctx.structs.get(type.name);
    if (s) return explainStruct(s, ctx);
  }
  const c = cTypeOf(type, ctx);
  if (!c) return undefined;
  const lines = [`${codeSpan(written)} — ctypes type for the C type ${codeSpan(c)}`, `cffi spelling: ${codeSpan(c)} in the cdef and in type strings`];
  if (type.kind === 'array') lines.push(`An instance is ${codeSpan(`ffi.new("${c}")`)}; note that cffi arrays refuse negative indexes and open slices (\`a[-1]\`, \`a[:]\`).`);
  return lines.join('\n\n');
}

function explainStruct(s: CtypesStruct, ctx: TypeContext): string {
  const lines = [`${codeSpan(s.name)} — a ctypes \`${s.base}\` subclass; as a cffi cdef:`, codeBlock('c', structDeclaration(s, ctx))];
  const kind = s.isUnion ? 'union' : 'struct';
  lines.push(`Instances: ${codeSpan(`ffi.new("${kind} ${s.name} *")`)} (zero-filled, like \`${s.name}()\`).`);
  if (s.pack !== undefined) lines.push(`\`_pack_ = ${s.pack}\` becomes \`ffi.cdef(..., pack=${s.pack})\`${s.pack === 1 ? ' (or `packed=True`)' : ''}.`);
  if (/^(BigEndian|LittleEndian)/.test(s.base)) lines.push('cffi has no non-native byte order: read such data with `struct.unpack`.');
  if (s.hasBehaviour) lines.push('The class has methods or properties: cdata types cannot be subclassed, so those move to a wrapper class.');
  if (!s.fields) lines.push('Its `_fields_` are not a literal list here, so the layout is unknown.');
  return lines.join('\n\n');
}

function explainFunction(model: BindingModel, fn: ForeignFunction, ctx: TypeContext): string {
  const implied = impliedPrototype(fn, ctx);
  const lines = [`${codeSpan(`${fn.library.name}.${fn.name}`)} — a ctypes foreign function; its \`argtypes\`/\`restype\` imply:`, codeBlock('c', implied.text)];
  if (implied.missing.length) lines.push(implied.missing.map((m) => `- ${m}`).join('\n'));
  const known = lookupPrototype(fn.name);
  if (known) lines.push(`The C library declares it (${known.header}) as ${codeSpan(prototypeToCdef(known))}.`);
  lines.push(`cffi: declare it in \`ffi.cdef(...)\` and call \`lib.${fn.name}(...)\`; cffi then checks every argument against the declaration.`);
  return lines.join('\n\n');
}

function explainFfi(ffi: FfiObject): string {
  const mode =
    ffi.outOfLine ? 'imported from a compiled out-of-line module' : ffi.mode === 'abi' ? 'ABI mode (no compiler; declarations must be exact)' : ffi.mode === 'api' ? 'API mode (compiled with `set_source`)' : 'mode not yet decided (no `dlopen` or `set_source` seen)';
  const decls = ffi.cdefs.reduce((n, c) => n + c.declarations.length, 0);
  const lines = [`${codeSpan(ffi.name)} — a cffi \`FFI\` object, ${mode}`];
  if (!ffi.outOfLine) lines.push(`${ffi.cdefs.length} cdef call(s) with ${decls} declaration(s)${ffi.libs.length ? `; libraries: ${ffi.libs.map((l) => codeSpan(l.name)).join(', ')}` : ''}.`);
  return lines.join('\n\n');
}

function explainLibAccess(model: BindingModel, a: FfiLibAccess, positions: PositionMapper, ext?: ExternalDeclarations): string {
  for (const cdef of a.ffi.cdefs) {
    const d = cdef.declarations.find((x) => x.name === a.name && x.kind !== 'struct' && x.kind !== 'union' && x.kind !== 'typedef');
    if (d) {
      return [
        codeBlock('c', d.text.endsWith(';') ? d.text : d.text + ';'),
        `${codeSpan(`${a.lib.name}.${a.name}`)} — declared in the cdef of ${codeSpan(a.ffi.name)}, line ${line(positions, d.nameSpan.start)}.`,
      ].join('\n\n');
    }
  }
  if (a.ffi.outOfLine) {
    // the build script elsewhere in the workspace declares it
    const found = ext?.cdefsOf(model, a.ffi).find((x) => x.decl.name === a.name && isLibMember(x.decl));
    if (found) {
      const d = found.decl;
      const at = TextDocument.create(found.uri, 'python', 0, found.text).positionAt(d.nameSpan.start).line + 1;
      const file = found.uri.slice(found.uri.lastIndexOf('/') + 1);
      return [
        codeBlock('c', d.text.endsWith(';') ? d.text : d.text + ';'),
        `${codeSpan(`${a.lib.name}.${a.name}`)} — from the compiled module ${codeSpan(model.imports.find((i) => i.span.start === a.ffi.statementSpan.start)?.module ?? a.ffi.name)}, declared in the cdef of its build script [${file}](${found.uri}#L${at}), line ${at}.`,
      ].join('\n\n');
    }
    if (a.ffi.external) return `${codeSpan(`${a.lib.name}.${a.name}`)} — not declared in the cdef of the build script ${codeSpan(a.ffi.external.uri.slice(a.ffi.external.uri.lastIndexOf('/') + 1))}: accessing it raises \`AttributeError\`.`;
    return `${codeSpan(`${a.lib.name}.${a.name}`)} — from the compiled module; its declaration is in the build script’s cdef (not found in the workspace).`;
  }
  return `${codeSpan(`${a.lib.name}.${a.name}`)} — not declared in any cdef of ${codeSpan(a.ffi.name)}: accessing it raises \`AttributeError\`.`;
}

const CPPYY_API: Record<string, string> = {
  gbl: 'the global C++ namespace: every C++ name lives under it (`cppyy.gbl.std.vector`).',
  include: 'parses a C++ header so its declarations appear under `cppyy.gbl`.',
  c_include: 'parses a C header (wrapping it in `extern "C"`).',
  cppdef: 'compiles C++ declarations and definitions given as a string with Cling.',
  cppexec: 'runs C++ statements.',
  load_library: 'loads a shared library so the declared symbols can be called.',
  add_include_path: 'adds a directory to the header search path.',
  add_library_path: 'adds a directory to the library search path.',
  sizeof: 'the size of a C++ type or object.',
  nullptr: 'the C++ null pointer.',
  addressof: 'the address of a C++ object, as an integer.',
  bind_object: 'wraps an address as a Python proxy of the given C++ class.',
};

const MIXED_MODULE_TEXT: Record<Extract<Target, { k: 'mixedModule' }>['part'], string> = {
  class:
    'An RPython mixed module: a built-in module of PyPy itself, defined in `pypy/module/<name>/moduledef.py` and compiled in when PyPy is translated (`--withmod-<name>`).',
  interpleveldefs:
    '`interpleveldefs` maps each name the module exports to an interpreter-level object: `\'file.name\'` in the module’s package, or an expression in parentheses such as `\'(space.w_None)\'`.',
  appleveldefs: '`appleveldefs` maps each name the module exports to application-level Python code: `\'app_file.name\'`.',
  import: '`MixedModule` is the base class of PyPy’s built-in modules written in RPython.',
};
