import type { Parser } from 'web-tree-sitter';
import { ParsedDocument } from '../documents/parsedDocument';
import { loadGrammars } from '../parser/languages';
import { cdefForLiteral, CFFI_PREDEFINED_TYPES, type ParsedCdef } from './cdef';
import {
  CTYPES_EXPORTS, CTYPES_LOADER_INSTANCES, CTYPES_LOADERS, CTYPES_PRIMITIVES, CTYPES_PROTOTYPE_FACTORIES,
  CTYPES_STRUCT_BASES,
} from './ctypesNames';
import type {
  AttributeAssignment, BindingModel, BindingModule, CallSite, CdefSource, CtypesLibrary, CtypesPrototype, CtypesStruct, CtypesType,
  CtypesUse, Expr, FfiCall, FfiLib, FfiLibAccess, FfiObject, ForeignFunction, ImportInfo, MixedModuleClass, Span,
  StructField,
} from './model';
import { dottedText } from './model';
import { relevantRegionFacts } from './relevantRegions';
import { regionFacts, type AssignFact, type CallFact, type ClassFact, type RegionFacts } from './regionFacts';

/** Attributes of a ctypes library object that are not foreign functions. */
const LIBRARY_OWN_ATTRS = new Set(['_handle', '_name', '_FuncPtr', '__getitem__', '__getattr__', '_func_flags_', '_func_restype_']);

/** Module-level calls with their own rules, by qualified name. */
const SPECIAL_CALLEES = new Set(['sys.getrefcount', 'id', 'setuptools.Extension', 'distutils.core.Extension', 'distutils.extension.Extension', 'setuptools.extension.Extension']);

type Region = ParsedDocument['regions'][number];

/**
 * Builds the binding model of a parsed document.
 *
 * Work is staged so that a keystroke costs little on long files: region facts are cached on the regions;
 * stage A (what each region defines or uses, given the imports) and stage B (which attributes and calls
 * reach a library, given the names the file binds) are cached per region under a key of what they read.
 * After an edit that changes no binding name, only the edited region runs both stages again, and the
 * merge below is linear in the (few) entries the stages found.
 */
export function analyzeDocument(doc: ParsedDocument, uri: string, cParser: Parser, options: AnalyzeOptions = {}): BindingModel {
  try {
    return new Linker(doc, uri, cParser, options).link();
  } catch (e) {
    lastLinks.delete(doc); // a link cut short may have updated part of the table
    throw e;
  }
}

export interface AnalyzeOptions {
  /** One-shot analysis (the CLI): walk only the regions that can matter (see relevantRegions.ts). */
  relevantRegionsOnly?: boolean;
  /**
   * The caller's previous model of this document is dead once this one is made (DocumentService's keystroke
   * path): its unchanged libraries and functions are reused, the same objects, in the new model, and only the
   * entries of the edited regions are linked again. Never when the previous model was linked with a workspace
   * evaluation (which adds to its functions).
   */
  reuse?: boolean;
}

/** Per-stage generation numbers: a stage's cached output is valid while the context it read is unchanged. */
const stageContexts = new Map<string, { context: string; generation: number }>();
function generationOf(stage: string, context: string): number {
  const cur = stageContexts.get(stage);
  if (cur && cur.context === context) return cur.generation;
  const generation = (cur?.generation ?? 0) + 1;
  stageContexts.set(stage, { context, generation });
  return generation;
}

/** generationOf for a context in parts (each compared on its own). */
const stagePartContexts = new Map<string, { parts: readonly string[]; generation: number }>();
function generationOfParts(stage: string, parts: readonly string[]): number {
  const cur = stagePartContexts.get(stage);
  if (cur && cur.parts.length === parts.length && cur.parts.every((p, i) => p === parts[i])) return cur.generation;
  const generation = (cur?.generation ?? 0) + 1;
  stagePartContexts.set(stage, { parts, generation });
  return generation;
}

function cached<T>(region: Region, stage: string, generation: number, compute: () => T): T {
  const cache = (region.cache ??= {}) as Record<string, { generation: number; value: unknown } | undefined>;
  const slot = cache[stage];
  if (slot && slot.generation === generation) return slot.value as T;
  const value = compute();
  cache[stage] = { generation, value };
  return value;
}

/** What a region defines or uses, read with the file's imports only. */
interface StageA {
  libDefs: CtypesLibrary[];
  ffiDefs: { target: string; a: AssignFact }[];
  ffiMethodAssigns: { target: string; owner: string; method: 'dlopen' | 'verify'; a: AssignFact }[];
  protoDefs: { target: string; factory: CtypesPrototype['factory']; a: AssignFact }[];
  classes: { fact: ClassFact; qbases: string[] }[];
  aliasCandidates: { target: string; source: string }[];
  sigAssigns: { owner: string; attr: 'argtypes' | 'restype' | 'errcheck'; targetSpan: Span; a: AssignFact; memo?: { generation: number; value: AttributeAssignment } }[];
  fieldsAssigns: { structName: string; a: AssignFact }[];
  instanceCandidates: { target: string; callee: string; a: AssignFact }[];
  ownerCalls: { owner: string; a: AssignFact; value: Extract<Expr, { k: 'call' }> }[];
  calls: { callee: string; call: CallSite }[];
  specialCalls: { callee: string; call: CallSite }[];
  dottedCalls: { owner: string; method: string; methodSpan: Span; c: CallFact }[];
  getattrCalls: CallFact[];
  ctypesUses: CtypesUse[];
  cppyyUses: CtypesUse[];
  /** Plain names passed as call arguments in this region. */
  argumentNames: Set<string>;
  /** A class of this region has a base spelled `…MixedModule` (read at every link: once per region here). */
  mixedModuleBase: boolean;
  /** Which instance candidates name a struct, under the struct names they were read with (the ctypes link). */
  instanceHits?: { generation: number; hits: { ic: StageA['instanceCandidates'][number]; struct: string }[] };
}

/** Which attributes and calls of a region reach a ctypes library or a cffi lib. */
interface StageB {
  /** `key` is the `lib.name` text, computed once here rather than on every link. */
  fnRefs: { key: string; lib: string; name: string; span: Span }[];
  getattrRefs: { key: string; lib: string; name: string; span: Span }[];
  fnCalls: { key: string; call: CallSite }[];
  libAccesses: { lib: string; name: string; span: Span; nameSpan: Span; call?: CallSite }[];
  /** What namesOf found (made on first use). */
  names?: ReadonlySet<string>;
}

/** Parses and analyses a text in one go (CLI and tests). */
export async function analyzeText(text: string, uri = 'untitled:document.py', options: AnalyzeOptions = {}): Promise<{ model: BindingModel; doc: ParsedDocument }> {
  const g = await loadGrammars();
  const doc = new ParsedDocument(g.pythonParser, text);
  return { model: analyzeDocument(doc, uri, g.cParser, options), doc };
}

/** Type resolutions and struct fields, memoised per syntax node while the names they depend on stay the same (generation 'types'). */
const typeMemo = new WeakMap<Expr, { generation: number; type: CtypesType }>();
const structMemo = new WeakMap<ClassFact, CtypesStruct>();
/** Each document's structs at its last link, with the classes they came from (entries of stage A, cached per region). */
const lastStructs = new WeakMap<ParsedDocument, { classes: readonly StageA['classes'][number][]; structs: Map<string, CtypesStruct>; structFacts: Map<string, ClassFact>; names: string; list?: CtypesStruct[] }>();
/** Shared by the many functions that have no alias; replaced by a fresh array on the first one. */
const NO_ALIASES = Object.freeze([]) as unknown as string[];
/** Placeholders until a function's references and calls are counted (never left in a model). */
const NO_SPANS = Object.freeze([]) as unknown as Span[];
const NO_CALLS = Object.freeze([]) as unknown as CallSite[];
const fieldsMemo = new WeakMap<Expr, { generation: number; fields: StructField[]; hasBitFields: boolean }>();


/** Two classes the struct fixpoint cannot tell apart: the same name, bases and qualified bases. */
function sameShape(a: StageA['classes'][number], b: StageA['classes'][number]): boolean {
  return a.fact.name === b.fact.name && a.fact.bases.length === b.fact.bases.length && a.fact.bases.every((x, i) => x === b.fact.bases[i]) && a.qbases.every((x, i) => x === b.qbases[i]);
}

/** A document's last link, kept when the caller asks for reuse (AnalyzeOptions.reuse). */
interface LastLink {
  model: BindingModel;
  stageA: StageA[];
  stageB: StageB[];
  genA: number;
  genB: number;
  /** The ctypes library objects by name, and in the model's order (a name loaded twice is in both). */
  libs: Map<string, CtypesLibrary>;
  libraries: CtypesLibrary[];
  functions?: FunctionTable;
  /** The 'types' generation of the ctypes link (struct fields were resolved under it). */
  typesGen?: number;
}

/** The ctypes functions of a link, and what an update of a few of them needs. */
interface FunctionTable {
  /** The 'types' generation the signatures were resolved under. */
  typesGen: number;
  fns: ForeignFunction[];
  /** `lib.name` of each function, and the place of its first reference (phase, region, index: text order). */
  keys: string[];
  positions: number[];
  byKey: Map<string, ForeignFunction>;
  /** `lib.name` → the place of the function's first reference (its entry in `positions`). */
  positionOf: Map<string, number>;
  /** Alias target → the key of the function it names (as `byAlias` resolves it). */
  aliased: Map<string, string>;
  /** The source text of every alias candidate: a function with such a key may carry aliases. */
  aliasSources: Set<string>;
}

const lastLinks = new WeakMap<ParsedDocument, LastLink>();
/** A first reference's place, sortable: getattr() references after every attribute reference, then region, then index. */
const REF_PHASE = 2 ** 42;
const REF_REGION = 2 ** 21;

/** Each function reference of the stage-B facts in link order (text order, then getattr references) with its position key. */
function forEachRef(stageB: readonly StageB[], visit: (r: StageB['fnRefs'][number], position: number) => void): void {
  for (let k = 0; k < stageB.length; k++) {
    const rs = stageB[k]!.fnRefs;
    for (let j = 0; j < rs.length; j++) visit(rs[j]!, k * REF_REGION + j);
  }
  for (let k = 0; k < stageB.length; k++) {
    const rs = stageB[k]!.getattrRefs;
    for (let j = 0; j < rs.length; j++) visit(rs[j]!, REF_PHASE + k * REF_REGION + j);
  }
}

/**
 * Every `lib.name` text a region's entries name (references, calls, signature owners as written), kept on its
 * stage-B object (made with its stage A: a new stage A means a new stage B): the reuse path asks which regions
 * name the functions an edit touched.
 */
function namesOf(a: StageA, b: StageB): ReadonlySet<string> {
  if (b.names) return b.names;
  const names = new Set<string>();
  for (const r of b.fnRefs) names.add(r.key);
  for (const r of b.getattrRefs) names.add(r.key);
  for (const c of b.fnCalls) names.add(c.key);
  for (const sa of a.sigAssigns) names.add(sa.owner);
  return (b.names = names);
}

/** The regions whose stage output is not the same object as at the last link (undefined when the regions differ). */
function changedRegions<T>(before: readonly T[], after: readonly T[]): number[] | undefined {
  if (before.length !== after.length) return undefined;
  const out: number[] = [];
  for (let i = 0; i < after.length; i++) if (before[i] !== after[i]) out.push(i);
  return out;
}

/**
 * The model's shell, with its closures made here and not in `Linker.link`: a closure there would share that
 * function's context, which holds the last link (`delta`), so each model kept the one before it alive.
 */
function emptyLinkedModel(uri: string, doc: ParsedDocument, imports: ImportInfo[], uses: Set<BindingModule>, stageA: readonly StageA[], qualify: (dotted: string) => string): BindingModel {
  let calls: BindingModel['calls'] | undefined;
  return {
    uri,
    version: doc.version,
    text: doc.text,
    imports,
    uses,
    ctypes: { libraries: [], functions: [], structs: [], prototypes: [], uses: [], instances: [] },
    cffi: { ffis: [], calls: [], libAccesses: [], assigns: [] },
    cppyy: { uses: [] },
    mixedModules: [],
    specialCalls: [],
    // made on first read: the rules that read every call go region by region (regionCalls)
    get calls() {
      return (calls ??= stageA.flatMap((a) => a.calls));
    },
    regionCalls: stageA.map((a) => a.calls),
    qualify,
    isPassedAsArgument: (name) => stageA.some((a) => a.argumentNames.has(name)),
  };
}

class Linker {
  private readonly moduleAliases = new Map<string, string>();
  private readonly importedNames = new Map<string, string>();
  private readonly starModules: string[] = [];
  private readonly uses = new Set<BindingModule>();
  private readonly qualified = new Map<string, string>();
  private readonly regions: Region[];
  private readonly facts: RegionFacts[];
  private readonly imports: ImportInfo[] = [];
  private readonly reuse: boolean;
  /** The last link of this document and the regions changed since, when its entries may be reused. */
  private delta?: { last: LastLink; changedA: number[]; changedB?: number[] };
  private functionTable?: FunctionTable;
  private typesGen?: number;
  private importContext = '';

  constructor(
    private readonly doc: ParsedDocument,
    private readonly uri: string,
    private readonly cParser: Parser,
    options: AnalyzeOptions = {},
  ) {
    this.reuse = !!options.reuse && !options.relevantRegionsOnly;
    this.regions = doc.regions;
    this.facts = options.relevantRegionsOnly ? relevantRegionFacts(this.regions) : this.regions.map((r) => regionFacts(r));
    for (const f of this.facts) this.imports.push(...f.imports);
  }

  qualify = (dotted: string): string => {
    let q = this.qualified.get(dotted);
    if (q === undefined) {
      q = this.qualifyUncached(dotted);
      this.qualified.set(dotted, q);
    }
    return q;
  };

  private qualifyUncached(dotted: string): string {
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
  }

  link(): BindingModel {
    for (const imp of this.imports) {
      if (imp.binding) this.uses.add(imp.binding);
      if (imp.boundName !== undefined && imp.names.length === 0 && !imp.star) {
        // `import ctypes.util` binds `ctypes`; `import ctypes as C` binds `C` to the module itself
        const isAliased = imp.boundName !== imp.module.split('.')[0];
        this.moduleAliases.set(imp.boundName, isAliased ? imp.module : imp.module.split('.')[0]!);
      }
      for (const n of imp.names) this.importedNames.set(n.asName, `${imp.module}.${n.name}`);
      if (imp.star) this.starModules.push(imp.module);
    }
    const importContext = (this.importContext = `${[...this.moduleAliases]}|${[...this.importedNames]}|${this.starModules}`);
    const genA = generationOf('A', importContext);
    const stageA = this.regions.map((r, i) => cached(r, 'stageA', genA, () => this.stageA(this.facts[i]!)));
    const last = this.reuse ? lastLinks.get(this.doc) : undefined;
    if (last && last.model.module === undefined && last.genA === genA) {
      const changedA = changedRegions(last.stageA, stageA);
      if (changedA) this.delta = { last, changedA };
    }

    const model = emptyLinkedModel(this.uri, this.doc, this.imports, this.uses, stageA, this.qualify);
    for (const a of stageA) for (const c of a.specialCalls) model.specialCalls.push(c);
    const usesCtypes = this.uses.has('ctypes') || this.starModules.includes('ctypes');
    const usesCffi = this.uses.has('cffi') || this.imports.some((i) => i.names.some((n) => n.name === 'ffi'));

    // names the file binds to ctypes libraries and cffi libs: the context of stage B
    let libs = new Map<string, CtypesLibrary>();
    const delta = this.delta;
    if (usesCtypes && delta && delta.last.functions && delta.changedA.every((i) => delta.last.stageA[i]!.libDefs.length === 0 && stageA[i]!.libDefs.length === 0)) {
      // no library statement changed: the same library objects (their functions are replaced below)
      libs = delta.last.libs;
      model.ctypes.libraries.push(...delta.last.libraries);
    } else if (usesCtypes) {
      for (const a of stageA) {
        for (const def of a.libDefs) {
          const lib = { ...def, functions: [] };
          libs.set(lib.name, lib);
          model.ctypes.libraries.push(lib);
        }
      }
    }
    const ffis = new Map<string, FfiObject>();
    const ffiLibs = new Map<string, { ffi: FfiObject; lib: FfiLib }>();
    if (usesCffi) this.cffiObjects(stageA, ffis, ffiLibs);
    const aliases = new Map<string, string>(); // alias → `lib.f`
    for (const a of stageA) {
      for (const al of a.aliasCandidates) {
        const dot = al.source.lastIndexOf('.');
        if (dot > 0 && libs.has(al.source.slice(0, dot)) && !LIBRARY_OWN_ATTRS.has(al.source.slice(dot + 1))) aliases.set(al.target, al.source);
      }
    }
    const genB = generationOf('B', `${importContext}|${[...libs.keys()]}|${[...aliases]}|${[...ffiLibs.keys()]}`);
    const stageB = this.regions.map((r, i) => cached(r, 'stageB', genB, () => this.stageB(this.facts[i]!, stageA[i]!, libs, aliases, ffiLibs)));
    if (delta && delta.last.genB === genB && delta.last.libs === libs) delta.changedB = changedRegions(delta.last.stageB, stageB);

    if (usesCtypes) this.linkCtypes(model, stageA, stageB, libs);
    if (usesCffi) this.linkCffi(model, stageA, stageB, ffis, ffiLibs);
    if (this.uses.has('cppyy')) for (const a of stageA) model.cppyy.uses.push(...a.cppyyUses);
    if (this.uses.has('mixedmodule') || stageA.some((a) => a.mixedModuleBase)) this.linkMixedModules(model, stageA);
    if (this.reuse) lastLinks.set(this.doc, { model, stageA, stageB, genA, genB, libs, libraries: model.ctypes.libraries.slice(), functions: this.functionTable, typesGen: this.typesGen });
    // the model keeps this linker (its `qualify`): without this, each model held the last one, and so every
    // model of the session (~0.5–0.8 MB per keystroke on the 10k-line files, copied by each scavenge)
    this.delta = undefined;
    return model;
  }

  // ---- stage A: per region, with the imports ----

  private stageA(f: RegionFacts): StageA {
    const out: StageA = {
      libDefs: [], ffiDefs: [], ffiMethodAssigns: [], protoDefs: [], classes: [], aliasCandidates: [], sigAssigns: [],
      fieldsAssigns: [], instanceCandidates: [], ownerCalls: [], calls: [], specialCalls: [], dottedCalls: [],
      getattrCalls: [], ctypesUses: [], cppyyUses: [], argumentNames: new Set(), mixedModuleBase: false,
    };
    const callsByCallee = new Map<number, CallFact>();
    for (const c of f.calls) {
      callsByCallee.set(c.call.calleeSpan.start, c);
      const q = c.callee ? this.qualify(c.callee) : '';
      out.calls.push({ callee: q, call: c.call });
      if (SPECIAL_CALLEES.has(q) || (q.endsWith('.Extension') && /^(setuptools|distutils)/.test(q))) out.specialCalls.push({ callee: q, call: c.call });
      if (c.calleeExpr.k === 'dotted') out.dottedCalls.push({ owner: c.calleeExpr.object.text, method: c.calleeExpr.attr, methodSpan: c.calleeExpr.attrSpan, c });
      if (c.callee === 'getattr') out.getattrCalls.push(c);
      for (const a of c.call.args) if (a.k === 'name') out.argumentNames.add(a.text);
      if (c.callee && !c.callee.includes('.')) {
        for (const module of ['ctypes', 'cppyy'] as const) {
          if (q.startsWith(module + '.') && q.split('.').length === 2) (module === 'ctypes' ? out.ctypesUses : out.cppyyUses).push({ name: q.slice(module.length + 1), span: c.call.calleeSpan, call: c.call });
        }
      }
    }
    for (const a of f.attrs) {
      const q = this.qualify(a.object);
      if (q !== 'ctypes' && q !== 'cppyy') continue;
      const c = callsByCallee.get(a.span.start);
      const call = c && c.call.calleeSpan.end === a.span.end ? c.call : undefined;
      (q === 'ctypes' ? out.ctypesUses : out.cppyyUses).push({ name: a.attr, span: a.span, call });
    }
    out.ctypesUses.sort((x, y) => x.span.start - y.span.start);
    out.cppyyUses.sort((x, y) => x.span.start - y.span.start);
    for (const a of f.assigns) {
      const target = dottedText(a.target);
      const v = a.value;
      if (target) {
        const lib = this.libraryFrom(a, target);
        if (lib) out.libDefs.push(lib);
        if (v.k === 'dotted') out.aliasCandidates.push({ target, source: v.text });
        if (target.endsWith('._fields_')) out.fieldsAssigns.push({ structName: target.slice(0, -'._fields_'.length), a });
      }
      if (a.target.k === 'dotted' && (a.target.attr === 'argtypes' || a.target.attr === 'restype' || a.target.attr === 'errcheck')) {
        out.sigAssigns.push({ owner: a.target.object.text, attr: a.target.attr, targetSpan: a.target.span, a });
      }
      if (v.k !== 'call') continue;
      const callee = dottedText(v.callee);
      if (v.callee.k === 'dotted') out.ownerCalls.push({ owner: v.callee.object.text, a, value: v });
      if (!target) continue;
      if (callee !== undefined) out.instanceCandidates.push({ target, callee, a });
      const q = this.qualify(callee ?? '');
      if (q === 'cffi.FFI' || q === 'cffi.api.FFI') out.ffiDefs.push({ target, a });
      const factory = q.startsWith('ctypes.') ? q.slice(7) : '';
      if (CTYPES_PROTOTYPE_FACTORIES.has(factory)) out.protoDefs.push({ target, factory: factory as CtypesPrototype['factory'], a });
      if (v.callee.k === 'dotted' && (v.callee.attr === 'dlopen' || v.callee.attr === 'verify')) {
        out.ffiMethodAssigns.push({ target, owner: v.callee.object.text, method: v.callee.attr, a });
      }
    }
    for (const c of f.classes) {
      out.classes.push({ fact: c, qbases: c.bases.map(this.qualify) });
      if (c.bases.some((b) => b.endsWith('MixedModule'))) out.mixedModuleBase = true;
    }
    return out;
  }

  // ---- stage B: per region, with the names bound to libraries ----

  private stageB(f: RegionFacts, a: StageA, libs: Map<string, CtypesLibrary>, aliases: Map<string, string>, ffiLibs: Map<string, unknown>): StageB {
    const out: StageB = { fnRefs: [], getattrRefs: [], fnCalls: [], libAccesses: [] };
    if (libs.size === 0 && ffiLibs.size === 0) return out;
    let callsByCallee: Map<number, CallFact> | undefined;
    for (const at of f.attrs) {
      if (libs.has(at.object)) {
        if (!LIBRARY_OWN_ATTRS.has(at.attr)) out.fnRefs.push({ key: `${at.object}.${at.attr}`, lib: at.object, name: at.attr, span: at.span });
      } else if (ffiLibs.has(at.object)) {
        if (!callsByCallee) {
          callsByCallee = new Map();
          for (const c of f.calls) callsByCallee.set(c.call.calleeSpan.start, c);
        }
        const c = callsByCallee.get(at.span.start);
        const call = c && c.call.calleeSpan.end === at.span.end ? c.call : undefined;
        out.libAccesses.push({ lib: at.object, name: at.attr, span: at.span, nameSpan: at.attrSpan, call });
      }
    }
    // `getattr(lib, "name")`
    for (const c of a.getattrCalls) {
      const [obj, name] = c.call.args;
      const lib = dottedText(obj);
      if (lib && libs.has(lib) && name?.k === 'str') out.getattrRefs.push({ key: `${lib}.${name.value}`, lib, name: name.value, span: c.call.span });
    }
    if (libs.size) {
      for (const c of f.calls) {
        if (!c.callee) continue;
        const alias = aliases.get(c.callee);
        if (alias) {
          out.fnCalls.push({ key: alias, call: c.call });
          continue;
        }
        const dot = c.callee.lastIndexOf('.');
        if (dot > 0 && libs.has(c.callee.slice(0, dot)) && !LIBRARY_OWN_ATTRS.has(c.callee.slice(dot + 1))) out.fnCalls.push({ key: c.callee, call: c.call });
      }
    }
    return out;
  }

  // ---- ctypes ----

  private linkCtypes(model: BindingModel, stageA: StageA[], stageB: StageB[], libs: Map<string, CtypesLibrary>): void {
    // region uses are in text order already; the few imported names are merged in, not sorted
    const imported: CtypesUse[] = [];
    for (const imp of this.imports) if (imp.module === 'ctypes') for (const n of imp.names) imported.push({ name: n.name, span: n.span });
    imported.sort((a, b) => a.span.start - b.span.start);
    let next = 0;
    for (const a of stageA) {
      for (const u of a.ctypesUses) {
        while (next < imported.length && imported[next]!.span.start <= u.span.start) model.ctypes.uses.push(imported[next++]!);
        model.ctypes.uses.push(u);
      }
    }
    while (next < imported.length) model.ctypes.uses.push(imported[next++]!);

    // structs (a class may derive from another struct of this file, so iterate to a fixpoint)
    const classes = stageA.flatMap((a) => a.classes);
    const last = lastStructs.get(this.doc);
    if (last && last.classes.length === classes.length && classes.every((c, i) => c === last.classes[i] || sameShape(c, last.classes[i]!))) {
      // The same names and bases in the same order give the same fixpoint: the same class wins each name. The
      // classes of edited regions (new facts) replace their struct in place; only what the bodies set is reset.
      for (let i = 0; i < classes.length; i++) {
        const c = classes[i]!;
        const old = last.classes[i]!;
        if (c === old || last.structFacts.get(old.fact.name) !== old.fact) continue;
        const prev = last.structs.get(old.fact.name)!;
        let struct = structMemo.get(c.fact);
        if (!struct || struct.base !== prev.base || struct.isUnion !== prev.isUnion) {
          struct = { name: c.fact.name, nameSpan: c.fact.nameSpan, span: c.fact.span, base: prev.base, isUnion: prev.isUnion, hasBehaviour: c.fact.hasBehaviour, hasBitFields: false };
          structMemo.set(c.fact, struct);
        }
        last.structs.set(c.fact.name, struct);
        last.structFacts.set(c.fact.name, c.fact);
        last.list = undefined;
      }
      last.classes = classes;
      this.linkCtypesAfterStructs(model, stageA, stageB, libs, last.structs, last.structFacts, last.names, this.structsOfChangedRegions(stageA));
      return;
    }
    const structs = new Map<string, CtypesStruct>();
    const structFacts = new Map<string, ClassFact>();
    for (let changed = true; changed; ) {
      changed = false;
      for (const { fact: c, qbases } of classes) {
        if (structs.has(c.name)) continue;
        for (let i = 0; i < c.bases.length; i++) {
          const b = c.bases[i]!;
          const q = qbases[i]!;
          const ctypesBase = q.startsWith('ctypes.') ? q.slice(7) : undefined;
          const parent = structs.get(b);
          if ((ctypesBase && CTYPES_STRUCT_BASES.has(ctypesBase)) || parent) {
            const base = ctypesBase && CTYPES_STRUCT_BASES.has(ctypesBase) ? ctypesBase : b;
            const isUnion = parent ? parent.isUnion : /Union$/.test(base);
            // the struct of an unchanged class is reused; what the class body sets is set again below
            let struct = structMemo.get(c);
            if (!struct || struct.base !== base || struct.isUnion !== isUnion) {
              struct = { name: c.name, nameSpan: c.nameSpan, span: c.span, base, isUnion, hasBehaviour: c.hasBehaviour, hasBitFields: false };
              structMemo.set(c, struct);
            } else {
              struct.fields = struct.fieldsSpan = struct.pack = struct.anonymous = undefined;
              struct.hasBitFields = false;
            }
            structs.set(c.name, struct);
            structFacts.set(c.name, c);
            changed = true;
            break;
          }
        }
      }
    }
    const names = `${[...structs.keys()]}`;
    lastStructs.set(this.doc, { classes, structs, structFacts, names });
    this.linkCtypesAfterStructs(model, stageA, stageB, libs, structs, structFacts, names);
  }

  /** The structs whose class or `_fields_` statement is in a region changed since the last link (reused links only). */
  private structsOfChangedRegions(stageA: StageA[]): Set<string> | undefined {
    const delta = this.delta;
    if (!delta) return undefined;
    const names = new Set<string>();
    for (const i of delta.changedA) {
      for (const a of [delta.last.stageA[i]!, stageA[i]!]) {
        for (const c of a.classes) names.add(c.fact.name);
        for (const fa of a.fieldsAssigns) names.add(fa.structName);
      }
    }
    return names;
  }

  /**
   * `only`: the structs to set again (those of the changed regions), when the others are the same objects as at
   * the last link and the names types resolve against are unchanged; else every struct's body is read again.
   */
  private linkCtypesAfterStructs(model: BindingModel, stageA: StageA[], stageB: StageB[], libs: Map<string, CtypesLibrary>, structs: Map<string, CtypesStruct>, structFacts: Map<string, ClassFact>, structNames: string, only?: ReadonlySet<string>): void {
    const protoDefs = stageA.flatMap((a) => a.protoDefs);
    const prototypes = new Map<string, CtypesPrototype>();
    for (const p of protoDefs) {
      prototypes.set(p.target, { name: p.target, nameSpan: p.a.target.span, statementSpan: p.a.statementSpan, factory: p.factory, restype: { kind: 'void', span: p.a.value.span }, argtypes: [] });
    }
    // From here on the names a type can refer to are known: type resolutions are memoised across edits.
    // (in parts: the struct names are one string kept from the last link, compared by identity first, not copied into a new one)
    const generation = generationOfParts('types', [this.importContext, structNames, `${[...prototypes.keys()]}`]);
    const resolve = (e: Expr | undefined): CtypesType => {
      if (!e) return this.resolveType(e, structs, prototypes);
      const hit = typeMemo.get(e);
      if (hit && hit.generation === generation) return hit.type;
      const type = this.resolveType(e, structs, prototypes);
      typeMemo.set(e, { generation, type });
      return type;
    };
    for (const p of protoDefs) {
      const value = p.a.value as Extract<Expr, { k: 'call' }>;
      const [res, ...args] = value.args;
      const proto = prototypes.get(p.target)!;
      proto.restype = resolve(res);
      proto.argtypes = args.map(resolve);
    }
    model.ctypes.prototypes.push(...prototypes.values());
    this.typesGen = generation;
    const partial = only && this.delta?.last.typesGen === generation ? only : undefined;
    const setBody = (s: CtypesStruct, name: string) => {
      s.fields = s.fieldsSpan = s.pack = s.anonymous = undefined;
      s.hasBitFields = false;
      const c = structFacts.get(name)!;
      for (const as of c.assigns) {
        if (as.name === '_fields_') this.setFields(s, as.value, as.statementSpan, resolve, generation);
        else if (as.name === '_pack_' && as.value.k === 'num') s.pack = as.value.value;
        else if (as.name === '_anonymous_' && (as.value.k === 'tuple' || as.value.k === 'list')) s.anonymous = as.value.items.flatMap((i) => (i.k === 'str' ? [i.value] : []));
      }
    };
    if (partial) {
      for (const name of partial) {
        const s = structs.get(name);
        if (s) setBody(s, name);
      }
    } else structs.forEach(setBody);
    for (const a of stageA) {
      for (const fa of a.fieldsAssigns) {
        const s = partial && !partial.has(fa.structName) ? undefined : structs.get(fa.structName);
        if (s) this.setFields(s, fa.a.value, fa.a.statementSpan, resolve, generation);
      }
    }
    // the same array while the struct objects are (a keystroke outside classes): the last model is dead (reuse) or
    // reads it as this one does (nothing adds to it after the link)
    const kept = lastStructs.get(this.doc);
    model.ctypes.structs = kept && kept.structs === structs ? (kept.list ??= [...structs.values()]) : [...structs.values()];
    // instances: which candidates name a struct depends only on the struct names, so each region's are kept on its
    // stage-A object under the 'types' generation (which holds the struct names)
    for (const a of stageA) {
      if (a.instanceCandidates.length === 0) continue;
      if (!a.instanceHits || a.instanceHits.generation !== generation) a.instanceHits = { generation, hits: this.instanceHits(a, structs) };
      for (const h of a.instanceHits.hits) model.ctypes.instances.push({ name: h.ic.target, struct: structs.get(h.struct)!, statementSpan: h.ic.a.statementSpan });
    }

    const fnTable = this.delta?.last.functions;
    const changed = this.delta?.changedB && this.delta.changedA.length === this.delta.changedB.length && this.delta.changedA.every((i, k) => this.delta!.changedB![k] === i) ? this.delta.changedA : undefined;
    if (!(fnTable && changed && libs === this.delta!.last.libs && fnTable.typesGen === generation && this.updateFunctions(model, stageA, stageB, fnTable, changed, resolve, generation))) {
      this.linkFunctions(model, stageA, stageB, libs, resolve, generation);
    }
  }

  /** The instance candidates of a region that name a struct (`S(…)`, `S.from_buffer(…)`), with the struct's name. */
  private instanceHits(a: StageA, structs: Map<string, CtypesStruct>): { ic: StageA['instanceCandidates'][number]; struct: string }[] {
    const hits: { ic: StageA['instanceCandidates'][number]; struct: string }[] = [];
    for (const ic of a.instanceCandidates) {
      const dot = ic.callee.lastIndexOf('.');
      // (`startsWith` first: most candidates are calls of foreign functions, sliced for nothing)
      if (structs.has(ic.callee)) hits.push({ ic, struct: ic.callee });
      else if (dot > 0 && ic.callee.startsWith('from_', dot + 1) && /^from_(buffer|buffer_copy|address|param)$/.test(ic.callee.slice(dot + 1)) && structs.has(ic.callee.slice(0, dot))) hits.push({ ic, struct: ic.callee.slice(0, dot) });
    }
    return hits;
  }

  /** The memoised assignment object of a signature statement (it holds the type resolutions). */
  private signature(sa: StageA['sigAssigns'][number], resolve: (e: Expr | undefined) => CtypesType, generation: number): AttributeAssignment {
    if (!sa.memo || sa.memo.generation !== generation) {
      const base = { statementSpan: sa.a.statementSpan, targetSpan: sa.targetSpan, value: sa.a.value };
      const v = sa.a.value;
      const items = v.k === 'list' || v.k === 'tuple' ? v.items : undefined;
      const value: AttributeAssignment = sa.attr === 'argtypes' ? { ...base, types: items?.map(resolve) } as AttributeAssignment : sa.attr === 'restype' ? { ...base, type: resolve(v) } as AttributeAssignment : base;
      sa.memo = { generation, value };
    }
    return sa.memo.value;
  }

  private static setSignature(fn: ForeignFunction, attr: 'argtypes' | 'restype' | 'errcheck', value: AttributeAssignment): void {
    if (attr === 'argtypes') fn.argtypes = value as ForeignFunction['argtypes'];
    else if (attr === 'restype') fn.restype = value as ForeignFunction['restype'];
    else fn.errcheck = value;
  }

  // foreign functions: `lib.f` references, aliases and attribute assignments. References and calls are
  // counted first and their arrays allocated at their size: a full link makes every function of the file, and
  // the slack of arrays grown by push was most of the garbage each link left (copied by the next scavenge).
  private linkFunctions(model: BindingModel, stageA: StageA[], stageB: StageB[], libs: Map<string, CtypesLibrary>, resolve: (e: Expr | undefined) => CtypesType, generation: number): void {
    for (const lib of libs.values()) if (lib.functions.length) lib.functions = []; // reused library objects
    const fns = model.ctypes.functions;
    const indexByKey = new Map<string, number>();
    const refCounts: number[] = [];
    const keys: string[] = [];
    const positions: number[] = [];
    const countRef = (r: { key: string; lib: string; name: string }, position: number): void => {
      let i = indexByKey.get(r.key);
      if (i === undefined) {
        i = fns.length;
        const lib = libs.get(r.lib)!;
        const fn: ForeignFunction = { library: lib, name: r.name, refs: NO_SPANS, aliases: NO_ALIASES, calls: NO_CALLS };
        indexByKey.set(r.key, i);
        lib.functions.push(fn);
        fns.push(fn);
        refCounts.push(0);
        if (this.reuse) {
          keys.push(r.key);
          positions.push(position);
        }
      }
      refCounts[i]!++;
    };
    // references in text order, then getattr() references (as the facts were ordered before staging)
    forEachRef(stageB, countRef);
    for (let i = 0; i < fns.length; i++) fns[i]!.refs = new Array<Span>(refCounts[i]!);
    // filled from the end, each at the last free slot of its function: the same order as pushing from the start
    for (let k = stageB.length - 1; k >= 0; k--) {
      const rs = stageB[k]!.getattrRefs;
      for (let j = rs.length - 1; j >= 0; j--) {
        const i = indexByKey.get(rs[j]!.key)!;
        fns[i]!.refs[--refCounts[i]!] = rs[j]!.span;
      }
    }
    for (let k = stageB.length - 1; k >= 0; k--) {
      const rs = stageB[k]!.fnRefs;
      for (let j = rs.length - 1; j >= 0; j--) {
        const i = indexByKey.get(rs[j]!.key)!;
        fns[i]!.refs[--refCounts[i]!] = rs[j]!.span;
      }
    }
    const aliased = new Map<string, number>();
    const aliasedKeys = new Map<string, string>();
    const aliasSources = new Set<string>();
    for (const a of stageA) {
      for (const al of a.aliasCandidates) {
        aliasSources.add(al.source);
        const i = indexByKey.get(al.source);
        if (i === undefined) continue;
        const fn = fns[i]!;
        if (!fn.aliases.includes(al.target)) {
          if (fn.aliases === NO_ALIASES) fn.aliases = [];
          fn.aliases.push(al.target);
          aliased.set(al.target, i);
          aliasedKeys.set(al.target, al.source);
        }
      }
    }
    const byAlias = (text: string) => aliased.get(text) ?? indexByKey.get(text);
    for (const a of stageA) {
      for (const sa of a.sigAssigns) {
        const i = byAlias(sa.owner);
        if (i !== undefined) Linker.setSignature(fns[i]!, sa.attr, this.signature(sa, resolve, generation));
      }
    }
    // calls: counted, allocated, then filled from the end as the references are
    const callCounts = refCounts.fill(0);
    for (const b of stageB) {
      for (const c of b.fnCalls) {
        const i = byAlias(c.key);
        if (i !== undefined) callCounts[i]!++;
      }
    }
    for (let i = 0; i < fns.length; i++) fns[i]!.calls = callCounts[i] ? new Array<CallSite>(callCounts[i]!) : [];
    for (let k = stageB.length - 1; k >= 0; k--) {
      const cs = stageB[k]!.fnCalls;
      for (let j = cs.length - 1; j >= 0; j--) {
        const i = byAlias(cs[j]!.key);
        if (i !== undefined) fns[i]!.calls[--callCounts[i]!] = cs[j]!.call;
      }
    }
    if (this.reuse) {
      const byKey = new Map<string, ForeignFunction>();
      const positionOf = new Map<string, number>();
      for (let i = 0; i < fns.length; i++) {
        byKey.set(keys[i]!, fns[i]!);
        positionOf.set(keys[i]!, positions[i]!);
      }
      this.functionTable = { typesGen: generation, fns, keys, positions, byKey, positionOf, aliased: aliasedKeys, aliasSources };
    }
  }

  /**
   * The functions of the last link with only those the changed regions touch (before or after the edit) made
   * again: each from every region's entries for its key, placed by its first reference. Every other function
   * is the same object, and its library too. False (nothing changed) when an alias could be affected: then
   * the whole table is linked again.
   */
  private updateFunctions(model: BindingModel, stageA: StageA[], stageB: StageB[], t: FunctionTable, changed: readonly number[], resolve: (e: Expr | undefined) => CtypesType, generation: number): boolean {
    const last = this.delta!.last;
    const keyOf = (text: string) => t.aliased.get(text) ?? text;
    const affected = new Set<string>();
    for (const i of changed) {
      for (const [a, b] of [[last.stageA[i]!, last.stageB[i]!], [stageA[i]!, stageB[i]!]] as const) {
        if (a.aliasCandidates.length) return false;
        for (const r of b.fnRefs) affected.add(r.key);
        for (const r of b.getattrRefs) affected.add(r.key);
        for (const c of b.fnCalls) affected.add(keyOf(c.key));
        for (const sa of a.sigAssigns) affected.add(keyOf(sa.owner));
      }
    }
    for (const k of affected) if (t.aliasSources.has(k)) return false;
    // the regions that name an affected key (or an alias of one, in a signature): each region's names are kept on
    // its stage-B object, so the other regions' entries are not read
    const names = new Set(affected);
    for (const [alias, key] of t.aliased) if (affected.has(key)) names.add(alias);
    const regions: number[] = [];
    for (let k = 0; k < stageB.length; k++) {
      const named = namesOf(stageA[k]!, stageB[k]!);
      for (const n of names) {
        if (named.has(n)) {
          regions.push(k);
          break;
        }
      }
    }
    // the affected keys' functions, made again from those regions (in text order, as the full link reads them)
    const made = new Map<string, { fn: ForeignFunction; position: number }>();
    const refer = (r: StageB['fnRefs'][number], position: number) => {
      if (!affected.has(r.key)) return;
      let m = made.get(r.key);
      if (!m) made.set(r.key, (m = { fn: { library: last.libs.get(r.lib)!, name: r.name, refs: [], aliases: NO_ALIASES, calls: [] }, position }));
      m.fn.refs.push(r.span);
    };
    // (forEachRef's order: attribute references region by region, then getattr() references)
    for (const k of regions) {
      const rs = stageB[k]!.fnRefs;
      for (let j = 0; j < rs.length; j++) refer(rs[j]!, k * REF_REGION + j);
    }
    for (const k of regions) {
      const rs = stageB[k]!.getattrRefs;
      for (let j = 0; j < rs.length; j++) refer(rs[j]!, REF_PHASE + k * REF_REGION + j);
    }
    if (made.size) {
      for (const k of regions) {
        for (const sa of stageA[k]!.sigAssigns) {
          const m = made.get(keyOf(sa.owner));
          if (m) Linker.setSignature(m.fn, sa.attr, this.signature(sa, resolve, generation));
        }
      }
      for (const k of regions) {
        for (const c of stageB[k]!.fnCalls) made.get(keyOf(c.key))?.fn.calls.push(c.call);
      }
    }
    // the table's arrays are updated in place (the last model shared them and is dead: AnalyzeOptions.reuse):
    // the affected functions out, found by their first reference's place, the new ones in at theirs
    const touched = new Set<CtypesLibrary>();
    const { fns, keys, positions } = t;
    const indexOf = (position: number) => {
      let lo = 0;
      let hi = positions.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (positions[mid]! < position) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    for (const key of affected) {
      const position = t.positionOf.get(key);
      if (position === undefined) continue;
      const i = indexOf(position);
      touched.add(fns[i]!.library);
      fns.splice(i, 1);
      keys.splice(i, 1);
      positions.splice(i, 1);
      t.byKey.delete(key);
      t.positionOf.delete(key);
    }
    for (const [key, m] of made) {
      const lo = indexOf(m.position);
      fns.splice(lo, 0, m.fn);
      keys.splice(lo, 0, key);
      positions.splice(lo, 0, m.position);
      t.byKey.set(key, m.fn);
      t.positionOf.set(key, m.position);
      touched.add(m.fn.library);
    }
    for (const lib of touched) lib.functions = fns.filter((f) => f.library === lib);
    model.ctypes.functions = fns;
    this.functionTable = t;
    return true;
  }


  private libraryFrom(a: AssignFact, target: string): CtypesLibrary | undefined {
    const v = a.value;
    if (v.k !== 'call' && v.k !== 'dotted') return undefined;
    // (most assignments are not loads: nothing is allocated for them)
    const q = this.qualify((v.k === 'call' ? dottedText(v.callee) : v.text) ?? '');
    if (!q.startsWith('ctypes.')) return undefined;
    const base = { name: target, nameSpan: a.target.span, statementSpan: a.statementSpan, loadSpan: v.span, functions: [] as ForeignFunction[] };
    if (v.k === 'call') {
      const parts = q.split('.');
      if (parts[0] !== 'ctypes') return undefined;
      if (parts.length === 2 && CTYPES_LOADERS.has(parts[1]!)) return { ...base, loader: parts[1]!, path: v.args[0], keywords: v.keywords };
      if (parts.length === 3 && CTYPES_LOADER_INSTANCES.has(parts[1]!) && parts[2] === 'LoadLibrary') return { ...base, loader: 'LoadLibrary', path: v.args[0], keywords: v.keywords };
      return undefined;
    }
    if (v.k === 'dotted') {
      const parts = q.split('.');
      if (parts.length === 3 && parts[0] === 'ctypes' && CTYPES_LOADER_INSTANCES.has(parts[1]!)) return { ...base, loader: 'attribute', attributeName: parts[2], keywords: [] };
    }
    return undefined;
  }

  private setFields(s: CtypesStruct, value: Expr, span: Span, resolve: (e: Expr | undefined) => CtypesType, generation: number): void {
    if (value.k !== 'list' && value.k !== 'tuple') return;
    const hit = fieldsMemo.get(value);
    if (hit && hit.generation === generation) {
      s.fields = hit.fields;
      s.hasBitFields = hit.hasBitFields;
      s.fieldsSpan = span;
      return;
    }
    const fields: StructField[] = [];
    let hasBitFields = false;
    for (const item of value.items) {
      if (item.k !== 'tuple' || item.items.length < 2 || item.items[0]!.k !== 'str') continue;
      const [name, type, bits] = item.items;
      const field: StructField = { name: (name as { value: string }).value, type: resolve(type), span: item.span };
      if (bits?.k === 'num') {
        field.bits = bits.value;
        hasBitFields = true;
      }
      fields.push(field);
    }
    s.fields = fields;
    s.hasBitFields = hasBitFields;
    s.fieldsSpan = span;
    fieldsMemo.set(value, { generation, fields, hasBitFields });
  }

  resolveType(e: Expr | undefined, structs: Map<string, CtypesStruct>, prototypes: Map<string, CtypesPrototype>): CtypesType {
    if (!e) return { kind: 'unknown', text: '', span: { start: 0, end: 0 } };
    if (e.k === 'none') return { kind: 'void', span: e.span };
    const d = dottedText(e);
    if (d) {
      if (structs.has(d)) return { kind: 'struct', name: d, span: e.span };
      if (prototypes.has(d)) return { kind: 'funcptr', name: d, span: e.span };
      const q = this.qualify(d);
      const prim = q.startsWith('ctypes.') ? q.slice(7) : undefined;
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

  /** The ffi objects (FFI() instances and out-of-line imports) and the libs loaded from them. */
  private cffiObjects(stageA: StageA[], ffis: Map<string, FfiObject>, libs: Map<string, { ffi: FfiObject; lib: FfiLib }>): void {
    for (const a of stageA) {
      for (const d of a.ffiDefs) {
        ffis.set(d.target, { name: d.target, nameSpan: d.a.target.span, statementSpan: d.a.statementSpan, mode: 'unknown', outOfLine: false, cdefs: [], libs: [] });
      }
    }
    for (const imp of this.imports) {
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
    for (const a of stageA) {
      for (const m of a.ffiMethodAssigns) {
        const ffi = ffis.get(m.owner);
        if (!ffi) continue;
        const value = m.a.value as Extract<Expr, { k: 'call' }>;
        const lib: FfiLib = { name: m.target, nameSpan: m.a.target.span, statementSpan: m.a.statementSpan, via: m.method, path: m.method === 'dlopen' ? value.args[0] : undefined };
        ffi.libs.push(lib);
        libs.set(m.target, { ffi, lib });
        if (m.method === 'dlopen' && ffi.mode === 'unknown') ffi.mode = 'abi';
        if (m.method === 'verify') ffi.mode = 'api';
      }
    }
  }

  private linkCffi(model: BindingModel, stageA: StageA[], stageB: StageB[], ffis: Map<string, FfiObject>, libs: Map<string, { ffi: FfiObject; lib: FfiLib }>): void {
    stageA.forEach((a, i) => {
      for (const d of a.dottedCalls) {
        const ffi = ffis.get(d.owner);
        if (!ffi) continue;
        const c = d.c;
        model.cffi.calls.push({ ffi, method: d.method, methodSpan: d.methodSpan, call: c.call });
        if (d.method === 'set_source') {
          ffi.setSource = c.call;
          ffi.mode = c.call.args[1]?.k === 'none' ? 'abi' : 'api';
        } else if (d.method === 'cdef' || d.method === 'embedding_api') {
          const arg = c.call.args[0];
          if (arg?.k === 'str') ffi.cdefs.push(this.cdefSource(this.regions[i]!, c, arg));
        }
      }
    });
    for (const ffi of ffis.values()) this.checkCdefTypes(ffi);
    for (const b of stageB) {
      for (const acc of b.libAccesses) {
        const entry = libs.get(acc.lib)!;
        model.cffi.libAccesses.push({ ffi: entry.ffi, lib: entry.lib, name: acc.name, span: acc.span, nameSpan: acc.nameSpan, call: acc.call });
      }
    }
    model.cffi.ffis.push(...ffis.values());
    for (const a of stageA) {
      for (const oc of a.ownerCalls) {
        const ffi = ffis.get(oc.owner);
        const lib = ffi ? undefined : libs.get(oc.owner);
        if (!ffi && !lib) continue;
        model.cffi.assigns.push({ ffi: ffi ?? lib!.ffi, target: oc.a.target, value: oc.value, on: ffi ? 'ffi' : 'lib', member: (oc.value.callee as { attr: string }).attr, statementSpan: oc.a.statementSpan });
      }
    }
  }

  private cdefSource(region: Region, c: CallFact, arg: Extract<Expr, { k: 'str' }>): CdefSource {
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

  private linkMixedModules(model: BindingModel, stageA: StageA[]): void {
    for (const a of stageA) {
      for (const { fact: c, qbases } of a.classes) {
        if (!qbases.some((b) => b.endsWith('MixedModule'))) continue;
        const m: MixedModuleClass = { name: c.name, nameSpan: c.nameSpan, span: c.span };
        for (const as of c.assigns) {
          if (as.name === 'interpleveldefs') m.interpleveldefs = as.nameSpan;
          if (as.name === 'appleveldefs') m.appleveldefs = as.nameSpan;
        }
        model.mixedModules.push(m);
      }
    }
  }
}

export type { CallSite, FfiCall, FfiLibAccess };
