/**
 * The core of a project conversion's plan (docs/conversion.md "Stages"). It decides, over all modules of the
 * binding together, what becomes cffi — libraries, foreign functions (declared directly, through a declaring
 * helper and its table, or used without argtypes), callback types, opaque structs, type aliases, and the ctypes
 * values handed to foreign calls (out-parameter cells, string buffers, casts) — and records every rewrite as a
 * function of that decision. Whatever the plan does not cover is a refusal with its cause; the caller shrinks
 * on refusals.
 *
 * This file holds the plan's types, each module's planning state (`ModulePlanner`) and the order of the
 * stages (`ProjectPlanner.run`); each construct's rules are a file of their own beside it, functions of the
 * planner: stage A (declarations) types.ts, inlineCallbacks.ts, memoryStructs.ts, libraries.ts, declaringHelpers.ts, functions.ts,
 * untyped.ts, then fieldStructs.ts (a struct's address may be handed to a function); stage B (the values handed to foreign calls) values.ts, casts.ts, buffers.ts, arrays.ts, addresses.ts,
 * globals.ts, with callees.ts
 * answering which function an argument reaches; stage C (what becomes of the ctypes names) callbackCalls.ts, names.ts.
 */
import type { Node } from 'web-tree-sitter';
import { CTYPES_EXPORTS } from '../../../analysis/ctypesNames';
import type { PrototypeLookup } from '../../../analysis/prototypes';
import { keyOf } from '../../syntax';
import type { CType } from '../../typeNames';
import type { SourceModule } from '../modules';
import type { RuntimeHelper } from '../pythonRuntime';
import { type ModuleNodes, type NamedIdentifiers, indexNodes } from './moduleIndex';
import { type Bindings, bindingsOf, ctypesName, member } from './bindings';
import { type Prototype, collectTypes } from './types';
import { collectMemoryStructs } from './memoryStructs';
import { collectInlineCallbacks } from './inlineCallbacks';
import { collectFieldStructs } from './fieldStructs';
import type { Holder } from './heldLibraries';
import { type Factory, type Library, collectLibraries, findFactories } from './libraries';
import { type DeclaringHelper, collectHelperCalls, collectHelpers } from './declaringHelpers';
import { collectDirectDeclarations } from './functions';
import { collectUntyped } from './untyped';
import { collectValues } from './values';
import { settleNames } from './names';
import { refuseCallbackCalls } from './callbackCalls';
import { followModuleAliases, refuseModuleValues } from './moduleAliases';
import { definingModule, followReexports } from './reexports';
import { dropUnusedCtypesImports } from './unusedImports';
import { type AttributeDecl, checkAttributeUses, collectAttributeDeclarations } from './attributeDeclarations';

/** A replacement for one node; `inner` renders a descendant with the replacements inside it. */
export type Rewrite = (inner: (n: Node) => string) => string;

export interface Refusal {
  module: SourceModule;
  node: Node;
  reason: string;
}

export interface ForeignDecl {
  cname: string;
  ret: CType;
  params: CType[];
  /** Called without argtypes: the signature is the C header's (`where`), the calls keep ctypes' default conversions. */
  untyped?: { where: string };
  /** Variadic in C (its header or the table) and its argtypes are the fixed part: declared with `...`, the other arguments passed as ctypes passed them. */
  variadic?: boolean;
}

export interface ModulePlan {
  mod: SourceModule;
  /** The module's import statements (any depth), in document order. */
  imports: Node[];
  ffi: string;
  /** cdef lines in the order found: opaque structs first, then functions. */
  structs: string[];
  /** structs with `_pack_` (plan/fieldStructs.ts): each in a cdef of its own, `pack=N` as ctypes packed it */
  packedStructs: { pack: number; decl: string }[];
  functions: Map<string, ForeignDecl>;
  helpers: Set<RuntimeHelper>;
  rewrites: Map<string, { node: Node; render: Rewrite }>;
  deletions: Node[];
  /** Statements that stay ctypes for other modules (an alias they read only as a type, plan/names.ts): the check allows their ctypes names. */
  keptCtypes: Node[];
  /** The module creates cffi objects (ffi.new, ffi.cast, …) even without declarations. */
  usesFfi: boolean;
  /** Python names bound to converted foreign functions in this module. */
  exported: Map<string, ForeignDecl>;
  /** ctypes uses the plan consumed; anything else ctypes left in the output is a refusal. */
  notes: string[];
  /** Counts for the report. */
  converted: { functions: number; callbacks: number; cells: number; buffers: number; casts: number };
}

export interface ProjectPlan {
  modules: ModulePlan[];
  refusals: Refusal[];
}

/** One module's planning state: what the stages found so far, and the plan they write. */
export class ModulePlanner {
  readonly plan: ModulePlan;
  readonly libraries = new Map<string, Library>();
  /** libraries held by a class or its one instance (heldLibraries.ts), by key (`C.lib`, `obj.lib`) */
  readonly held = new Map<string, Holder>();
  /** functions an instance holding a library binds in its `__init__` (`self.f = self.lib.f`, heldLibraries.ts), by `obj.f` */
  readonly instanceFunctions = new Map<string, ForeignDecl>();
  /** `f = lib.f` / `getattr(lib, "f")` the plan declared, by attributeKey: ctypes' one function object, which `lib.f` elsewhere also is */
  readonly sharedFunctions = new Map<string, string>();
  readonly prototypes = new Map<string, Prototype>();
  readonly opaque = new Map<string, Node[]>();
  readonly aliases = new Map<string, { node: Node; type: CType; statement: Node }>();
  readonly helpersDefs = new Map<string, DeclaringHelper>();
  /** ranges of type expressions the plan consumed (their ctypes names do not count as uses) */
  readonly consumed: Node[] = [];
  readonly libraryUsesAllowed = new Set<string>();
  /** `libKey\0name` → the declaration of a function used without argtypes */
  readonly untyped = new Map<string, ForeignDecl>();
  /** variables made by `c_T(…)` and how: a cffi cell (`ffi.new`) or an immutable value (`ffi.cast`) */
  readonly valueTargets = new Map<string, 'cell' | 'value'>();
  /** functions without argtypes whose restype the code sets (`lib.f.restype = T`) */
  readonly restyped = new Set<string>();
  /** the statements that declare a function bound to a name (functions.ts): its `f.argtypes`/… there are the plan's */
  readonly declaringStatements: Node[] = [];
  /** `f = P(("name", lib))` the plan declared: ctypes saves errno for them only if P has use_errno, which the plan never converts (errno.ts) */
  readonly prototypeFunctions: Node[] = [];
  /** module-level assignments by name (declaringHelpers.ts `moduleAssignment`) */
  readonly assignmentCache = new Map<string, Node | undefined>();

  constructor(
    readonly mod: SourceModule,
    readonly nodes: ModuleNodes,
    readonly b: Bindings,
    readonly project: ProjectPlanner,
  ) {
    const taken = nodes.identifiers.has('_ffi');
    this.plan = {
      mod, imports: nodes.imports, ffi: taken ? '_cffi' : '_ffi', structs: [], packedStructs: [], functions: new Map(), helpers: new Set(), rewrites: new Map(), deletions: [], keptCtypes: [],
      usesFfi: false, exported: new Map(), notes: [], converted: { functions: 0, callbacks: 0, cells: 0, buffers: 0, casts: 0 },
    };
  }

  refuse(node: Node, reason: string): void {
    this.project.refusals.push({ module: this.mod, node, reason });
  }

  rewrite(node: Node, render: Rewrite): void {
    this.plan.rewrites.set(keyOf(node), { node, render });
  }

  ctypes(n: Node | null | undefined): string | undefined {
    return member(ctypesName(this.b, n));
  }

  /** Does a dotted name starting with `head` name something in ctypes here (ctypesName's first test)? */
  namesCtypes(head: string): boolean {
    return this.b.ctypes.has(head) || (this.b.star && CTYPES_EXPORTS.has(head) && !this.b.assigned.has(head));
  }

  /** Every identifier that is not an attribute name, by name. */
  identifiers(): NamedIdentifiers {
    return this.nodes.identifiers;
  }
}

// ---------------------------------------------------------------------------------------------

export class ProjectPlanner {
  readonly planners = new Map<string, ModulePlanner>();
  readonly refusals: Refusal[] = [];
  readonly factories = new Map<string, Factory>();
  /** functions declared on their library's attributes (`lib.f.argtypes = …`), by attributeDeclarations.ts `attributeKey` */
  readonly attributeDecls = new Map<string, AttributeDecl>();
  /** functions used without argtypes (untyped.ts), by the same key */
  readonly untypedDecls = new Map<string, ForeignDecl>();
  /** where the name module m exports is defined, through the package's re-exports (reexports.ts) */
  readonly definingModule: (m: string, name: string) => [string, string] | undefined;

  constructor(
    modules: readonly SourceModule[],
    readonly lookup: PrototypeLookup | undefined = { headers: {} },
  ) {
    const names = new Set(modules.map((m) => m.name));
    const read = modules.map((m) => {
      const nodes = indexNodes(m);
      return { m, nodes, b: bindingsOf(m, nodes, names) };
    });
    const all = new Map(read.map((x) => [x.m.name, x]));
    followReexports(all);
    this.definingModule = (m, name) => definingModule(all, m, name);
    for (const { m, nodes, b } of read) {
      followModuleAliases(b, nodes, names);
      this.planners.set(m.name, new ModulePlanner(m, nodes, b, this));
    }
  }

  planner(name: string): ModulePlanner | undefined {
    return this.planners.get(name);
  }

  run(): ProjectPlan {
    findFactories(this);
    const all = [...this.planners.values()];
    // declarations first everywhere (other modules' calls look them up), then values, then names; the types and
    // libraries of every module before any function (a module may declare functions on another's library)
    for (const p of all) planTypesAndLibraries(p);
    for (const p of all) collectAttributeDeclarations(p);
    for (const p of all) checkAttributeUses(p);
    for (const p of all) planFunctions(p);
    // after the functions: a struct's address may be handed to one (fieldStructs.ts)
    for (const p of all) collectFieldStructs(p);
    for (const p of all) collectValues(p);
    for (const p of all) refuseCallbackCalls(p);
    for (const p of all) settleNames(p);
    // after every module's plan: whether the module a value names converts
    for (const p of all) refuseModuleValues(p);
    dropUnusedCtypesImports(all);
    return { modules: all.map((p) => p.plan), refusals: this.refusals };
  }
}

/** Stage A, in this order: each construct reads what the ones before it found (types before signatures, libraries before their functions). */
function planTypesAndLibraries(pl: ModulePlanner): void {
  collectTypes(pl);
  collectInlineCallbacks(pl);
  collectMemoryStructs(pl);
  collectLibraries(pl);
}

function planFunctions(pl: ModulePlanner): void {
  collectHelpers(pl);
  collectDirectDeclarations(pl);
  collectHelperCalls(pl);
  collectUntyped(pl);
}

export function planProject(modules: readonly SourceModule[], lookup?: PrototypeLookup): ProjectPlan {
  return new ProjectPlanner(modules, lookup).run();
}
