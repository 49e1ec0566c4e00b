/**
 * Stage A, functions declared on the library itself: `lib.f.argtypes = …`, `lib.f.restype = …` (also in one
 * tuple assignment), `lib.f.errcheck = …`, then `lib.f(…)` — in the library's module or in another one that
 * imports the library (`from .native import lib`, `nat.lib`, `pkg.native.lib`, `*`). The library becomes a
 * `_Library` and the declaring statements one `lib.f = _cffi_function(lib._cffi_lib, "f")`: every `lib.f(…)`
 * after it, in any module, calls the cffi function as ctypes called it; the cdef that declares `f` is the
 * library's module's (and the declaring module's, whose `_cffi_function` the check reads).
 */
import type { Node } from 'web-tree-sitter';
import { keyOf } from '../../syntax';
import { pyString } from './syntax';
import type { ModulePlanner } from './planner';
import { type LibraryRef, libraryAt } from './libraries';
import { declFromAttributes, declareFunction, withVariadic, wrapperOf } from './functions';
import { heldNodes } from './heldLibraries';
import type { ForeignDecl } from './planner';

const ATTRIBUTES = new Set(['argtypes', 'restype', 'errcheck']);

/** One function declared on its library's attribute. */
export interface AttributeDecl {
  decl: ForeignDecl;
  /** The module whose statements declare it, the block they are in, and where the last one ends. */
  declaredIn: ModulePlanner;
  block: Node;
  after: number;
  /** The block the declaring statements are in (for an instance's `__init__`, not `block`, which is the module's). */
  statements: Node;
  /** `lib.f` as the declaration spells it (for the messages). */
  spelled: string;
}

/** The project-wide key of `name` on a library: its module, its key there, the C name. */
export const attributeKey = (ref: LibraryRef, name: string): string => `${ref.owner.mod.name}\0${ref.lib.key}\0${name}`;

interface Setting {
  statement: Node;
  /** `lib.f` in this statement (the first, for a tuple assignment). */
  fn: Node;
  ref: LibraryRef;
  cname: string;
  values: Map<string, Node>;
}

/** `lib.f.argtypes = v` / `lib.f.argtypes, lib.f.restype = a, b` on a library: what it sets. */
function settingOf(pl: ModulePlanner, a: Node): Setting | undefined {
  const statement = a.parent;
  if (statement?.type !== 'expression_statement' || statement.parent?.type !== 'block' && statement.parent?.type !== 'module') return undefined;
  const left = a.childForFieldName('left');
  const right = a.childForFieldName('right');
  if (!left || !right) return undefined;
  const targets = left.type === 'pattern_list' ? left.namedChildren : [left];
  const values = left.type === 'pattern_list' ? (right.type === 'expression_list' ? right.namedChildren : []) : [right];
  if (targets.length !== values.length || !targets.length) return undefined;
  let fn: Node | undefined;
  const set = new Map<string, Node>();
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    const which = t.type === 'attribute' ? t.childForFieldName('attribute')!.text : undefined;
    const f = t.type === 'attribute' ? t.childForFieldName('object') : undefined;
    if (!which || !ATTRIBUTES.has(which) || f?.type !== 'attribute' || (fn && fn.text !== f.text)) return undefined;
    fn ??= f;
    set.set(which, values[i]!);
  }
  const ref = libraryAt(pl, fn!.childForFieldName('object')!);
  if (!ref) return undefined;
  return { statement, fn: fn!, ref, cname: fn!.childForFieldName('attribute')!.text, values: set };
}

/** The head identifier (or `_libraries['x']` subscript) of a library expression: what the library-reference checks look at. */
export function libraryHead(n: Node): Node {
  while (n.type === 'attribute') n = n.childForFieldName('object')!;
  return n;
}

/** Finds the declaring statements, groups each run of them, and plans one `_cffi_function` rebinding per run. */
export function collectAttributeDeclarations(pl: ModulePlanner): void {
  const settings: Setting[] = [];
  for (const a of pl.nodes.assignments) {
    if (!/\.(argtypes|restype|errcheck)\s*[=,]/.test(pl.mod.text.slice(a.startIndex, a.endIndex))) continue;
    const s = settingOf(pl, a);
    if (s) settings.push(s);
  }
  // runs of consecutive statements of one block setting the same lib.f
  const runs: Setting[][] = [];
  for (const s of settings) {
    const last = runs[runs.length - 1]?.at(-1);
    let prev = s.statement.previousNamedSibling;
    while (prev?.type === 'comment') prev = prev.previousNamedSibling;
    if (last && prev && last.statement.id === prev.id && last.fn.text === s.fn.text) runs[runs.length - 1]!.push(s);
    else runs.push([s]);
  }
  const project = pl.project;
  for (const run of runs) {
    const first = run[0]!;
    const last = run[run.length - 1]!;
    const key = attributeKey(first.ref, first.cname);
    const values = new Map<string, Node>();
    for (const s of run) for (const [w, v] of s.values) values.set(w, v);
    const prior = project.attributeDecls.get(key);
    if (prior) {
      // `lib.f.errcheck = check` after the declaration, in the same block: a new wrapper with it (ctypes sets it on the same function)
      if (prior.declaredIn === pl && prior.statements.id === first.statement.parent!.id && !values.has('argtypes') && !values.has('restype')) {
        allow(pl, run);
        const err = values.get('errcheck')!;
        const wrapper = wrapperOf(pl, prior.decl);
        pl.rewrite(last.statement.namedChildren[0]!, (inner) => rebind(first, wrapper, inner(err)));
        pl.plan.deletions.push(...run.slice(0, -1).map((s) => s.statement));
        continue;
      }
      allow(pl, run);
      pl.refuse(first.fn, `${first.fn.text} is declared again here (first as ${prior.spelled}): the plan follows one declaration per library function`);
      continue;
    }
    // without argtypes, `lib.f.restype = T` is a use of lib.f as ctypes gives it (untyped.ts)
    if (!values.has('argtypes')) continue;
    allow(pl, run);
    if (!first.ref.lib.loadedHere) {
      pl.refuse(first.fn, `${first.ref.lib.key} is loaded by a function of another module and declared on its attributes here: the plan follows that only for functions bound to a name`);
      continue;
    }
    const decl = withVariadic(pl, declFromAttributes(pl, first.cname, values.get('argtypes'), values.get('restype'), first.fn), first.ref.lib.stem);
    if (!decl) continue;
    if (!declareFunction(first.ref.owner, decl, first.fn) || (first.ref.owner !== pl && !declareFunction(pl, decl, first.fn))) continue;
    // an instance's library declared in its __init__ body: declared once `obj = C(…)` has run, as if at module level
    const held = first.ref.owner === pl ? pl.held.get(first.ref.lib.key) : undefined;
    const atInit = held?.init && held.init.id === first.statement.parent!.id;
    const when = atInit ? { block: pl.mod.root, after: held.instantiation!.endIndex } : { block: first.statement.parent!, after: last.statement.endIndex };
    project.attributeDecls.set(key, { decl, declaredIn: pl, ...when, statements: first.statement.parent!, spelled: first.fn.text });
    first.ref.lib.wrapped = true;
    first.ref.owner.plan.helpers.add('library');
    first.ref.owner.plan.usesFfi = true;
    const wrapper = wrapperOf(pl, decl);
    pl.plan.usesFfi = true;
    pl.plan.converted.functions++;
    for (const [w, v] of values) if (w !== 'errcheck') pl.consumed.push(v);
    const err = values.get('errcheck');
    // the run becomes one statement, where its last one was (everything it names exists there)
    pl.rewrite(last.statement.namedChildren[0]!, (inner) => rebind(first, wrapper, err ? inner(err) : undefined));
    pl.plan.deletions.push(...run.slice(0, -1).map((s) => s.statement));
  }
}

function rebind(s: Setting, wrapper: string, errcheck: string | undefined): string {
  const lib = s.fn.childForFieldName('object')!.text;
  return `${s.fn.text} = ${wrapper}(${lib}._cffi_lib, ${pyString(s.cname)}${errcheck ? `, ${errcheck}` : ''})`;
}

/** The run's references to the library are the plan's (the library-reference checks skip them). */
function allow(pl: ModulePlanner, run: readonly Setting[]): void {
  for (const s of run) {
    const t = s.statement.namedChildren[0]!.childForFieldName('left')!;
    for (const target of t.type === 'pattern_list' ? t.namedChildren : [t]) pl.libraryUsesAllowed.add(keyOf(libraryHead(target)));
  }
}

/**
 * Every other `lib.f` of a function declared on its library, in this module: a call after the declaration
 * (in its block, or anywhere once a module-level declaration has run) is the plan's; anything else is a
 * refusal, since ctypes would have called it without argtypes or handed out its function object.
 */
export function checkAttributeUses(pl: ModulePlanner): void {
  const decls = pl.project.attributeDecls;
  if (!decls.size) return;
  for (const { node, ref } of libraryReferences(pl)) {
    const head = libraryHead(node);
    if (pl.libraryUsesAllowed.has(keyOf(head))) continue;
    const use = node.parent;
    if (use?.type !== 'attribute' || use.childForFieldName('object')?.id !== node.id) continue;
    const d = decls.get(attributeKey(ref, use.childForFieldName('attribute')!.text));
    if (!d) continue;
    pl.libraryUsesAllowed.add(keyOf(head));
    const why = misuse(pl, use, d);
    if (why) pl.refuse(use, why);
  }
}

function misuse(pl: ModulePlanner, use: Node, d: AttributeDecl): string | undefined {
  const call = use.parent;
  if (call?.type !== 'call' || call.childForFieldName('function')?.id !== use.id) return `${use.text} is used here other than by calling it: the plan converts a function declared on its library (${d.spelled}.argtypes = …) where it is called`;
  const atModule = d.block.type === 'module';
  if (d.declaredIn === pl) {
    if (use.startIndex < d.after) return `${use.text} is called here before its argtypes are set: ctypes called it without them`;
    if (!atModule && use.endIndex > d.block.endIndex) return `${use.text} is called outside the block that sets its argtypes: the plan cannot tell that they are set when it runs`;
    return undefined;
  }
  if (!atModule) return `${use.text} is called here and its argtypes are set inside a block of ${d.declaredIn.mod.name}: the plan cannot tell that they are set when it runs`;
  const b = d.declaredIn.b;
  const importsThis = [...b.modules.values(), ...[...b.fromImports.values()].map((x) => x[0]), ...b.starModules].some((m) => m === pl.mod.name || m.startsWith(`${pl.mod.name}.`));
  if (importsThis) return `${use.text} is called here and declared in ${d.declaredIn.mod.name}, which imports this module: the plan cannot tell which runs first`;
  return undefined;
}

/** Every expression of this module that names a library (its own, or one imported from another module), with the library. */
export function libraryReferences(pl: ModulePlanner): { node: Node; ref: LibraryRef }[] {
  const out: { node: Node; ref: LibraryRef }[] = [];
  const seen = new Set<number>();
  const add = (n: Node): void => {
    if (seen.has(n.id)) return;
    const ref = libraryAt(pl, n);
    if (ref) {
      seen.add(n.id);
      out.push({ node: n, ref });
    }
  };
  // `obj.lib` of a held library another module holds: the attribute, not the identifier
  const addOrHeld = (n: Node): void => {
    add(n);
    const p = n.parent;
    if (!seen.has(n.id) && p?.type === 'attribute' && p.childForFieldName('object')?.id === n.id) add(p);
  };
  for (const lib of pl.libraries.values()) for (const n of pl.held.has(lib.key) ? heldNodes(pl, lib) : lib.key.includes('[') ? pl.nodes.subscripts : pl.nodes.identifiers.get(lib.key) ?? []) add(n);
  for (const local of pl.b.fromImports.keys()) for (const n of pl.nodes.identifiers.get(local) ?? []) addOrHeld(n);
  for (const m of pl.b.starModules) for (const name of pl.project.planner(m)?.libraries.keys() ?? []) for (const n of pl.nodes.identifiers.get(name.split('.')[0]!) ?? []) addOrHeld(n);
  for (const local of pl.b.modules.keys()) {
    for (const x of pl.nodes.identifiers.get(local) ?? []) {
      for (let top: Node = x; top.parent?.type === 'attribute' && top.parent.childForFieldName('object')?.id === top.id; top = top.parent) {
        if (libraryAt(pl, top.parent)) {
          add(top.parent);
          break;
        }
      }
    }
  }
  return out;
}
