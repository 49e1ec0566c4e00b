import type { Parser } from 'web-tree-sitter';
import { ParsedDocument } from '../documents/parsedDocument';
import { loadGrammars } from '../parser/languages';
import { cdefForLiteral, CFFI_PREDEFINED_TYPES, type ParsedCdef } from './cdef';
import {
  CTYPES_EXPORTS, CTYPES_LOADER_INSTANCES, CTYPES_LOADERS, CTYPES_PRIMITIVES, CTYPES_PROTOTYPE_FACTORIES,
  CTYPES_STRUCT_BASES,
} from './ctypesNames';
import type {
  BindingModel, BindingModule, CallSite, CdefSource, CtypesLibrary, CtypesPrototype, CtypesStruct, CtypesType,
  CtypesUse, Expr, FfiCall, FfiLib, FfiLibAccess, FfiObject, ForeignFunction, ImportInfo, MixedModuleClass, Span,
  StructField,
} from './model';
import { dottedText } from './model';
import { regionFacts, type AssignFact, type AttrFact, type CallFact, type ClassFact } from './regionFacts';

/** Attributes of a ctypes library object that are not foreign functions. */
const LIBRARY_OWN_ATTRS = new Set(['_handle', '_name', '_FuncPtr', '__getitem__', '__getattr__', '_func_flags_', '_func_restype_']);

/** Module-level calls with their own rules, by qualified name. */
const SPECIAL_CALLEES = new Set(['sys.getrefcount', 'id', 'setuptools.Extension', 'distutils.core.Extension', 'distutils.extension.Extension', 'setuptools.extension.Extension']);

interface Facts {
  imports: ImportInfo[];
  assigns: AssignFact[];
  calls: CallFact[];
  attrs: AttrFact[];
  classes: ClassFact[];
}

/**
 * Builds the binding model of a parsed document. Region facts are cached on the regions, so after an edit
 * only the edited region is walked again; this link step is linear in the number of facts.
 */
export function analyzeDocument(doc: ParsedDocument, uri: string, cParser: Parser): BindingModel {
  const all: Facts = { imports: [], assigns: [], calls: [], attrs: [], classes: [] };
  const regionOfFact = new Map<object, ParsedDocument['regions'][number]>();
  for (const region of doc.regions) {
    const f = regionFacts(region);
    all.imports.push(...f.imports);
    all.assigns.push(...f.assigns);
    for (const c of f.calls) {
      all.calls.push(c);
      regionOfFact.set(c, region);
    }
    all.attrs.push(...f.attrs);
    all.classes.push(...f.classes);
  }
  return new Linker(doc, uri, all, cParser, regionOfFact).link();
}

/** Parses and analyses a text in one go (CLI and tests). */
export async function analyzeText(text: string, uri = 'untitled:document.py'): Promise<{ model: BindingModel; doc: ParsedDocument }> {
  const g = await loadGrammars();
  const doc = new ParsedDocument(g.pythonParser, text);
  return { model: analyzeDocument(doc, uri, g.cParser), doc };
}

class Linker {
  private readonly moduleAliases = new Map<string, string>();
  private readonly importedNames = new Map<string, string>();
  private readonly starModules: string[] = [];
  private readonly uses = new Set<BindingModule>();

  constructor(
    private readonly doc: ParsedDocument,
    private readonly uri: string,
    private readonly f: Facts,
    private readonly cParser: Parser,
    private readonly regionOfFact: Map<object, ParsedDocument['regions'][number]>,
  ) {}

  qualify = (dotted: string): string => {
    const dot = dotted.indexOf('.');
    const first = dot < 0 ? dotted : dotted.slice(0, dot);
    const rest = dot < 0 ? '' : dotted.slice(dot);
    const imported = this.importedNames.get(first);
    if (imported) return imported + rest;
    const module = this.moduleAliases.get(first);
    if (module) return module + rest;
    if (this.starModules.includes('ctypes') && CTYPES_EXPORTS.has(first)) return 'ctypes.' + dotted;
    if (this.starModules.includes('cffi') && first === 'FFI') return 'cffi.' + dotted;
    return dotted;
  };

  link(): BindingModel {
    for (const imp of this.f.imports) {
      if (imp.binding) this.uses.add(imp.binding);
      if (imp.boundName !== undefined && imp.names.length === 0 && !imp.star) {
        // `import ctypes.util` binds `ctypes`; `import ctypes as C` binds `C` to the module itself
        const isAliased = imp.boundName !== imp.module.split('.')[0];
        this.moduleAliases.set(imp.boundName, isAliased ? imp.module : imp.module.split('.')[0]!);
      }
      for (const n of imp.names) this.importedNames.set(n.asName, `${imp.module}.${n.name}`);
      if (imp.star) this.starModules.push(imp.module);
    }

    const model: BindingModel = {
      uri: this.uri,
      version: this.doc.version,
      text: this.doc.text,
      imports: this.f.imports,
      uses: this.uses,
      ctypes: { libraries: [], functions: [], structs: [], prototypes: [], uses: [], instances: [] },
      cffi: { ffis: [], calls: [], libAccesses: [], assigns: [] },
      cppyy: { uses: [] },
      mixedModules: [],
      specialCalls: [],
      calls: [],
      qualify: this.qualify,
    };
    const callsByCallee = new Map<number, CallFact>();
    for (const c of this.f.calls) {
      callsByCallee.set(c.call.calleeSpan.start, c);
      const q = c.callee ? this.qualify(c.callee) : '';
      model.calls.push({ callee: q, call: c.call });
      if (SPECIAL_CALLEES.has(q) || (q.endsWith('.Extension') && this.uses.size >= 0 && /^(setuptools|distutils)/.test(q))) model.specialCalls.push({ callee: q, call: c.call });
    }
    if (this.uses.has('ctypes') || this.starModules.includes('ctypes')) this.linkCtypes(model, callsByCallee);
    if (this.uses.has('cffi') || this.f.imports.some((i) => i.names.some((n) => n.name === 'ffi'))) this.linkCffi(model, callsByCallee);
    if (this.uses.has('cppyy')) this.linkModuleUses(model.cppyy.uses, 'cppyy', callsByCallee);
    if (this.uses.has('mixedmodule') || this.f.classes.some((c) => c.bases.some((b) => b.endsWith('MixedModule')))) this.linkMixedModules(model);
    return model;
  }

  // ---- ctypes ----

  private linkModuleUses(out: CtypesUse[], module: string, callsByCallee: Map<number, CallFact>): void {
    for (const a of this.f.attrs) {
      if (this.qualify(a.object) !== module) continue;
      const c = callsByCallee.get(a.span.start);
      const call = c && c.call.calleeSpan.end === a.span.end ? c.call : undefined;
      out.push({ name: a.attr, span: a.span, call });
    }
    for (const c of this.f.calls) {
      if (!c.callee || c.callee.includes('.')) continue;
      const q = this.qualify(c.callee);
      if (q.startsWith(module + '.') && q.split('.').length === 2) out.push({ name: q.slice(module.length + 1), span: c.call.calleeSpan, call: c.call });
    }
    out.sort((a, b) => a.span.start - b.span.start);
  }

  private linkCtypes(model: BindingModel, callsByCallee: Map<number, CallFact>): void {
    this.linkModuleUses(model.ctypes.uses, 'ctypes', callsByCallee);
    // imported names that are themselves uses (`from ctypes import pythonapi`)
    for (const imp of this.f.imports) {
      if (imp.module !== 'ctypes') continue;
      for (const n of imp.names) model.ctypes.uses.push({ name: n.name, span: n.span });
    }
    model.ctypes.uses.sort((a, b) => a.span.start - b.span.start);

    const libs = new Map<string, CtypesLibrary>();
    for (const a of this.f.assigns) {
      const target = dottedText(a.target);
      if (!target) continue;
      const lib = this.libraryFrom(a, target);
      if (lib) {
        libs.set(target, lib);
        model.ctypes.libraries.push(lib);
      }
    }
    // structs (a class may derive from another struct of this file, so iterate to a fixpoint)
    const structs = new Map<string, CtypesStruct>();
    const structFacts = new Map<string, ClassFact>();
    for (let changed = true; changed; ) {
      changed = false;
      for (const c of this.f.classes) {
        if (structs.has(c.name)) continue;
        for (const b of c.bases) {
          const q = this.qualify(b);
          const ctypesBase = q.startsWith('ctypes.') ? q.slice(7) : undefined;
          const parent = structs.get(b);
          if ((ctypesBase && CTYPES_STRUCT_BASES.has(ctypesBase)) || parent) {
            const base = ctypesBase && CTYPES_STRUCT_BASES.has(ctypesBase) ? ctypesBase : b;
            structs.set(c.name, {
              name: c.name, nameSpan: c.nameSpan, span: c.span, base,
              isUnion: parent ? parent.isUnion : /Union$/.test(base), hasBehaviour: c.hasBehaviour, hasBitFields: false,
            });
            structFacts.set(c.name, c);
            changed = true;
            break;
          }
        }
      }
    }
    const prototypes = new Map<string, CtypesPrototype>();
    const resolve = (e: Expr | undefined): CtypesType => this.resolveType(e, structs, prototypes);
    for (const a of this.f.assigns) {
      const target = dottedText(a.target);
      if (!target || a.value.k !== 'call') continue;
      const q = this.qualify(dottedText(a.value.callee) ?? '');
      const factory = q.startsWith('ctypes.') ? q.slice(7) : '';
      if (!CTYPES_PROTOTYPE_FACTORIES.has(factory)) continue;
      const [res, ...args] = a.value.args;
      prototypes.set(target, {
        name: target, nameSpan: a.target.span, statementSpan: a.statementSpan,
        factory: factory as CtypesPrototype['factory'], restype: resolve(res), argtypes: [],
      });
      prototypes.get(target)!.argtypes = args.map(resolve);
    }
    model.ctypes.prototypes.push(...prototypes.values());
    for (const [name, s] of structs) {
      const c = structFacts.get(name)!;
      for (const as of c.assigns) {
        if (as.name === '_fields_') this.setFields(s, as.value, as.statementSpan, resolve);
        else if (as.name === '_pack_' && as.value.k === 'num') s.pack = as.value.value;
        else if (as.name === '_anonymous_' && (as.value.k === 'tuple' || as.value.k === 'list')) s.anonymous = as.value.items.flatMap((i) => (i.k === 'str' ? [i.value] : []));
      }
    }
    for (const a of this.f.assigns) {
      const target = dottedText(a.target);
      if (target?.endsWith('._fields_')) {
        const s = structs.get(target.slice(0, -'._fields_'.length));
        if (s) this.setFields(s, a.value, a.statementSpan, resolve);
      }
    }
    model.ctypes.structs.push(...structs.values());
    for (const a of this.f.assigns) {
      const target = dottedText(a.target);
      if (!target || a.value.k !== 'call') continue;
      const callee = dottedText(a.value.callee) ?? '';
      const dot = callee.lastIndexOf('.');
      const struct = structs.get(callee) ?? (dot > 0 && /^from_(buffer|buffer_copy|address|param)$/.test(callee.slice(dot + 1)) ? structs.get(callee.slice(0, dot)) : undefined);
      if (struct) model.ctypes.instances.push({ name: target, struct, statementSpan: a.statementSpan });
    }

    // foreign functions: `lib.f` references, aliases and attribute assignments
    const fns = new Map<string, ForeignFunction>();
    const fnFor = (lib: CtypesLibrary, name: string): ForeignFunction => {
      const key = `${lib.name}.${name}`;
      let fn = fns.get(key);
      if (!fn) {
        fn = { library: lib, name, refs: [], aliases: [], calls: [] };
        fns.set(key, fn);
        lib.functions.push(fn);
        model.ctypes.functions.push(fn);
      }
      return fn;
    };
    for (const a of this.f.attrs) {
      const lib = libs.get(a.object);
      if (!lib || LIBRARY_OWN_ATTRS.has(a.attr)) continue;
      fnFor(lib, a.attr).refs.push(a.span);
    }
    // `lib["name"]` and `getattr(lib, "name")`
    for (const c of this.f.calls) {
      if (c.callee !== 'getattr') continue;
      const [obj, name] = c.call.args;
      const lib = libs.get(dottedText(obj) ?? '');
      if (lib && name?.k === 'str') fnFor(lib, name.value).refs.push(c.call.span);
    }
    const byAlias = new Map<string, ForeignFunction>();
    for (const [key, fn] of fns) byAlias.set(key, fn);
    for (const a of this.f.assigns) {
      const target = dottedText(a.target);
      const source = a.value.k === 'dotted' ? a.value : undefined;
      if (!target || !source) continue;
      const fn = fns.get(source.text);
      if (fn && !fn.aliases.includes(target)) {
        fn.aliases.push(target);
        byAlias.set(target, fn);
      }
    }
    for (const a of this.f.assigns) {
      const target = a.target.k === 'dotted' ? a.target : undefined;
      if (!target) continue;
      const fn = byAlias.get(target.object.text);
      if (!fn) continue;
      const base = { statementSpan: a.statementSpan, targetSpan: target.span, value: a.value };
      if (target.attr === 'argtypes') {
        const items = a.value.k === 'list' || a.value.k === 'tuple' ? a.value.items : undefined;
        fn.argtypes = { ...base, types: items?.map(resolve) };
      } else if (target.attr === 'restype') fn.restype = { ...base, type: resolve(a.value) };
      else if (target.attr === 'errcheck') fn.errcheck = base;
    }
    for (const c of this.f.calls) {
      const fn = c.callee ? byAlias.get(c.callee) : undefined;
      if (fn) fn.calls.push(c.call);
    }
  }

  private libraryFrom(a: AssignFact, target: string): CtypesLibrary | undefined {
    const v = a.value;
    const base = { name: target, nameSpan: a.target.span, statementSpan: a.statementSpan, loadSpan: v.span, functions: [] as ForeignFunction[] };
    if (v.k === 'call') {
      const q = this.qualify(dottedText(v.callee) ?? '');
      const parts = q.split('.');
      if (parts[0] !== 'ctypes') return undefined;
      if (parts.length === 2 && CTYPES_LOADERS.has(parts[1]!)) return { ...base, loader: parts[1]!, path: v.args[0], keywords: v.keywords };
      if (parts.length === 3 && CTYPES_LOADER_INSTANCES.has(parts[1]!) && parts[2] === 'LoadLibrary') return { ...base, loader: 'LoadLibrary', path: v.args[0], keywords: v.keywords };
      return undefined;
    }
    if (v.k === 'dotted') {
      const parts = this.qualify(v.text).split('.');
      if (parts.length === 3 && parts[0] === 'ctypes' && CTYPES_LOADER_INSTANCES.has(parts[1]!)) return { ...base, loader: 'attribute', attributeName: parts[2], keywords: [] };
    }
    return undefined;
  }

  private setFields(s: CtypesStruct, value: Expr, span: Span, resolve: (e: Expr | undefined) => CtypesType): void {
    if (value.k !== 'list' && value.k !== 'tuple') return;
    const fields: StructField[] = [];
    for (const item of value.items) {
      if (item.k !== 'tuple' || item.items.length < 2 || item.items[0]!.k !== 'str') continue;
      const [name, type, bits] = item.items;
      const field: StructField = { name: (name as { value: string }).value, type: resolve(type), span: item.span };
      if (bits?.k === 'num') {
        field.bits = bits.value;
        s.hasBitFields = true;
      }
      fields.push(field);
    }
    s.fields = fields;
    s.fieldsSpan = span;
  }

  resolveType(e: Expr | undefined, structs: Map<string, CtypesStruct>, prototypes: Map<string, CtypesPrototype>): CtypesType {
    if (!e) return { kind: 'unknown', text: '', span: { start: 0, end: 0 } };
    if (e.k === 'none') return { kind: 'void', span: e.span };
    const d = dottedText(e);
    if (d) {
      if (structs.has(d)) return { kind: 'struct', name: d, span: e.span };
      if (prototypes.has(d)) return { kind: 'funcptr', name: d, span: e.span };
      const q = this.qualify(d);
      const prim = q.startsWith('ctypes.') ? q.slice(7) : q.startsWith('ctypes.wintypes.') ? q.slice(16) : undefined;
      if (prim && CTYPES_PRIMITIVES[prim]) return { kind: 'prim', name: prim, span: e.span };
      if (prim?.startsWith('wintypes.')) return { kind: 'prim', name: prim, span: e.span };
    }
    if (e.k === 'call' && this.qualify(dottedText(e.callee) ?? '') === 'ctypes.POINTER' && e.args.length === 1) {
      return { kind: 'pointer', to: this.resolveType(e.args[0], structs, prototypes), span: e.span };
    }
    if (e.k === 'binop' && e.op === '*') {
      return { kind: 'array', of: this.resolveType(e.left, structs, prototypes), length: e.right.text, span: e.span };
    }
    return { kind: 'unknown', text: e.text, span: e.span };
  }

  // ---- cffi ----

  private linkCffi(model: BindingModel, callsByCallee: Map<number, CallFact>): void {
    const ffis = new Map<string, FfiObject>();
    const libs = new Map<string, { ffi: FfiObject; lib: FfiLib }>();
    for (const a of this.f.assigns) {
      const target = dottedText(a.target);
      if (!target || a.value.k !== 'call') continue;
      const q = this.qualify(dottedText(a.value.callee) ?? '');
      if (q === 'cffi.FFI' || q === 'cffi.api.FFI') {
        ffis.set(target, { name: target, nameSpan: a.target.span, statementSpan: a.statementSpan, mode: 'unknown', outOfLine: false, cdefs: [], libs: [] });
      }
    }
    for (const imp of this.f.imports) {
      if (imp.binding === 'cffi') continue;
      const ffiName = imp.names.find((n) => n.name === 'ffi');
      if (!ffiName) continue;
      const ffi: FfiObject = { name: ffiName.asName, nameSpan: ffiName.span, statementSpan: imp.span, mode: 'unknown', outOfLine: true, cdefs: [], libs: [] };
      ffis.set(ffi.name, ffi);
      const libName = imp.names.find((n) => n.name === 'lib');
      if (libName) {
        ffi.mode = 'api';
        const lib: FfiLib = { name: libName.asName, nameSpan: libName.span, statementSpan: imp.span, via: 'import' };
        ffi.libs.push(lib);
        libs.set(lib.name, { ffi, lib });
      }
    }
    for (const a of this.f.assigns) {
      const target = dottedText(a.target);
      if (!target || a.value.k !== 'call' || a.value.callee.k !== 'dotted') continue;
      const ffi = ffis.get(a.value.callee.object.text);
      const method = a.value.callee.attr;
      if (!ffi || (method !== 'dlopen' && method !== 'verify')) continue;
      const lib: FfiLib = { name: target, nameSpan: a.target.span, statementSpan: a.statementSpan, via: method, path: method === 'dlopen' ? a.value.args[0] : undefined };
      ffi.libs.push(lib);
      libs.set(target, { ffi, lib });
      if (method === 'dlopen' && ffi.mode === 'unknown') ffi.mode = 'abi';
      if (method === 'verify') ffi.mode = 'api';
    }
    for (const c of this.f.calls) {
      if (c.calleeExpr.k !== 'dotted') continue;
      const ffi = ffis.get(c.calleeExpr.object.text);
      if (!ffi) continue;
      const method = c.calleeExpr.attr;
      model.cffi.calls.push({ ffi, method, methodSpan: c.calleeExpr.attrSpan, call: c.call });
      if (method === 'set_source') {
        ffi.setSource = c.call;
        ffi.mode = c.call.args[1]?.k === 'none' ? 'abi' : 'api';
      } else if (method === 'cdef' || method === 'embedding_api') {
        const arg = c.call.args[0];
        if (arg?.k === 'str') ffi.cdefs.push(this.cdefSource(c, arg));
      }
    }
    for (const ffi of ffis.values()) this.checkCdefTypes(ffi);
    for (const a of this.f.attrs) {
      const entry = libs.get(a.object);
      if (!entry) continue;
      const c = callsByCallee.get(a.span.start);
      const call = c && c.call.calleeSpan.end === a.span.end ? c.call : undefined;
      model.cffi.libAccesses.push({ ffi: entry.ffi, lib: entry.lib, name: a.attr, span: a.span, nameSpan: a.attrSpan, call });
    }
    model.cffi.ffis.push(...ffis.values());
    for (const a of this.f.assigns) {
      const v = a.value;
      if (v.k !== 'call' || v.callee.k !== 'dotted') continue;
      const owner = v.callee.object.text;
      const ffi = ffis.get(owner);
      const lib = ffi ? undefined : libs.get(owner);
      if (!ffi && !lib) continue;
      model.cffi.assigns.push({ ffi: ffi ?? lib!.ffi, target: a.target, value: v, on: ffi ? 'ffi' : 'lib', member: v.callee.attr, statementSpan: a.statementSpan });
    }
  }

  private cdefSource(c: CallFact, arg: Extract<Expr, { k: 'str' }>): CdefSource {
    const region = this.regionOfFact.get(c)!;
    const parts = arg.parts.map((p) => ({ relStart: p.start - region.offset, relEnd: p.end - region.offset }));
    const parsed: ParsedCdef = cdefForLiteral(region, this.cParser, parts);
    return {
      callSpan: c.call.span, stringSpan: arg.span, source: parsed.source, exact: parsed.exact,
      declarations: parsed.declarations,
      problems: [
        ...parsed.problems,
        ...parsed.ellipses.map((span) => ({ kind: 'ellipsis' as const, span, message: '`...` in a cdef' })),
      ],
      keywords: c.call.keywords,
      ...{ typeRefs: parsed.typeRefs },
    };
  }

  /** Marks type names that neither cffi predefines nor any cdef of this ffi declares. */
  private checkCdefTypes(ffi: FfiObject): void {
    if (ffi.outOfLine) return;
    const declared = new Set<string>();
    for (const cdef of ffi.cdefs) for (const d of cdef.declarations) if (d.kind === 'typedef') declared.add(d.name);
    for (const cdef of ffi.cdefs) {
      const refs = (cdef as CdefSource & { typeRefs?: { name: string; span: Span }[] }).typeRefs ?? [];
      for (const r of refs) {
        if (CFFI_PREDEFINED_TYPES.has(r.name) || declared.has(r.name)) continue;
        cdef.problems.push({ kind: 'unknownType', span: r.span, message: `unknown type \`${r.name}\``, detail: r.name });
      }
    }
  }

  // ---- RPython mixed modules ----

  private linkMixedModules(model: BindingModel): void {
    for (const c of this.f.classes) {
      if (!c.bases.some((b) => this.qualify(b).endsWith('MixedModule'))) continue;
      const m: MixedModuleClass = { name: c.name, nameSpan: c.nameSpan, span: c.span };
      for (const a of c.assigns) {
        if (a.name === 'interpleveldefs') m.interpleveldefs = a.nameSpan;
        if (a.name === 'appleveldefs') m.appleveldefs = a.nameSpan;
      }
      model.mixedModules.push(m);
    }
  }
}

export type { CallSite, FfiCall, FfiLibAccess };
