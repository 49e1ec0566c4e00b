/**
 * Project conversion: the modules of one binding, converted together. Plan (plan/, stages A–C in plan/planner.ts) → render
 * (render.ts) → check the output (below); a plan with refusals, or an output that fails the check,
 * shrinks: the binding stays whole ctypes and each cause gets one TODO at its statement.
 */
import type { Node, Parser, Tree } from 'web-tree-sitter';
import { fieldId, flatten, typeIds } from '../../parser/flatTree';
import { CTYPES_EXPORTS } from '../../analysis/ctypesNames';
import type { PrototypeLookup } from '../../analysis/prototypes';
import { loadGrammars } from '../../parser/languages';
import { type TextEdit, applyEdits, toOriginalOffset } from '../edits';
import { desugarDeclarations } from '../desugar';
import { InputTree } from '../inputTree';
import { callParts, dotted, indentAt, statementOf, stringLiteral } from '../syntax';
import { type SourceModule, flatOf, loadModules, pythonFiles } from './modules';
import { type ModulePlan, planProject } from './plan/planner';
import { HELPER_NAMES } from './pythonRuntime';
import { CTYPES_UTIL_THROUGH_CTYPES, type DroppedImports, hasWork, renderModule } from './render';
import { formatText } from '../format/formatConversion';
import { lineLengthFor } from '../format/projectStyle';
import { sameReason, todoReasonsAbove, todosIn } from '../format/todoComments';
import { oneTodoPerCause } from '../format/todoText';
import { lostExports, lostNames, undeclaredLibraryUses } from '../check/outputInvariant';

export const TODO = '# TODO(pypy-bindings): ';

export interface ConvertedFile {
  file: string;
  original: string;
  converted: string;
  /** What stays ctypes and why, with 1-based lines in the converted text. */
  left: { line: number; reason: string }[];
}

export interface ProjectResult {
  files: ConvertedFile[];
  /** true when every planned module rendered and passed the check */
  converted: boolean;
  notes: string[];
  stats: { functions: number; callbacks: number; cells: number; buffers: number; casts: number; modules: number };
}

interface IdentifierSite {
  /** Index in the draft's flat tree. */
  i: number;
  start: number;
  end: number;
  parent: string;
  field: string | null;
}

/** A problem the draft check found; `ctypesLeft`: a ctypes name still used (allowed in what the plan keeps ctypes for other modules). */
interface DraftProblem {
  offset: number;
  reason: string;
  ctypesLeft?: boolean;
}

/**
 * Stage 3: the invariant, on the draft (the rendered text before the ctypes imports are trimmed, which only
 * removes imports nothing uses): which ctypes imports are still used, and the problems — a ctypes name left,
 * a helper or the ffi used but not defined, a function named that the cdef does not declare — as sentences
 * with offsets in the draft. It reads the draft's tree through its flat copy (parser/flatTree.ts): one pass
 * over typed arrays, no node objects.
 */
function checkDraft(p: ModulePlan, text: string, tree: Tree): { used: Set<string>; problems: DraftProblem[]; stillRead: (dropped: DroppedImports) => { offset: number; reason: string }[] } {
  const problems: DraftProblem[] = [];
  if (tree.rootNode.hasError) problems.push({ offset: 0, reason: 'the converted text does not parse' });
  const t = flatten(tree, text);
  const lang = t.language;
  const identifier = typeIds(lang, 'identifier');
  const importTypes = new Set([...typeIds(lang, 'import_statement'), ...typeIds(lang, 'import_from_statement')]);
  const imports: number[] = [];
  const ids: IdentifierSite[] = [];
  for (let i = 1; i < t.count; i++) {
    const type = t.type[i]!;
    if (identifier.has(type)) ids.push({ i, start: t.start[i]!, end: t.end[i]!, parent: t.typeName(t.parent[i]!), field: lang.fields[t.field[i]!] ?? null });
    else if (importTypes.has(type) && t.isNamed(i)) imports.push(i);
  }
  const F = { name: fieldId(lang, 'name'), alias: fieldId(lang, 'alias'), moduleName: fieldId(lang, 'module_name'), object: fieldId(lang, 'object'), fn: fieldId(lang, 'function'), args: fieldId(lang, 'arguments') };
  const textOf = (i: number): string => (i < 0 ? '' : t.nodeText(i));
  // the ctypes names the draft binds
  const locals = new Map<string, string>();
  let star = false;
  for (const n of imports) {
    if (t.typeName(n) === 'import_statement') {
      for (const c of t.namedChildren(n)) {
        const aliased = t.typeName(c) === 'aliased_import';
        const name = aliased ? textOf(t.childByField(c, F.name)) : t.nodeText(c);
        if (name !== 'ctypes' && !name.startsWith('ctypes.')) continue;
        locals.set(aliased ? textOf(t.childByField(c, F.alias)) : 'ctypes', aliased ? name : 'ctypes');
      }
    } else {
      const mod = textOf(t.childByField(n, F.moduleName));
      if (mod !== 'ctypes' && !mod.startsWith('ctypes.')) continue;
      const items = t.namedChildren(n);
      if (items.some((c) => t.typeName(c) === 'wildcard_import')) star = true;
      for (const c of items.slice(1)) {
        const aliased = t.typeName(c) === 'aliased_import';
        const name = aliased ? textOf(t.childByField(c, F.name)) : t.nodeText(c);
        locals.set(aliased ? textOf(t.childByField(c, F.alias)) : name, `${mod}.${name}`);
      }
    }
  }
  const defined = new Set<string>();
  for (const id of ids) {
    if ((id.parent === 'assignment' && id.field === 'left') || ((id.parent === 'function_definition' || id.parent === 'class_definition') && id.field === 'name')) defined.add(text.slice(id.start, id.end));
  }
  const used = new Set<string>();
  const root = tree.rootNode;
  const nodeAt = (id: IdentifierSite): Node => root.descendantForIndex(id.start, id.end - 1)!;
  // `_cffi_function(lib, "name", …)`: the name, when the call is plain (else the node API's reading)
  const declaredName = (id: IdentifierSite): string | undefined => {
    const call = t.parent[id.i]!;
    const list = t.childByField(call, F.args);
    const args = list >= 0 && t.typeName(list) === 'argument_list' ? t.namedChildren(list) : [];
    if (args.length >= 2 && args.every((a) => t.typeName(a) === 'identifier' || t.typeName(a) === 'string') && t.typeName(args[1]!) === 'string') {
      const m = /^(['"])([A-Za-z_][A-Za-z_0-9]*)\1$/.exec(t.nodeText(args[1]!));
      if (m) return m[2];
    }
    const c = callParts(nodeAt(id).parent!);
    const lit = c?.args[1] ? stringLiteral(c.args[1]) : undefined;
    return lit?.value;
  };
  for (const id of ids) {
    const name = text.slice(id.start, id.end);
    if (id.parent === 'attribute' && id.field === 'attribute') continue;
    if (id.parent === 'keyword_argument' && id.field === 'name') continue;
    // helpers and the ffi must be defined; every function _cffi_function names must be declared
    if ((HELPER_NAMES.includes(name) && id.parent !== 'attribute') || (name === p.ffi && (id.parent !== 'attribute' || id.field === 'object'))) {
      if (!defined.has(name)) problems.push({ offset: id.start, reason: `${name} is used but not defined` });
    }
    if ((name === '_cffi_function' || name === '_cffi_variadic') && id.parent === 'call' && id.field === 'function') {
      const declared = declaredName(id);
      if (declared !== undefined && !p.functions.has(declared)) problems.push({ offset: id.start, reason: `${declared} is not declared in the cdef` });
    }
    // a ctypes name still used (ctypes.util.find_library aside)
    if (id.parent === 'dotted_name' || id.parent === 'aliased_import' || id.parent === 'import_statement' || id.parent === 'import_from_statement') continue;
    let q = locals.get(name);
    if (!q && star && CTYPES_EXPORTS.has(name) && !defined.has(name)) {
      q = `ctypes.${name}`;
      used.add('*');
    }
    if (!q) continue;
    let top: Node = nodeAt(id);
    while (top.parent?.type === 'attribute' && top.parent.childForFieldName('object')?.startIndex === top.startIndex) top = top.parent;
    const full = q === 'ctypes' ? `ctypes.${(dotted(top) ?? '').split('.').slice(1).join('.')}` : q;
    if (full.startsWith('ctypes.util')) {
      // `ctypes.util.find_library` needs `ctypes` bound, which `import ctypes.util` does too (render.ts importEdits)
      used.add(q === 'ctypes' ? CTYPES_UTIL_THROUGH_CTYPES : name);
      used.add('ctypes.util');
      continue;
    }
    used.add(name);
    problems.push({ offset: id.start, reason: `${full} is still used after conversion: a ctypes value would meet cffi ones`, ctypesLeft: true });
  }
  // a ctypes name whose import the trimming drops must not be read any more (the output would not run)
  const stillRead = (dropped: DroppedImports): { offset: number; reason: string }[] => {
    const out: { offset: number; reason: string }[] = [];
    if (!dropped.names.size && !dropped.star) return out;
    for (const id of ids) {
      const name = text.slice(id.start, id.end);
      if (defined.has(name) || !(dropped.names.has(name) || (dropped.star && CTYPES_EXPORTS.has(name)))) continue;
      if ((id.parent === 'attribute' && id.field === 'attribute') || (id.parent === 'keyword_argument' && id.field === 'name')) continue;
      if (id.parent === 'dotted_name' || id.parent === 'aliased_import' || id.parent === 'import_statement' || id.parent === 'import_from_statement') continue;
      out.push({ offset: id.start, reason: `${name} (from ctypes) is still used after conversion` });
    }
    return out;
  };
  return { used, problems, stillRead };
}

/** The output after the import trimming: it must still parse. */
function outputParses(parser: Parser, text: string): boolean {
  const t = parser.parse(text)!;
  try {
    return !t.rootNode.hasError;
  } finally {
    t.delete();
  }
}

function withTodos(parser: Parser, mod: SourceModule, causes: { node: Node; reason: string }[]): { text: string; left: { line: number; reason: string }[] } {
  const byStatement = new Map<number, { node: Node; reasons: string[] }>();
  // one TODO per cause, at its first place (format/todoText.ts)
  for (const c of oneTodoPerCause(causes.map((c) => ({ ...c, start: c.node.startIndex })), todosIn(mod.text).map((t) => t.reason))) {
    const st = statementOf(c.node);
    const e = byStatement.get(st.startIndex) ?? { node: st, reasons: [] };
    if (!e.reasons.includes(c.reason)) e.reasons.push(c.reason);
    byStatement.set(st.startIndex, e);
  }
  const edits: TextEdit[] = [];
  for (const { node, reasons } of byStatement.values()) {
    const ls = mod.text.lastIndexOf('\n', node.startIndex - 1) + 1;
    const indent = indentAt(mod.text, node.startIndex);
    const above = todoReasonsAbove(mod.text, ls);
    const fresh = reasons.filter((r) => !above.some((a) => sameReason(a, r)));
    if (fresh.length) edits.push({ start: ls, end: ls, newText: fresh.map((r) => `${indent}${TODO}${r}\n`).join('') });
  }
  // the TODOs wrapped to the project's line length; the report reads them back from the text
  const { text } = formatText(parser, mod.text, edits, { maxLineLength: lineLengthFor(mod.file).max, original: flatOf(mod) });
  return { text, left: todosIn(text).map((t) => ({ line: t.line + 1, reason: t.reason })) };
}

/**
 * `lookup`: where C prototypes come from for functions without argtypes (headers per the settings, then the table).
 * Table loops and declaring helpers are first spelled out as the per-file engine spells them (desugar.ts: one
 * `lib.f.restype`/`lib.f.argtypes` line each, which the plan follows); that conversion is kept only when it
 * converts whole and every name each module, and each module's importers, read is still defined against the
 * text as written. Otherwise the text as written is converted (and its TODOs are the ones reported).
 */
export function convertModules(parser: Parser, modules: readonly SourceModule[], lookup?: PrototypeLookup): ProjectResult {
  const spelled = spelledOut(parser, modules);
  if (spelled) {
    try {
      const r = convertPlain(parser, spelled, lookup);
      const files = r.files.map((f, i) => ({ ...f, original: modules[i]!.text }));
      const lost = () =>
        files.some((f, i) => f.converted !== f.original && lostNames(parser, f.original, f.converted, modules[i]!.tree).length) ||
        lostExports(parser, modules.map((m, i) => ({ name: m.name, pkg: m.pkg, input: m.text, output: files[i]!.converted }))).length > 0;
      // each spelled-out module must be one the plan converted (else the spelling would be its only change)
      const rendered = spelled.every((m, i) => m === modules[i] || files[i]!.converted !== m.text);
      if (r.converted && rendered && !lost()) return { ...r, files };
    } finally {
      spelled.forEach((m, i) => m !== modules[i] && m.tree.delete());
    }
  }
  return convertPlain(parser, modules, lookup);
}

/** The modules with their table loops and declaring helpers spelled out (desugar.ts), or undefined when none has any. */
function spelledOut(parser: Parser, modules: readonly SourceModule[]): SourceModule[] | undefined {
  let any = false;
  const out = modules.map((m) => {
    const sugar = desugarDeclarations(new InputTree(m.text, m.tree, flatOf(m)));
    if (!sugar?.edits.length) return m;
    any = true;
    const text = applyEdits(m.text, sugar.edits);
    const tree = parser.parse(text);
    if (!tree) throw new Error(`tree-sitter returned no tree for ${m.file}`);
    return { ...m, text, tree, root: tree.rootNode };
  });
  if (any) return out;
  return undefined;
}

function convertPlain(parser: Parser, modules: readonly SourceModule[], lookup?: PrototypeLookup): ProjectResult {
  const plan = planProject(modules, lookup);
  const stats = { functions: 0, callbacks: 0, cells: 0, buffers: 0, casts: 0, modules: 0 };
  const notes = [...new Set(plan.modules.flatMap((m) => m.notes))];
  const causes = [...plan.refusals.map((r) => ({ mod: r.module, node: r.node, reason: r.reason }))];
  const rendered = new Map<string, string>();
  const renderEdits = new Map<string, TextEdit[]>();
  if (!causes.length) {
    for (const p of plan.modules) {
      if (!hasWork(p)) continue;
      let problems: DraftProblem[] = [];
      let stillRead: ((dropped: DroppedImports) => { offset: number; reason: string }[]) | undefined;
      const r = renderModule(p, parser, (draft, tree) => {
        const checked = checkDraft(p, draft, tree);
        problems = checked.problems;
        stillRead = checked.stillRead;
        return checked.used;
      });
      // a statement the plan keeps ctypes for other modules (plan/names.ts: an alias they read only as a type) may use ctypes
      const kept = (q: DraftProblem): boolean => {
        const at = toOriginalOffset(r.draftEdits, q.offset);
        return !!q.ctypesLeft && p.keptCtypes.some((st) => st.startIndex <= at && at < st.endIndex);
      };
      if (p.keptCtypes.length) problems = problems.filter((q) => !kept(q));
      problems.push(...stillRead!(r.dropped));
      if (!problems.length && !(r.parses ?? outputParses(parser, r.text))) problems.push({ offset: 0, reason: 'the converted text does not parse' });
      // the invariant both engines share (check/outputInvariant.ts), on the output as written: every name read is still defined
      // (lib.x is checked above: every function _cffi_function names is declared)
      const invariant = problems.length ? [] : lostNames(parser, p.mod.text, r.text, p.mod.tree);
      for (const prob of [...problems.map((q) => ({ at: toOriginalOffset(r.draftEdits, q.offset), reason: q.reason })), ...invariant.map((q) => ({ at: toOriginalOffset(r.edits, q.offset), reason: q.reason }))]) {
        const node = p.mod.root.descendantForIndex(Math.min(prob.at, Math.max(p.mod.text.length - 1, 0))) ?? p.mod.root;
        causes.push({ mod: p.mod, node, reason: prob.reason });
      }
      rendered.set(p.mod.file, r.text);
      renderEdits.set(p.mod.file, r.edits);
      stats.modules++;
      for (const k of Object.keys(p.converted) as (keyof ModulePlan['converted'])[]) stats[k] += p.converted[k];
    }
    // names one module reads from another that the conversion removed there (an alias, a dropped import),
    if (!causes.length && rendered.size) {
      const texts = modules.map((m) => ({ name: m.name, pkg: m.pkg, input: m.text, output: rendered.get(m.file) ?? m.text }));
      // and every lib.x on a converted library, reached from any module by any name (an alias of the module too), is declared
      for (const prob of [...lostExports(parser, texts), ...undeclaredLibraryUses(parser, texts)]) {
        const m = modules.find((x) => x.name === prob.module)!;
        const edits = renderEdits.get(m.file);
        const at = edits ? toOriginalOffset(edits, prob.offset) : prob.offset;
        causes.push({ mod: m, node: m.root.descendantForIndex(Math.min(at, Math.max(m.text.length - 1, 0))) ?? m.root, reason: prob.reason });
      }
    }
  }
  if (causes.length) {
    // shrink: the binding stays whole ctypes; one TODO per cause at its statement
    return {
      converted: false,
      notes,
      stats: { functions: 0, callbacks: 0, cells: 0, buffers: 0, casts: 0, modules: 0 },
      files: modules.map((m) => {
        const mine = causes.filter((c) => c.mod === m);
        const { text, left } = mine.length ? withTodos(parser, m, mine) : { text: m.text, left: [] };
        return { file: m.file, original: m.text, converted: text, left };
      }),
    };
  }
  return {
    converted: true,
    notes,
    stats,
    files: modules.map((m) => ({ file: m.file, original: m.text, converted: rendered.get(m.file) ?? m.text, left: [] })),
  };
}

/** Converts the files and folders given (the CLI's `convert PATH...` with more than one file or a folder). */
export async function convertPaths(paths: readonly string[], read?: (f: string) => string, lookup?: PrototypeLookup): Promise<ProjectResult> {
  const g = await loadGrammars();
  const modules = loadModules(g.pythonParser, pythonFiles(paths), read);
  try {
    return convertModules(g.pythonParser, modules, lookup);
  } finally {
    for (const m of modules) m.tree.delete();
  }
}
