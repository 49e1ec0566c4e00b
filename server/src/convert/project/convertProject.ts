/**
 * Project conversion: the modules of one binding, converted together. Plan (plan.ts) → render
 * (render.ts) → check the output (below); a plan with refusals, or an output that fails the check,
 * shrinks: the binding stays whole ctypes and each cause gets one TODO at its statement.
 */
import type { Node, Parser } from 'web-tree-sitter';
import { CTYPES_EXPORTS } from '../../analysis/ctypesNames';
import { loadGrammars } from '../../parser/languages';
import type { TextEdit } from '../edits';
import { callParts, dotted, indentAt, statementOf, stringLiteral, walk } from '../syntax';
import { type SourceModule, loadModules, pythonFiles } from './modules';
import { type ModulePlan, planProject } from './plan';
import { HELPER_NAMES } from './pythonRuntime';
import { hasWork, renderModule } from './render';
import { formatText } from '../format/formatConversion';
import { lineLengthFor } from '../format/projectStyle';
import { sameReason, todoReasonsAbove, todosIn } from '../format/todoComments';
import { oneTodoPerCause } from '../format/todoText';

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

/** ctypes names a rendered text still uses: local names of its ctypes imports, `ctypes.util`, `*`. */
function ctypesUses(parser: Parser, text: string): { used: Set<string>; leftovers: { offset: number; name: string }[] } {
  const tree = parser.parse(text)!;
  try {
    return ctypesUsesIn([...walk(tree.rootNode)]);
  } finally {
    tree.delete();
  }
}

function ctypesUsesIn(all: readonly Node[]): { used: Set<string>; leftovers: { offset: number; name: string }[] } {
  {
    const locals = new Map<string, string>();
    let star = false;
    const assigned = new Set<string>();
    for (const n of all) {
      if (n.type === 'import_statement') {
        for (const c of n.namedChildren) {
          const name = c.type === 'aliased_import' ? c.childForFieldName('name')!.text : c.text;
          if (name !== 'ctypes' && !name.startsWith('ctypes.')) continue;
          locals.set(c.type === 'aliased_import' ? c.childForFieldName('alias')!.text : 'ctypes', c.type === 'aliased_import' ? name : 'ctypes');
        }
      } else if (n.type === 'import_from_statement') {
        const mod = n.childForFieldName('module_name')?.text ?? '';
        if (mod !== 'ctypes' && !mod.startsWith('ctypes.')) continue;
        if (n.namedChildren.some((c) => c.type === 'wildcard_import')) star = true;
        for (const c of n.namedChildren.slice(1)) {
          const name = c.type === 'aliased_import' ? c.childForFieldName('name')!.text : c.text;
          locals.set(c.type === 'aliased_import' ? c.childForFieldName('alias')!.text : name, `${mod}.${name}`);
        }
      } else if (n.type === 'assignment' && n.childForFieldName('left')?.type === 'identifier') assigned.add(n.childForFieldName('left')!.text);
      else if ((n.type === 'function_definition' || n.type === 'class_definition') && n.childForFieldName('name')) assigned.add(n.childForFieldName('name')!.text);
    }
    const used = new Set<string>();
    const leftovers: { offset: number; name: string }[] = [];
    for (const n of all) {
      if (n.type !== 'identifier') continue;
      const p = n.parent;
      if (!p || p.type === 'dotted_name' || p.type === 'aliased_import' || p.type === 'import_statement' || p.type === 'import_from_statement') continue;
      if (p.type === 'attribute' && p.childForFieldName('attribute')?.startIndex === n.startIndex) continue;
      if (p.type === 'keyword_argument' && p.childForFieldName('name')?.startIndex === n.startIndex) continue;
      let q = locals.get(n.text);
      if (!q && star && CTYPES_EXPORTS.has(n.text) && !assigned.has(n.text)) {
        q = `ctypes.${n.text}`;
        used.add('*');
      }
      if (!q) continue;
      used.add(n.text);
      let top: Node = n;
      while (top.parent?.type === 'attribute' && top.parent.childForFieldName('object')?.startIndex === top.startIndex) top = top.parent;
      const full = q === 'ctypes' ? `ctypes.${(dotted(top) ?? '').split('.').slice(1).join('.')}` : q;
      if (full.startsWith('ctypes.util')) {
        used.add('ctypes.util');
        continue;
      }
      leftovers.push({ offset: n.startIndex, name: full });
    }
    return { used, leftovers };
  }
}

/** Stage 3: the invariant on the output. Problems are sentences with the offset in the output. */
function checkOutput(parser: Parser, p: ModulePlan, text: string): { offset: number; reason: string }[] {
  const problems: { offset: number; reason: string }[] = [];
  const t = parser.parse(text)!;
  try {
    const all = [...walk(t.rootNode)];
    if (t.rootNode.hasError) problems.push({ offset: 0, reason: 'the converted text does not parse' });
    for (const l of ctypesUsesIn(all).leftovers) problems.push({ offset: l.offset, reason: `${l.name} is still used after conversion: a ctypes value would meet cffi ones` });
    const defined = new Set<string>();
    const usedNames: { name: string; offset: number }[] = [];
    for (const n of all) {
      if ((n.type === 'function_definition' || n.type === 'class_definition') && n.childForFieldName('name')) defined.add(n.childForFieldName('name')!.text);
      if (n.type === 'assignment' && n.childForFieldName('left')?.type === 'identifier') defined.add(n.childForFieldName('left')!.text);
      if (n.type === 'identifier' && (HELPER_NAMES.includes(n.text) || n.text === p.ffi) && n.parent?.type !== 'attribute') usedNames.push({ name: n.text, offset: n.startIndex });
      if (n.type === 'attribute' && n.childForFieldName('object')?.text === p.ffi) usedNames.push({ name: p.ffi, offset: n.startIndex });
      const c = n.type === 'call' ? callParts(n) : undefined;
      if (c?.callee.text === '_cffi_function' && c.args[1]) {
        const lit = stringLiteral(c.args[1]);
        if (lit && !p.functions.has(lit.value)) problems.push({ offset: n.startIndex, reason: `${lit.value} is not declared in the cdef` });
      }
    }
    for (const u of usedNames) if (!defined.has(u.name)) problems.push({ offset: u.offset, reason: `${u.name} is used but not defined` });
    // a ctypes name the input imported and the output still reads must still be imported
    const before = ctypesUsesIn([...walk(p.mod.root)]).used;
    const after = ctypesUsesIn(all).used;
    for (const n of all) {
      if (n.type !== 'identifier' || !before.has(n.text) || after.has(n.text) || defined.has(n.text)) continue;
      const par = n.parent;
      if (par?.type === 'attribute' && par.childForFieldName('attribute')?.startIndex === n.startIndex) continue;
      if (par?.type === 'keyword_argument' && par.childForFieldName('name')?.startIndex === n.startIndex) continue;
      if (par?.type === 'dotted_name' || par?.type === 'aliased_import') continue;
      problems.push({ offset: n.startIndex, reason: `${n.text} (from ctypes) is still used after conversion` });
    }
  } finally {
    t.delete();
  }
  return problems;
}

/** Where an offset of the rendered text came from in the original. */
function toOriginal(edits: readonly TextEdit[], off: number): number {
  let delta = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    const ns = e.start + delta;
    if (off < ns) break;
    if (off < ns + e.newText.length) return e.start;
    delta += e.newText.length - (e.end - e.start);
  }
  return off - delta;
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
  const { text } = formatText(parser, mod.text, edits, { maxLineLength: lineLengthFor(mod.file).max });
  return { text, left: todosIn(text).map((t) => ({ line: t.line + 1, reason: t.reason })) };
}

export function convertModules(parser: Parser, modules: readonly SourceModule[]): ProjectResult {
  const plan = planProject(modules);
  const stats = { functions: 0, callbacks: 0, cells: 0, buffers: 0, casts: 0, modules: 0 };
  const notes = [...new Set(plan.modules.flatMap((m) => m.notes))];
  const causes = [...plan.refusals.map((r) => ({ mod: r.module, node: r.node, reason: r.reason }))];
  const rendered = new Map<string, string>();
  if (!causes.length) {
    for (const p of plan.modules) {
      if (!hasWork(p)) continue;
      const r = renderModule(p, parser, (draft) => ctypesUses(parser, draft).used);
      for (const prob of checkOutput(parser, p, r.text)) {
        const node = p.mod.root.descendantForIndex(Math.min(toOriginal(r.edits, prob.offset), Math.max(p.mod.text.length - 1, 0))) ?? p.mod.root;
        causes.push({ mod: p.mod, node, reason: prob.reason });
      }
      rendered.set(p.mod.file, r.text);
      stats.modules++;
      for (const k of Object.keys(p.converted) as (keyof ModulePlan['converted'])[]) stats[k] += p.converted[k];
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
export async function convertPaths(paths: readonly string[], read?: (f: string) => string): Promise<ProjectResult> {
  const g = await loadGrammars();
  const modules = loadModules(g.pythonParser, pythonFiles(paths), read);
  try {
    return convertModules(g.pythonParser, modules);
  } finally {
    for (const m of modules) m.tree.delete();
  }
}
