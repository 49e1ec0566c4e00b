import * as fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Parser } from 'web-tree-sitter';
import type { ParsedDocument, Region } from '../../documents/parsedDocument';
import { evaluateModule, reevaluateModule, retractDeclarations, type FfiObjectValue, type ModuleEvaluation, type ModuleResolver, type Value } from './evaluate';
import { analyzeExports, analyzeLibrary, carryLeaks, exportsForUnits, NO_C, relevantStatementsAfter, unitOfPieces, unitsOf, updateExports, type CExports, type NameSet, type RelevantMemo, type Unit, type UnitPart } from './cExports';
import { moduleNameOf } from './moduleNames';
import { flatTreeOf, releaseFlatTree, REUSE_MIN_CHARS, type FlatTree } from '../../parser/flatTree';
import { pythonFields } from '../../parser/pythonFields';
import { lowerFlat, lowerModule, patchStatements, type DefReuse, type TopStmt } from './pyir';

interface ModuleEntry {
  name: string;
  uri: string;
  /** When it was added (the order the whole C-valued computation takes the modules in). */
  order: number;
  /** Where the statements come from: an open document (its regions) or the file on disk. */
  open?: ParsedDocument;
  /** Text given by the CLI (decoded as Python decodes it), read instead of the file. */
  pinned?: string;
  text?: string;
  stmts?: TopStmt[];
  /** Whether the module, or one it imports from the workspace, can bind C (a text test: no parse). */
  mayBind?: boolean;
  /** What `mayBind` read of this module's own text (its binding words and import lines). */
  importSignature?: string;
  evaluation?: ModuleEvaluation;
  /** The statements `evaluation` read (an open document's, for the next edit's comparison). */
  evaluated?: TopStmt[];
  /** An open document's evaluation before its last edit, kept to be updated in place (`reevaluateModule`). */
  previous?: { evaluation: ModuleEvaluation; stmts: TopStmt[] };
  evaluating?: boolean;
  /** Its top-level statements as words (cExports.ts), for the C-valued exports test. */
  units?: Unit[];
  /** The workspace modules its import lines name (and their parent packages). */
  targets?: string[];
  /** Its text imports ctypes/cffi. */
  importsC?: boolean;
  /** The units (and importsC) its C-valued exports in the index's state were computed from. */
  exportsFrom?: { units: Unit[]; importsC: boolean };
  /** The last `relevantStatements` result and what it read (an open document's next evaluation starts from it). */
  relevantMemo?: RelevantMemo;
}

/** Words without which a file binds nothing itself (it may still import a module that does). */
const BINDS_ITSELF = /\b(?:ctypes|cffi|_cffi_backend|CDLL|cdll|FFI)\b|^[ \t]*from[ \t]+\S+[ \t]+import[^\n]*\bffi\b/m;
/**
 * The statements through which the evaluator meets C in a module: an import naming ctypes/cffi (wherever on
 * its line: `try: import ctypes`, `import os, ctypes.util`) or an out-of-line `ffi`. The words alone (docstrings,
 * comments, `ctypes.x` without the import) give it nothing.
 */
const IMPORTS_C = /\b(?:import|from)\b(?:[^\n\\]|\\[^])*?\b(?:ctypes|cffi|_cffi_backend)\b|\bfrom[ \t]+\S+[ \t]+import[^\n]*\bffi\b/;
const C_PACKAGE = /^(?:ctypes|cffi|_cffi_backend)(?:\.|$)/;
/** Thrown when an on-demand computation meets the modules being computed (`WorkspaceIndex.exportsBelow`). */
const CYCLE = new Error('a cycle through the modules being computed');
const IMPORT_LINE = /^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import\b([^\n]*)|import[ \t]+([^\n#;]+))/gm;
/** IMPORT_LINE at one line start (`lastIndex`). */
const IMPORT_LINE_AT = /^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import\b([^\n]*)|import[ \t]+([^\n#;]+))/my;

/**
 * `text.matchAll(IMPORT_LINE)`, tried only on the lines holding the word `import` (each match has it on its
 * line, and none spans a line end): the regex tried at every line start of 30 MB was a tenth of `check`.
 */
export function importLines(text: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  let tried = -1;
  let resume = 0; // as matchAll, the next match starts after the last one
  for (let k = text.indexOf('import'); k >= 0; k = text.indexOf('import', k + 6)) {
    // the line start as `^` sees it (after \n, \r, U+2028 or U+2029)
    let start = k;
    for (let c = text.charCodeAt(start - 1); start > 0 && c !== 10 && c !== 13 && c !== 0x2028 && c !== 0x2029; c = text.charCodeAt(start - 1)) start--;
    if (start <= tried || start < resume) continue;
    tried = start;
    IMPORT_LINE_AT.lastIndex = start;
    const m = IMPORT_LINE_AT.exec(text);
    if (m) {
      out.push(m);
      resume = m.index + m[0].length;
    }
  }
  return out;
}

/**
 * The modules of a workspace, by dotted name, with their evaluations (evaluate.ts) linked across imports.
 * Evaluations are computed on first demand and dropped, with those of every module that read them, when a
 * module changes: `changed(uri)` answers which other modules must be linked again.
 */
export class WorkspaceIndex implements ModuleResolver {
  private readonly byName = new Map<string, ModuleEntry>();
  private readonly byUri = new Map<string, ModuleEntry>();
  /** module → modules whose evaluation read it. */
  private readonly dependants = new Map<string, Set<string>>();
  /** Evaluations done (a benchmark and test figure). */
  evaluations = 0;
  /** Of those, evaluations updated in place after an edit inside function bodies (`reevaluateModule`). */
  reused = 0;
  /** C-valued exports updated after an edit from the last fixpoint (`updateExports`), not computed again (a test figure). */
  exportsUpdated = 0;
  /** The C-valued exports of every module (cExports.ts), computed on first demand; undefined when stale. */
  private cState: Map<string, CExports> | undefined;
  /** Modules were added since the import targets were read. */
  private targetsStale = false;
  /**
   * The CLI's mode (`exportsOnDemand`): a module's C-valued exports are computed when something asks for them, from
   * the modules below it only (`exportsBelow`); the workspace gate first asks the library-valued pass of every
   * module (`libraryState`, far fewer modules), and a file whose imports reach no library-valued name is answered
   * without reading it. The server keeps the whole computation, which an edit re-checks (`sameExportsAfterEdit`).
   */
  private readonly onDemand: boolean;
  /** On demand: the C-valued exports computed so far (each with every module below it). */
  private readonly cCache = new Map<string, CExports>();
  /** On demand: the modules whose exports are being computed (a module outside them that reaches them is a cycle). */
  private readonly inProgress = new Set<string>();
  /** On demand: a cycle through a chain's submodule was met; the whole computation answers from then on. */
  private wholeComputation = false;
  /** On demand: every module's library-valued pass alone, and the modules with library-valued names. */
  private libState: { state: Map<string, CExports>; holders: string[] } | undefined;

  constructor(private readonly pythonParser: Parser, options: { exportsOnDemand?: boolean } = {}) {
    this.onDemand = options.exportsOnDemand === true;
  }

  /** Registers a file of the workspace (read and parsed on first demand). Returns its module name. */
  addFile(file: string, isFile?: (p: string) => boolean): string {
    const uri = pathToFileURL(file).href;
    const existing = this.byUri.get(uri);
    if (existing) return existing.name;
    const { name } = moduleNameOf(file, isFile);
    const entry: ModuleEntry = { name, uri, order: this.byUri.size };
    this.byUri.set(uri, entry);
    this.cState = undefined;
    this.dropOnDemand();
    this.targetsStale = true; // imports may now name this module
    if (!this.byName.has(name)) this.byName.set(name, entry);
    return name;
  }

  /** An open document replaces the file's text; its statements come from its parse regions. Returns the dependants' uris. */
  openDocument(uri: string, doc: ParsedDocument): string[] {
    let entry = this.byUri.get(uri);
    if (!entry) {
      if (!uri.startsWith('file:')) return [];
      this.addFile(fileURLToPath(uri));
      entry = this.byUri.get(uri)!;
    }
    entry.open = doc;
    return this.changed(uri);
  }

  /** The file's text on disk counts again. Returns the dependants' uris. */
  closeDocument(uri: string): string[] {
    const entry = this.byUri.get(uri);
    if (!entry || !entry.open) return [];
    entry.open = undefined;
    return this.changed(uri);
  }

  /** The text a module is to be read from (the CLI's decoded file text), when it differs from what the index read. */
  useText(uri: string, text: string): void {
    const entry = this.byUri.get(uri);
    if (!entry || entry.open || entry.pinned === text) return;
    if (!this.cState && this.evaluations === 0 && this.cCache.size === 0 && !this.libState) {
      // nothing read any module's text yet (the CLI pins every file before it analyses one): no file read, nothing to drop
      entry.pinned = text;
      entry.text = entry.stmts = entry.units = entry.targets = entry.importsC = entry.importSignature = undefined;
      return;
    }
    const same = entry.pinned === undefined && this.textOf(entry) === text;
    if (!same) this.changed(uri);
    entry.pinned = text;
  }

  moduleOf(uri: string): string | undefined {
    return this.byUri.get(uri)?.name;
  }

  uriOf(module: string): string | undefined {
    return this.byName.get(module)?.uri;
  }

  modules(): string[] {
    return [...this.byName.keys()];
  }

  /**
   * A module's text changed: its evaluation and those of the modules that read it (transitively) are dropped.
   * Returns the uris of those other modules.
   */
  changed(uri: string): string[] {
    const entry = this.byUri.get(uri);
    if (!entry) return [];
    // an open document's traced evaluation no other module read (their code may have written into its values) is kept to be updated
    const keep = entry.open && entry.evaluation?.trace && entry.evaluated && !this.dependants.get(entry.name)?.size && this.byName.get(entry.name) === entry
      ? { evaluation: entry.evaluation, stmts: entry.evaluated } : undefined;
    if (keep) entry.evaluation = undefined; // not retracted: it declared only on its own libraries' functions (no workspace reads)
    else if (entry.previous) {
      retractDeclarations(entry.previous.evaluation);
      entry.previous = undefined;
    }
    if (keep) entry.previous = keep;
    entry.evaluated = undefined;
    entry.stmts = undefined;
    entry.text = undefined;
    entry.units = entry.targets = entry.importsC = undefined;
    // what can bind changes only when a module's binding words or imports do (not on most keystrokes)
    const signature = importSignature(this.textOf(entry));
    if (signature !== entry.importSignature) {
      entry.importSignature = signature;
      for (const e of this.byUri.values()) e.mayBind = undefined;
    }
    if (this.onDemand && (this.cCache.size > 0 || this.libState || this.cState)) {
      // what any module exports may differ now: every evaluation is dropped (the CLI changes a text only to fix it)
      this.dropOnDemand();
      this.cState = undefined;
      for (const e of this.byUri.values()) if (e.evaluation) {
        retractDeclarations(e.evaluation);
        e.evaluation = undefined;
      }
      this.dependants.clear();
      return [...this.byUri.values()].filter((e) => e !== entry).map((e) => e.uri);
    }
    if (this.cState && !this.sameExportsAfterEdit(entry, this.cState)) {
      // a name became (or stopped being) C-valued: what every evaluation read from other modules may differ
      const others = [...this.byUri.values()].filter((e) => e !== entry);
      for (const e of this.byUri.values()) if (e.evaluation) {
        retractDeclarations(e.evaluation);
        e.evaluation = undefined;
      }
      this.dependants.clear();
      return others.map((e) => e.uri);
    }
    const out: string[] = [];
    const seen = new Set<string>();
    const drop = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const e = this.byName.get(name);
      if (e?.evaluation) {
        retractDeclarations(e.evaluation);
        for (const d of e.evaluation.deps) this.dependants.get(d)?.delete(name);
        e.evaluation = undefined;
      }
      if (e && e !== entry) out.push(e.uri);
      for (const d of [...(this.dependants.get(name) ?? [])]) drop(d);
    };
    drop(entry.name);
    if (this.byName.get(entry.name) !== entry && entry.evaluation) {
      retractDeclarations(entry.evaluation);
      entry.evaluation = undefined;
    }
    return out;
  }

  /** Modules whose evaluation reads `uri`'s module (directly or not). */
  dependantsOf(uri: string): string[] {
    const name = this.byUri.get(uri)?.name;
    if (!name) return [];
    const out = new Set<string>();
    const walk = (n: string) => {
      for (const d of this.dependants.get(n) ?? []) if (!out.has(d)) {
        out.add(d);
        walk(d);
      }
    };
    walk(name);
    return [...out].flatMap((n) => (this.byName.get(n) ? [this.byName.get(n)!.uri] : []));
  }

  /** `parsed`: the module's text already parsed (the CLI's file), lowered instead of parsing the text again. */
  evaluationOf(uri: string, parsed?: ParsedDocument): ModuleEvaluation | undefined {
    const entry = this.byUri.get(uri);
    if (!entry) return undefined;
    if (parsed && !entry.open && !entry.stmts && !entry.evaluation && parsed.text === this.textOf(entry) && this.mayBindEntry(entry)) {
      // regions without a syntax error hold the statements a parse of the whole text gives (documents/parsedDocument.ts)
      if (parsed.regions.every((r) => !r.tree.rootNode.hasError)) {
        entry.stmts = parsed.regions.flatMap((r) => {
          const stmts = lowerFlat(flatTreeOf(r), { offset: r.offset });
          releaseFlatTree(r);
          return stmts;
        });
      }
    }
    return this.evaluate(entry);
  }

  evaluationOfModule(name: string): ModuleEvaluation | undefined {
    const entry = this.byName.get(name);
    return entry ? this.evaluate(entry) : undefined;
  }

  /** Drops every evaluation (modules were added: imports may resolve differently now). */
  resetEvaluations(): void {
    for (const e of this.byUri.values()) {
      if (e.evaluation) retractDeclarations(e.evaluation);
      if (e.previous) retractDeclarations(e.previous.evaluation);
      e.evaluation = e.previous = e.evaluated = undefined;
      e.mayBind = undefined;
    }
    this.dependants.clear();
    this.cState = undefined;
    this.dropOnDemand();
  }

  /** Evaluates every module now (the server's background indexing does it in slices with `evaluateSome`). */
  evaluateAll(): void {
    for (const e of this.byUri.values()) this.evaluate(e);
  }

  /** Evaluates up to `n` modules not yet evaluated; returns how many remain. */
  evaluateSome(n: number): number {
    let left = 0;
    for (const e of this.byUri.values()) {
      if (e.evaluation) continue;
      if (n-- > 0) this.evaluate(e);
      else left++;
    }
    return left;
  }

  // ---- ModuleResolver ----

  hasModule(name: string): boolean {
    return this.byName.has(name);
  }

  /** A module is evaluated for another only for a name that can hold a C value (cExports.ts); other names read as unknown. */
  member(module: string, name: string, requester: string): Value | undefined {
    const entry = this.byName.get(module);
    if (!entry) return undefined;
    this.link(requester, module);
    if (!this.cValued(module, name)) return undefined;
    return this.readBy(this.evaluate(entry), requester)?.env.get(name);
  }

  starNames(module: string, requester: string): string[] {
    const entry = this.byName.get(module);
    if (!entry) return [];
    this.link(requester, module);
    const c = this.exportsOf(module);
    if (!c.all && c.names.size === 0) return [];
    const ev = this.readBy(this.evaluate(entry), requester);
    if (!ev) return [];
    const all = ev.env.get('__all__');
    const names = all?.k === 'seq' ? all.items.flatMap((i) => (i.k === 'str' ? [i.v] : [])) : [...ev.env.keys()].filter((k) => !k.startsWith('_'));
    return c.all ? names : names.filter((n) => c.names.has(n));
  }

  /** A module of the workspace whose statements can meet no library or foreign function (cExports.ts). */
  observesNothing(uri: string): boolean {
    const entry = this.byUri.get(uri);
    if (!entry) return false;
    if (this.onDemand && !this.reachesLibrary(entry)) return true;
    return !this.exportsOfEntry(entry).observes;
  }

  /** Whether `module.name` can hold a C value: a C-valued name, or a module alias whose target has one (`plain.loader`). */
  private cValued(module: string, name: string, depth = 0): boolean {
    const c = this.exportsOf(module);
    if (c.all || c.names.has(name)) return true;
    if (depth > 8) return false;
    return (c.modules.get(name) ?? []).some((t) => {
      const x = this.exportsOf(t);
      return x.all || x.names.size > 0 || [...x.modules.keys()].some((n) => this.cValued(t, n, depth + 1));
    });
  }

  /** The C-valued exports of a module of the workspace. */
  exportsOf(module: string): CExports {
    return this.onDemand ? this.exportsBelow(module) : this.cExports().get(module) ?? NO_C;
  }

  /** The C-valued exports of a module's entry (one that another file of the same module name shadows is analysed alone). */
  private exportsOfEntry(entry: ModuleEntry): CExports {
    if (!this.onDemand) {
      const state = this.cExports();
      return this.byName.get(entry.name) === entry ? state.get(entry.name) ?? NO_C : this.analyzeExportsOf(entry, (m) => state.get(m));
    }
    if (this.byName.get(entry.name) === entry) return this.exportsBelow(entry.name);
    for (const t of (entry.targets ??= this.importTargets(entry, this.textOf(entry)))) this.exportsBelow(t);
    return this.analyzeExportsOf(entry, (m) => this.cCache.get(m));
  }

  /** Computes every module's C-valued exports: from the modules importing ctypes/cffi up through their importers. */
  private cExports(state?: Map<string, CExports>): Map<string, CExports> {
    if (!state && this.cState) return this.cState;
    this.freshTargets();
    const out = this.worklist(this.byName.values(), (e) => this.importsCOf(e) || C_PACKAGE.test(e.name), () => undefined, false);
    if (!state) this.cState = out;
    return out;
  }

  private freshTargets(): void {
    if (this.targetsStale) {
      for (const e of this.byUri.values()) e.targets = undefined;
      this.targetsStale = false;
      this.dropOnDemand();
    }
  }

  private dropOnDemand(): void {
    this.cCache.clear();
    this.libState = undefined;
    this.wholeComputation = false;
  }

  /**
   * The exports of the modules in `scope`, from those `seed` picks up through their importers (a module is analysed
   * again when one it imports gains names); `outside` gives those of modules not in `scope`. `libraryOnly`: the
   * library-valued pass alone, and only its growth re-analyses importers.
   */
  private worklist(scope: Iterable<ModuleEntry>, seed: (e: ModuleEntry) => boolean, outside: (m: string) => CExports | undefined, libraryOnly: boolean): Map<string, CExports> {
    const out = new Map<string, CExports>();
    const get = (m: string) => out.get(m) ?? outside(m);
    const importers = new Map<string, ModuleEntry[]>();
    const work: ModuleEntry[] = [];
    for (const e of scope) {
      e.targets ??= this.importTargets(e, this.textOf(e));
      for (const t of e.targets) {
        const list = importers.get(t);
        if (list) list.push(e);
        else importers.set(t, [e]);
      }
      if (seed(e)) work.push(e);
    }
    const queued = new Set(work);
    while (work.length) {
      const e = work.shift()!;
      queued.delete(e);
      const first = !out.has(e.name);
      const before = out.get(e.name) ?? NO_C;
      const after = libraryOnly ? this.analyzeLibraryOf(e, get) : this.analyzeExportsOf(e, get);
      out.set(e.name, after);
      if (!libraryOnly) e.exportsFrom = { units: this.unitsOf(e), importsC: this.importsCOf(e) };
      const reexports = first && [...after.modules.values()].some((ts) => ts.some((t) => {
        const c = get(t);
        return c !== undefined && (c.lib.all || c.lib.names.size > 0);
      }));
      if (!reexports && (libraryOnly || (after.all === before.all && after.names.size === before.names.size)) && after.lib.all === before.lib.all && after.lib.names.size === before.lib.names.size) continue;
      // its importers, and (for library-valued names) the importers of a module that re-exports it (`plain.loader.load`)
      const libGrew = reexports || after.lib.all !== before.lib.all || after.lib.names.size !== before.lib.names.size;
      const notified = new Set<string>();
      const notify = (name: string) => {
        if (notified.has(name)) return;
        notified.add(name);
        for (const i of importers.get(name) ?? []) {
          if (!queued.has(i)) {
            queued.add(i);
            work.push(i);
          }
          const c = out.get(i.name);
          if (libGrew && c && [...c.modules.values()].some((ts) => ts.includes(name))) notify(i.name);
        }
      };
      notify(e.name);
    }
    return out;
  }

  /**
   * On demand: a module's C-valued exports, computed with those of every module below it not computed yet (its
   * imports, theirs, …: the only ones it depends on), by the worklist above restricted to those that can reach
   * ctypes/cffi. A chain's submodule outside them (`ctypes.util.x` after `import ctypes`) is computed first; when it
   * depends on the modules being computed (a cycle), the whole computation answers instead, from then on.
   */
  private exportsBelow(name: string): CExports {
    if (this.wholeComputation) return this.cExports().get(name) ?? NO_C;
    const hit = this.cCache.get(name);
    if (hit) return hit;
    if (!this.byName.has(name)) return NO_C;
    try {
      return this.computeBelow(name);
    } catch (e) {
      if (e !== CYCLE) throw e;
      this.inProgress.clear();
      this.cCache.clear();
      this.wholeComputation = true;
      return this.cExports().get(name) ?? NO_C;
    }
  }

  private computeBelow(name: string): CExports {
    this.freshTargets();
    const scope = new Map<string, ModuleEntry>();
    const stack = [name];
    while (stack.length) {
      const n = stack.pop()!;
      if (scope.has(n) || this.cCache.has(n)) continue;
      if (this.inProgress.has(n)) throw CYCLE;
      const e = this.byName.get(n);
      if (!e) continue;
      scope.set(n, e);
      e.targets ??= this.importTargets(e, this.textOf(e));
      for (const t of e.targets) stack.push(t);
    }
    // a module imported from below that gained names (as the whole computation would have re-analysed its importers)
    const grown = (t: string) => {
      const x = this.cCache.get(t);
      return x !== undefined && (x.all || x.names.size > 0 || x.lib.all || x.lib.names.size > 0
        || [...x.modules.values()].some((ts) => ts.some((u) => {
          const c = this.cCache.get(u);
          return c !== undefined && (c.lib.all || c.lib.names.size > 0);
        })));
    };
    const seed = (e: ModuleEntry) => this.importsCOf(e) || C_PACKAGE.test(e.name) || e.targets!.some(grown);
    // those that can reach C: the seeds and their importers (transitively); the others export nothing
    const importers = new Map<string, ModuleEntry[]>();
    const reach = new Set<ModuleEntry>();
    const queue: ModuleEntry[] = [];
    for (const e of scope.values()) {
      for (const t of e.targets!) if (scope.has(t)) {
        const list = importers.get(t);
        if (list) list.push(e);
        else importers.set(t, [e]);
      }
      if (seed(e)) {
        reach.add(e);
        queue.push(e);
      }
    }
    while (queue.length) for (const i of importers.get(queue.pop()!.name) ?? []) if (!reach.has(i)) {
      reach.add(i);
      queue.push(i);
    }
    const names = [...reach].map((e) => e.name);
    for (const n of names) this.inProgress.add(n);
    try {
      // in the order the modules were added, as the whole computation takes them
      const inScope = [...reach].sort((a, b) => a.order - b.order);
      const out = this.worklist(inScope, seed, (m) => (scope.has(m) ? undefined : this.outside(m)), false);
      for (const n of scope.keys()) this.cCache.set(n, out.get(n) ?? NO_C);
    } finally {
      for (const n of names) this.inProgress.delete(n);
    }
    return this.cCache.get(name) ?? NO_C;
  }

  /** A module read outside the modules being computed (a chain's submodule): its exports, computed now when they do not depend on those. */
  private outside(m: string): CExports | undefined {
    const hit = this.cCache.get(m);
    if (hit || !this.byName.has(m)) return hit;
    return this.computeBelow(m);
  }

  /** On demand: every module's library-valued pass (the worklist over them, library-valued growth only). */
  private libraryState(): { state: Map<string, CExports>; holders: string[] } {
    if (this.libState) return this.libState;
    this.freshTargets();
    const state = this.worklist(this.byName.values(), (e) => this.importsCOf(e) || C_PACKAGE.test(e.name), () => undefined, true);
    const holders = [...state].filter(([, c]) => c.lib.all || c.lib.names.size > 0).map(([n]) => n);
    return (this.libState = { state, holders });
  }

  /**
   * On demand, before a module's own analysis: whether its library-valued pass can find anything. It can only
   * when it imports ctypes/cffi, or an import (or a module alias of one, or a submodule a chain may name) has
   * library-valued names; else no statement of it can meet a library (`observes` is false) and it is not read.
   */
  private reachesLibrary(entry: ModuleEntry): boolean {
    if (this.importsCOf(entry) || C_PACKAGE.test(entry.name)) return true;
    const { state, holders } = this.libraryState();
    if (holders.length === 0) return false;
    const held = new Set(holders);
    const seen = new Set<string>();
    const hits = (t: string, depth: number): boolean => {
      if (seen.has(t)) return false;
      seen.add(t);
      if (held.has(t) || depth > 8) return true;
      const x = state.get(t);
      return x !== undefined && [...x.modules.values()].some((ts) => ts.some((u) => hits(u, depth + 1)));
    };
    if ((entry.targets ??= this.importTargets(entry, this.textOf(entry))).some((t) => hits(t, 0))) return true;
    // a module bound to a name (`import a.b` binds a) reaches its submodules through chains (`a.c.load`)
    return this.boundModules(entry).some((b) => holders.some((h) => h.startsWith(`${b}.`)));
  }

  /** The modules its import lines bind to names: `import a.b` binds a, `import a.b as c` a.b, `from p import m` p.m. */
  private boundModules(entry: ModuleEntry): string[] {
    const out: string[] = [];
    for (const m of importLines(this.textOf(entry))) {
      if (m[4]) {
        for (const part of m[4].split(',')) {
          const [mod, as] = part.trim().split(/\s+/);
          if (mod) out.push(as === 'as' ? mod : mod.split('.')[0]!);
        }
        continue;
      }
      const base = this.absoluteName(entry, m[1]!.length, m[2]!);
      if (base === undefined) continue;
      for (const n of m[3]!.replace(/[()\\]/g, ' ').split(',')) {
        const name = n.trim().split(/\s+/)[0];
        if (name && name !== '*') out.push(base ? `${base}.${name}` : name);
      }
    }
    return out;
  }

  /**
   * After an edit to one module: when no module importing it has C-valued names (so nothing can feed back into
   * it), its own analysis again decides, and the others stand when it gives the same names; else a fresh
   * computation of every module (`sameExports`).
   */
  private sameExportsAfterEdit(entry: ModuleEntry, state: Map<string, CExports>): boolean {
    // the defs of the edited text that are unchanged keep their `defLeaks` runs (each checked against what it asked)
    if (entry.exportsFrom) carryLeaks(entry.exportsFrom.units, this.unitsOf(entry));
    if (this.byName.get(entry.name) !== entry) return this.sameExports(state);
    const before = state.get(entry.name);
    const fed = [...this.byName.values()].some((e) => e !== entry && e.targets?.includes(entry.name) && state.has(e.name) && (state.get(e.name)!.all || state.get(e.name)!.names.size > 0));
    if (fed || !before) return this.sameExports(state);
    const units = this.unitsOf(entry);
    const from = entry.exportsFrom;
    // delete and re-derive from the last fixpoint (cExports.ts `updateExports`): exact, and proportional to the edit
    let after = before.run && from?.importsC === this.importsCOf(entry) ? updateExports(before, units, from.importsC, this.exportsContext((m) => state.get(m))) : undefined;
    if (after) this.exportsUpdated++;
    else if (from && from.importsC === this.importsCOf(entry) && exportsForUnits(from.units, units, before) === before) {
      // the edit changed no word the fixpoint reads (nor an import, nor a def's code): the names and C-valued units stand
      entry.exportsFrom = { units, importsC: from.importsC };
      return true;
    }
    entry.targets = this.importTargets(entry, this.textOf(entry));
    after ??= this.analyzeExportsOf(entry, (m) => state.get(m));
    entry.exportsFrom = { units, importsC: this.importsCOf(entry) };
    const same = after.observes === before.observes && sameNames(after, before) && sameNames(after.lib, before.lib)
      && after.modules.size === before.modules.size && [...after.modules].every(([k, v]) => before.modules.get(k)?.join() === v.join());
    // a module no other module imports: no other module's exports read its names, so the fresh computation differs from `state` only here
    const imported = [...this.byName.values()].some((e) => e !== entry && e.targets?.includes(entry.name));
    if (!same && imported) return this.sameExports(state);
    state.set(entry.name, after);
    return after.observes === before.observes && sameNames(after, before) && sameNames(after.lib, before.lib);
  }

  /** Whether a fresh computation of the C-valued exports gives `state` again. */
  private sameExports(state: Map<string, CExports>): boolean {
    const fresh = this.cExports(new Map());
    const keys = new Set([...state.keys(), ...fresh.keys()]);
    for (const k of keys) {
      const a = state.get(k) ?? NO_C;
      const b = fresh.get(k) ?? NO_C;
      if (a.observes !== b.observes || !sameNames(a, b) || !sameNames(a.lib, b.lib)) {
        this.cState = fresh;
        return false;
      }
    }
    this.cState = fresh; // the same names, but which statements are C-valued may have moved
    return true;
  }

  private analyzeExportsOf(e: ModuleEntry, get: (m: string) => CExports | undefined): CExports {
    // an open document's fixpoint is kept to be updated after its next edit
    return analyzeExports(e.name, this.unitsOf(e), this.importsCOf(e), this.exportsContext(get), e.open !== undefined);
  }

  private analyzeLibraryOf(e: ModuleEntry, get: (m: string) => CExports | undefined): CExports {
    return analyzeLibrary(e.name, this.unitsOf(e), this.importsCOf(e), this.exportsContext(get));
  }

  private exportsContext(get: (m: string) => CExports | undefined) {
    return {
      hasModule: (m: string) => this.byName.has(m),
      exportsOf: (m: string) => get(m) ?? NO_C,
      absolute: (module: string, level: number, from: string) => {
        const r = this.byName.get(from);
        return r ? this.absoluteName(r, level, module) : level ? undefined : module;
      },
    };
  }

  private importsCOf(e: ModuleEntry): boolean {
    return (e.importsC ??= importsC(this.textOf(e)));
  }

  private unitsOf(e: ModuleEntry): Unit[] {
    if (e.open) {
      const out: Unit[] = [];
      for (const region of e.open.regions) {
        const cache = (region.cache ??= {}) as { units?: Unit[] };
        cache.units ??= regionUnits(region);
        out.push(...cache.units);
      }
      return out;
    }
    return (e.units ??= unitsOf(this.textOf(e)));
  }

  private importTargets(entry: ModuleEntry, text: string): string[] {
    const out = new Set<string>();
    for (const dep of this.importedModules(entry, text)) if (dep !== entry) out.add(dep.name);
    return [...out];
  }

  /** The workspace modules a text's import lines read, in order (`import a.b.c` reads a, a.b and a.b.c). */
  private *importedModules(entry: ModuleEntry, text: string): Generator<ModuleEntry> {
    for (const m of importLines(text)) {
      const targets: string[] = [];
      if (m[4]) for (const part of m[4].split(',')) targets.push(part.trim().split(/\s+/)[0]!);
      else {
        const base = this.absoluteName(entry, m[1]!.length, m[2]!);
        if (base === undefined) continue;
        targets.push(base);
        for (const n of m[3]!.replace(/[()\\]/g, ' ').split(',')) {
          const name = n.trim().split(/\s+/)[0];
          if (name && name !== '*') targets.push(base ? `${base}.${name}` : name);
        }
      }
      for (const t of targets) {
        const parts = t.split('.');
        for (let i = 1; i <= parts.length; i++) {
          const dep = this.byName.get(parts.slice(0, i).join('.'));
          if (dep) yield dep;
        }
      }
    }
  }

  builtFfi(module: string, requester: string): FfiObjectValue | undefined {
    for (const e of this.byUri.values()) {
      if (e.name === requester) continue;
      const text = this.textOf(e);
      const leaf = module.split('.').pop()!;
      if (!text.includes('set_source') || !text.includes(leaf)) continue;
      const ev = this.readBy(this.evaluate(e), requester);
      const ffi = ev?.ffis.find((f) => f.builds === module || f.builds?.split('.').pop() === leaf);
      if (ffi) {
        this.link(requester, e.name);
        this.requesterDeps(requester, e.name);
        return ffi;
      }
    }
    return undefined;
  }

  /** Another module's evaluation reads `ev`: its code may write into `ev`'s values, so `ev` is never updated in place. */
  private readBy(ev: ModuleEvaluation | undefined, requester: string): ModuleEvaluation | undefined {
    if (ev && ev.name !== requester) ev.trace = undefined;
    return ev;
  }

  /** A dependency found outside the evaluator's own reads (the build script of an imported module). */
  private requesterDeps(requester: string, module: string): void {
    const r = this.byName.get(requester);
    r?.evaluation?.deps.add(module);
  }

  private link(requester: string, module: string): void {
    if (requester === module) return;
    let set = this.dependants.get(module);
    if (!set) this.dependants.set(module, (set = new Set()));
    set.add(requester);
  }

  private textOf(entry: ModuleEntry): string {
    if (entry.open) return entry.open.text;
    if (entry.pinned !== undefined) return entry.pinned;
    if (entry.text === undefined) {
      try {
        entry.text = fs.readFileSync(fileURLToPath(entry.uri), 'utf8');
      } catch {
        entry.text = '';
      }
    }
    return entry.text;
  }

  /**
   * Whether a file's own statements can meet a C value: it imports ctypes/cffi, lives in one of their packages,
   * or mentions a C-valued name of a workspace module it imports (cExports.ts: name by name, `mod.attr` by
   * attribute; heapq reading `doctest.testmod` does not count, though doctest reaches ctypes through a chain of
   * imports). The evaluator reads other modules only for such names, so a file for which this and the
   * per-file pre-filter are false has no finding. Read from the text, no parse.
   */
  mayBind(uri: string): boolean {
    const entry = this.byUri.get(uri);
    if (!entry) return false;
    if (this.importsCOf(entry) || C_PACKAGE.test(entry.name)) return true;
    if (this.onDemand && !this.reachesLibrary(entry)) return false;
    return this.exportsOfEntry(entry).observes;
  }

  /**
   * Whether a module's statements are worth lowering: it names ctypes/cffi anywhere, or imports a workspace
   * module that does. Wider than `mayBind`: a binding module reads plain values (strings, helpers) of the
   * modules it imports.
   */
  private mayBindEntry(entry: ModuleEntry): boolean {
    return this.decide(entry, 'mayBind', (text) => BINDS_ITSELF.test(text));
  }

  /**
   * `chained` from one module: when the answer is no, no module it reached can reach a yes either, so all of
   * them are cached as no (one walk per question, linear in the import lines read).
   */
  private decide(entry: ModuleEntry, key: 'mayBind', itself: (text: string, entry: ModuleEntry) => boolean): boolean {
    const seen = new Set<ModuleEntry>();
    const result = this.chained(entry, seen, key, itself);
    if (!result) for (const e of seen) e[key] = false;
    return result;
  }

  /** `itself(text)`, or the same of a workspace module it imports (transitively); cached in `entry[key]`. */
  private chained(entry: ModuleEntry, visiting: Set<ModuleEntry>, key: 'mayBind', itself: (text: string, entry: ModuleEntry) => boolean): boolean {
    if (entry[key] !== undefined) return entry[key]!;
    if (visiting.has(entry)) return false;
    visiting.add(entry);
    const done = () => {
      if (result) entry[key] = true;
      return result;
    };
    const text = this.textOf(entry);
    entry.importSignature ??= importSignature(text);
    let result = itself(text, entry);
    if (!result) {
      for (const dep of this.importedModules(entry, text)) {
        if (dep !== entry && this.chained(dep, visiting, key, itself)) {
          result = true;
          break;
        }
      }
    }
    // a `false` is cached by `decide` once the whole walk found none
    return done();
  }

  private absoluteName(entry: ModuleEntry, level: number, module: string): string | undefined {
    if (level === 0) return module;
    const parts = entry.name.split('.');
    const isPackage = /\/__init__\.pyw?$/.test(entry.uri);
    const base = isPackage ? parts : parts.slice(0, -1);
    if (level - 1 > base.length) return undefined;
    return [...base.slice(0, base.length - (level - 1)), ...(module ? [module] : [])].join('.');
  }

  private statements(entry: ModuleEntry): TopStmt[] {
    if (entry.open) return statementsOfDocument(entry.open);
    if (entry.stmts) return entry.stmts;
    const text = this.textOf(entry);
    if (!this.mayBindEntry(entry)) return (entry.stmts = []);
    entry.text = undefined; // the statements replace the text
    const tree = this.pythonParser.parse(text);
    try {
      entry.stmts = tree ? lowerModule(tree, text, { offset: 0 }) : [];
    } finally {
      tree?.delete();
    }
    return entry.stmts;
  }

  /** The statements worth evaluating (cExports.ts `relevantStatements`): the others can give no other module, and no finding, anything. */
  private relevant(entry: ModuleEntry, stmts: TopStmt[]): TopStmt[] {
    if (stmts.length === 0) return stmts;
    const c = this.exportsOfEntry(entry);
    const units = this.unitsOf(entry);
    if (c.cUnits.length !== units.length) return stmts.length && c === NO_C ? [] : stmts;
    const memo = relevantStatementsAfter(units, c.cUnits, entry.relevantMemo);
    if (entry.open) entry.relevantMemo = memo;
    const keep = memo.keep;
    // statement starts (absolute offsets), ascending, with whether each is kept
    const starts: number[] = [];
    const kept: boolean[] = [];
    let i = 0;
    const push = (at: number, k: boolean) => {
      if (starts.length && starts[starts.length - 1] === at) kept[kept.length - 1] ||= k;
      else {
        starts.push(at);
        kept.push(k);
      }
    };
    if (entry.open) {
      for (const region of entry.open.regions) for (const u of ((region.cache as { units?: Unit[] } | undefined)?.units ?? [])) push(region.offset + u.at, keep[i++]!);
    } else for (const u of units) push(u.at, keep[i++]!);
    return stmts.filter((t) => {
      const at = t.anchor.offset + t.stmt.s;
      let lo = 0;
      let hi = starts.length - 1;
      if (hi < 0 || at < starts[0]!) return true;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= at) lo = mid;
        else hi = mid - 1;
      }
      return kept[lo]!;
    });
  }

  private evaluate(entry: ModuleEntry): ModuleEvaluation | undefined {
    if (entry.evaluation) return entry.evaluation;
    if (entry.evaluating) return undefined; // an import cycle: the partial module is not visible here
    entry.evaluating = true;
    try {
      this.evaluations++;
      let stmts = this.relevant(entry, this.statements(entry));
      const previous = entry.previous;
      entry.previous = undefined;
      if (previous && entry.open) {
        const patch = patchStatements(previous.stmts, stmts);
        if (patch) {
          // the old statement objects stand for the fresh ones from now on (values and the regions' caches hold them)
          for (const region of entry.open.regions) {
            const cache = region.cache as { lowered?: TopStmt[] } | undefined;
            if (cache?.lowered) cache.lowered = cache.lowered.map((t) => patch.replaced.get(t) ?? t);
          }
          stmts = previous.stmts;
          if (reevaluateModule(previous.evaluation, patch.changed, patch.renames)) {
            this.reused++;
            entry.evaluation = previous.evaluation;
            entry.evaluated = stmts;
            return previous.evaluation;
          }
        }
        retractDeclarations(previous.evaluation);
      }
      const ev = evaluateModule(entry.name, entry.uri, stmts, this, entry.open !== undefined);
      entry.evaluation = ev;
      entry.evaluated = entry.open ? stmts : undefined;
      for (const d of ev.deps) this.link(entry.name, d);
      return ev;
    } finally {
      entry.evaluating = false;
    }
  }
}

/**
 * Shapes only the evaluator reads (the per-file analysis reads the rest): helpers and loaders (`def`), loops,
 * getattr/setattr/globals(), subscripts with a string, tuple and chained assignments, prototypes applied to
 * `(name, lib)`, out-of-line `ffi` imports.
 */
const EVALUATOR_SHAPES = [
  /^[ \t]*(?:def|for)\b/m, /\b(?:getattr|setattr)[ \t]*\(/, /\bglobals[ \t]*\([ \t]*\)/, /\w[ \t]*\[[ \t]*['"]/, /^[ \t]*[\w.]+[ \t]*,[^=\n]*=[^=]/m,
  /^[ \t]*[\w.]+[ \t]*=[ \t]*[\w.]+[ \t]*=[^=]/m, /\([ \t]*\([ \t]*['"]/, /^[ \t]*from[ \t]+\S+[ \t]+import[^\n]*\bffi\b/m,
];

/** Whether a text has one of the shapes: one pattern at a time (as one alternation, V8 tried every branch at every offset: 23 ms on the bench's 10k-line file, the patterns apart ~5 ms). */
function hasEvaluatorShape(text: string): boolean {
  return EVALUATOR_SHAPES.some((p) => p.test(text));
}

/**
 * Whether linking the workspace evaluation can add to a file's own model: the file has a shape only the
 * evaluator reads, or imports a module of the workspace, and (in a workspace) some statement of it can meet a
 * library or foreign function (cExports.ts: what the link step adds are references to those). Both the CLI and the server ask this, so skipping
 * the evaluation (which keeps keystrokes in long flat binding files cheap) never changes a result.
 */
export function needsEvaluation(text: string | ParsedDocument, workspace?: WorkspaceIndex, uri?: string): boolean {
  const shape = typeof text === 'string' ? shapeOf(text) : shapeOfRegions(text);
  if (!shape.evaluatorShape && !(workspace && importsWorkspaceModule(shape.imports, workspace))) return false;
  // a module of the workspace none of whose statements can meet a library or foreign function: its evaluation adds nothing
  return !(workspace && uri !== undefined && workspace.observesNothing(uri));
}

/** What needsEvaluation reads of a text: whether it has an evaluator shape, and the modules its import lines name (`.` for a relative one). */
interface TextShape {
  evaluatorShape: boolean;
  imports: string[];
}

function shapeOf(text: string): TextShape {
  const imports: string[] = [];
  for (const m of importLines(text)) {
    if (m[1]) imports.push('.'); // relative
    else if (m[4]) for (const p of m[4].split(',')) imports.push(p.trim().split(/\s+/)[0]!);
    else imports.push(m[2]!);
  }
  return { evaluatorShape: hasEvaluatorShape(text), imports };
}

/**
 * The shape of a parsed document, from each region's (cached until its text changes): every pattern above reads
 * one line, and regions are cut at line starts, so the regions' shapes together are the whole text's.
 */
function shapeOfRegions(doc: ParsedDocument): TextShape {
  let evaluatorShape = false;
  const imports: string[] = [];
  for (const region of doc.regions) {
    const cache = (region.cache ??= {}) as { shape?: TextShape };
    cache.shape ??= shapeOf(region.text);
    evaluatorShape ||= cache.shape.evaluatorShape;
    for (const i of cache.shape.imports) imports.push(i);
  }
  return { evaluatorShape, imports };
}

function importsWorkspaceModule(imports: readonly string[], workspace: WorkspaceIndex): boolean {
  return imports.some((n) => n === '.' || workspace.hasModule(n) || workspace.hasModule(n.split('.')[0]!));
}

function sameNames(a: NameSet, b: NameSet): boolean {
  return a.all === b.all && a.names.size === b.names.size && [...a.names].every((n) => b.names.has(n));
}

function importsC(text: string): boolean {
  return IMPORTS_C.test(text);
}

function importSignature(text: string): string {
  return `${BINDS_ITSELF.test(text)}|${importsC(text)}|${importLines(text).map((m) => m[0]).join('\n')}`;
}

/** Each long region's class pieces from its last units, by text (cExports.ts `unitOfPieces`). */
const regionPieces = new WeakMap<object, Map<string, UnitPart>>();

/**
 * An open region's units. A long class statement in an error-free region is read in pieces, one per method of
 * its body (where the parse says each def starts), each piece's reads kept by its text: a keystroke in one method
 * of a 115 KB class reads that method again, not the class.
 */
function regionUnits(region: Region): Unit[] {
  const cuts = region.candidateCuts().cuts;
  if (region.text.length < REUSE_MIN_CHARS || region.tree.rootNode.hasError) {
    regionPieces.delete(region);
    return unitsOf(region.text, 0, undefined, cuts);
  }
  const memo = regionPieces.get(region);
  const next = new Map<string, UnitPart>();
  const split = (start: number, t: string): Unit | undefined => {
    if (t.length < REUSE_MIN_CHARS || !t.startsWith('class')) return undefined;
    const pieces = classPieces(flatTreeOf(region), start, t);
    return pieces ? unitOfPieces(pieces, start, memo, next) : undefined;
  };
  const units = unitsOf(region.text, 0, undefined, cuts, split);
  regionPieces.set(region, next);
  return units;
}

/** The text of the class statement at `start` of a flat tree's text (`t`, to the next statement) cut at the line starts of the defs of its body. */
export function classPieces(flat: FlatTree, start: number, t: string): string[] | undefined {
  const text = flat.text;
  let cls = -1;
  for (let c = 1, end = flat.after[0]!; c < end; c = flat.after[c]!) if (flat.start[c] === start) {
    cls = c;
    break;
  }
  if (cls < 0 || flat.typeName(cls) !== 'class_definition') return undefined;
  const body = flat.childByField(cls, pythonFields(flat.language).body);
  if (body < 0) return undefined;
  const pieces: string[] = [];
  let from = 0;
  for (let d = body + 1, end = flat.after[body]!; d < end; d = flat.after[d]!) {
    const type = flat.typeName(d);
    if (type !== 'function_definition' && type !== 'decorated_definition') continue;
    const s = flat.start[d]!;
    const line = text.lastIndexOf('\n', s - 1) + 1;
    if (line <= start + from || !/^[ \t]*$/.test(text.slice(line, s))) continue;
    pieces.push(t.slice(from, line - start));
    from = line - start;
  }
  if (pieces.length === 0) return undefined;
  pieces.push(t.slice(from));
  return pieces;
}

/** Each region's defs from its last lowering, by text (pyir.ts `DefReuse`): a region re-parsed after an edit lowers only the defs that changed. */
const regionDefs = new WeakMap<object, DefReuse['next']>();

/** The lowered statements of an open document, cached on each parse region until its text changes. */
export function statementsOfDocument(doc: ParsedDocument): TopStmt[] {
  const out: TopStmt[] = [];
  for (const region of doc.regions) {
    const cache = (region.cache ??= {}) as { lowered?: TopStmt[] };
    if (!cache.lowered) {
      const defs: DefReuse | undefined = region.tree.rootNode.hasError ? undefined : { last: regionDefs.get(region), next: new Map() };
      cache.lowered = lowerFlat(flatTreeOf(region), region, defs);
      if (defs) regionDefs.set(region, defs.next);
      else regionDefs.delete(region);
      releaseFlatTree(region); // its facts were read first (DocumentService.model); a later read copies the tree again
    }
    out.push(...cache.lowered);
  }
  return out;
}

/** Evaluates a document on its own (no workspace): imports of project modules stay unknown. */
export function evaluateDocument(doc: ParsedDocument, uri: string, name = 'document'): ModuleEvaluation {
  return evaluateModule(name, uri, statementsOfDocument(doc), NO_WORKSPACE);
}

const NO_WORKSPACE: ModuleResolver = { hasModule: () => false, member: () => undefined, starNames: () => [] };
