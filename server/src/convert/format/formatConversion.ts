/**
 * One formatting pass over a conversion, for both engines: the converter's edits are applied, and the
 * lines they touched (with the blank lines around them) are laid out as the project formats —
 * its line length, PEP 8's blank lines, its indentation — then handed back as edits of the original.
 * Lines the converter did not touch are never changed, so the file's own style and warnings stay its own.
 */
import type { Node, Parser } from 'web-tree-sitter';
import { type TextEdit, applyEdits } from '../edits';
import { type OutLine, TOUCHED, editsFromLines, keptLines } from './lineMap';
import { PEP8_LINE_LENGTH } from './projectStyle';
import { TODO_MARK, todoLines, wrapComment } from './todoComments';
import { wrapCdefLine } from './wrapCdef';
import { wrapRange } from './wrapPython';

export interface FormatStyle {
  /** The project's line length (projectStyle.ts); 79 when unset. */
  maxLineLength?: number;
  /** The original text's tree when the caller has it (else it is parsed again, for the indent unit). */
  originalRoot?: Node;
}

const DEFS = new Set(['function_definition', 'class_definition', 'decorated_definition']);
const isBlank = (l: string): boolean => /^[ \t]*\r?$/.test(l);
const strip = (l: string): string => l.replace(/\r$/, '');

/** The file's indentation step: the most common step from a block's header line to its body. */
export function indentUnit(root: Node, lines: readonly string[]): string {
  const counts = new Map<string, number>();
  const stack: Node[] = [root];
  let seen = 0;
  while (stack.length && seen < 200) {
    const n = stack.pop()!;
    if (n.type === 'block' && n.parent && n.startPosition.row > n.parent.startPosition.row) {
      const head = /^[ \t]*/.exec(lines[n.parent.startPosition.row] ?? '')![0];
      const body = /^[ \t]*/.exec(lines[n.startPosition.row] ?? '')![0];
      if (body.startsWith(head) && body.length > head.length) {
        const step = body.slice(head.length);
        counts.set(step, (counts.get(step) ?? 0) + 1);
        seen++;
      }
    }
    for (const c of n.namedChildren) stack.push(c);
  }
  let best = '    ';
  let n = 0;
  for (const [step, c] of counts) if (c > n || (c === n && step === '    ')) [best, n] = [step, c];
  return best;
}

/** Plain one-line string literals (no prefix but b/u, no quotes or backslashes inside). */
function simpleStrings(root: Node, visit: (n: Node) => void): void {
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'string') {
      if (n.startPosition.row === n.endPosition.row && /^[bBuU]?(["'])[^"'\\\n]*\1$/.test(n.text)) visit(n);
      continue;
    }
    for (const c of n.children) stack.push(c);
  }
}

/** The file's quote: `'` when most of its plain string literals use it. */
export function quoteOf(root: Node): '"' | "'" {
  let single = 0;
  let double = 0;
  simpleStrings(root, (n) => (n.text.replace(/^[bBuU]/, '').startsWith("'") ? single++ : double++));
  return single > double ? "'" : '"';
}

function singleQuoted(text: string, tags: readonly number[], root: Node): string {
  const chars = text.split('');
  simpleStrings(root, (n) => {
    if (tags[n.startPosition.row] !== TOUCHED || !n.text.replace(/^[bBuU]/, '').startsWith('"')) return;
    chars[n.startIndex + n.text.indexOf('"')] = "'";
    chars[n.endIndex - 1] = "'";
  });
  return chars.join('');
}

/** The edits to apply instead of `edits`: the same conversion, formatted. */
export function formatEdits(parser: Parser, original: string, edits: readonly TextEdit[], style: FormatStyle = {}): TextEdit[] {
  if (!edits.length) return [];
  const converted = applyEdits(original, edits);
  const tags = keptLines(original, edits, converted);
  const tree = parser.parse(converted);
  // a text that does not parse is not laid out (the converter's checks refuse it anyway)
  if (!tree || tree.rootNode.hasError) {
    tree?.delete();
    return [...edits];
  }
  try {
    const origTree = style.originalRoot ? undefined : parser.parse(original);
    const origRoot = style.originalRoot ?? origTree?.rootNode;
    const unit = origRoot ? indentUnit(origRoot, original.split('\n')) : '    ';
    const quote = origRoot ? quoteOf(origRoot) : '"';
    origTree?.delete();
    // the same length and the same tree: only quote characters of strings on touched lines change
    const text = quote === "'" ? singleQuoted(converted, tags, tree.rootNode) : converted;
    return editsFromLines(original, layout(text, tags, tree.rootNode, style.maxLineLength ?? PEP8_LINE_LENGTH, unit));
  } finally {
    tree.delete();
  }
}

/** The formatted text of a conversion (the project engine renders text, not edits). */
export function formatText(parser: Parser, original: string, edits: readonly TextEdit[], style: FormatStyle = {}): { text: string; edits: TextEdit[] } {
  const formatted = formatEdits(parser, original, edits, style);
  return { text: applyEdits(original, formatted), edits: formatted };
}

interface LineInfo {
  /** The line starts inside a string that began on an earlier line (a docstring, a cdef). */
  inString: boolean;
  /** The line is a declaration line of a cdef string. */
  cdef: boolean;
  /** Offset of the line's start in the converted text. */
  start: number;
  /** Offset of a comment that ends the line after code, when there is one. */
  trailingComment?: number;
}

function lineInfos(text: string, lines: readonly string[], root: Node): LineInfo[] {
  const infos: LineInfo[] = [];
  let off = 0;
  for (const l of lines) {
    infos.push({ inString: false, cdef: false, start: off });
    off += l.length + 1;
  }
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'string' && n.endPosition.row > n.startPosition.row) {
      const call = n.parent?.type === 'argument_list' ? n.parent.parent : undefined;
      const isCdef = call?.type === 'call' && /(^|\.)cdef$/.test(call.childForFieldName('function')?.text ?? '') && n.parent!.namedChildren[0]?.startIndex === n.startIndex;
      for (let r = n.startPosition.row + 1; r <= n.endPosition.row; r++) {
        infos[r]!.inString = true;
        if (isCdef && r < n.endPosition.row) infos[r]!.cdef = true;
      }
      continue;
    }
    if (n.type === 'comment') {
      const row = n.startPosition.row;
      const before = text.slice(infos[row]!.start, n.startIndex);
      if (!isBlank(before)) infos[row]!.trailingComment = n.startIndex;
      continue;
    }
    for (const c of n.children) stack.push(c);
  }
  return infos;
}

function layout(text: string, tags: readonly number[], root: Node, max: number, unit: string): OutLine[] {
  const lines = text.split('\n');
  const infos = lineInfos(text, lines, root);
  const touched = (j: number): boolean => tags[j] === TOUCHED;
  // something was removed between lines j-1 and j
  const joined = (j: number): boolean => j > 0 && tags[j]! >= 0 && tags[j - 1]! >= 0 && tags[j] !== tags[j - 1]! + 1;
  const changedIn = (a: number, b: number): boolean => {
    for (let j = Math.max(a, 0); j <= Math.min(b, lines.length - 1); j++) if (touched(j) || joined(j)) return true;
    return false;
  };
  const drop = new Set<number>();
  const extraBefore = new Map<number, number>();
  const lastLine = text.endsWith('\n') ? lines.length - 2 : lines.length - 1; // the final '' is the end, not a line

  // Blank lines between top-level statements (PEP 8: two around defs and classes, never more than two).
  const stmts = root.namedChildren.filter((c) => c.type !== 'comment');
  for (let i = 1; i < stmts.length; i++) {
    const a = stmts[i - 1]!;
    const b = stmts[i]!;
    const from = a.endPosition.row;
    const to = b.startPosition.row;
    if (!changedIn(from, to)) continue;
    const runs = blankRuns(lines, from + 1, to - 1, infos);
    const needTwo = DEFS.has(a.type) || DEFS.has(b.type);
    for (const run of runs) {
      const cap = needTwo ? 2 : Math.min(2, pileLimit(run, tags));
      for (let j = run.start + cap; j <= run.end; j++) drop.add(j);
    }
    if (needTwo) {
      const longest = Math.max(0, ...runs.map((r) => Math.min(2, r.end - r.start + 1)));
      if (longest < 2) {
        const last = runs[runs.length - 1];
        if (last) extraBefore.set(last.start, 2 - (last.end - last.start + 1));
        else extraBefore.set(from + 1, 2);
      }
    }
  }
  // Nested blank lines: at most one in a row where the converter worked (E303 inside a block).
  for (const st of stmts) {
    const runs = blankRuns(lines, st.startPosition.row + 1, st.endPosition.row - 1, infos);
    for (const run of runs) {
      if (!changedIn(run.start - 1, run.end + 1)) continue;
      for (let j = run.start + 1; j <= run.end; j++) drop.add(j);
    }
  }
  // No blank lines at the end of the file where the converter worked there (W391).
  const lastStmt = stmts[stmts.length - 1];
  if (lastStmt) {
    let j = lastLine;
    while (j > lastStmt.endPosition.row && isBlank(lines[j]!) && !infos[j]!.inString) j--;
    if (j < lastLine && changedIn(j, lastLine)) for (let k = j + 1; k <= lastLine; k++) drop.add(k);
  }

  // Statements the converter wrote whole (its helpers) take the file's indentation step.
  const reindent = new Set<number>();
  if (unit !== '    ') {
    for (const st of stmts) {
      const rows = [...Array(st.endPosition.row - st.startPosition.row + 1).keys()].map((k) => k + st.startPosition.row);
      if (rows.every((r) => touched(r))) for (const r of rows) if (!infos[r]!.inString) reindent.add(r);
    }
  }

  const out: OutLine[] = [];
  const cx = { text, root, max, unit };
  for (let j = 0; j < lines.length; j++) {
    for (let k = extraBefore.get(j) ?? 0; k > 0; k--) out.push({ text: '', tag: TOUCHED });
    if (drop.has(j)) continue;
    const line = lines[j]!;
    if (!touched(j)) {
      out.push({ text: line, tag: tags[j]! });
      continue;
    }
    const own = reindent.has(j) ? line.replace(/^(?: {4})+/, (m) => unit.repeat(m.length / 4)) : line;
    for (const l of layoutLine(cx, line, infos[j]!, own)) out.push({ text: l, tag: TOUCHED });
  }
  return out;
}

/** Runs of blank lines in rows [from, to] that are code, not string content. */
function blankRuns(lines: readonly string[], from: number, to: number, infos: readonly LineInfo[]): { start: number; end: number }[] {
  const runs: { start: number; end: number }[] = [];
  for (let j = from; j <= to; j++) {
    if (!isBlank(lines[j]!) || infos[j]!.inString) continue;
    const last = runs[runs.length - 1];
    if (last && last.end === j - 1) last.end = j;
    else runs.push({ start: j, end: j });
  }
  return runs;
}

/** Where removed declarations joined blank lines, no more than the longest run of them the file had there. */
function pileLimit(run: { start: number; end: number }, tags: readonly number[]): number {
  let longest = 0;
  let cur = 0;
  for (let j = run.start; j <= run.end; j++) {
    const continues = j > run.start && (tags[j] === TOUCHED ? tags[j - 1] === TOUCHED : tags[j - 1] !== TOUCHED && tags[j] === tags[j - 1]! + 1);
    cur = continues ? cur + 1 : 1;
    longest = Math.max(longest, cur);
  }
  return longest;
}

/** One touched line as the lines it becomes (`own`: the line with the file's indentation step, when it differs). */
function layoutLine(cx: { text: string; root: Node; max: number; unit: string }, raw: string, info: LineInfo, own = raw): string[] {
  const line = strip(own);
  if (info.cdef) return wrapCdefLine(line.trimEnd(), cx.max, cx.unit);
  if (info.inString) return [raw];
  const code = line.trimEnd();
  if (code.length <= cx.max || code.endsWith('\\')) return [code === line ? own : code];
  const indent = /^[ \t]*/.exec(code)![0];
  const source = /^[ \t]*/.exec(raw)![0].length; // where the code starts in the converted text
  const body = code.slice(indent.length);
  if (body.startsWith('#')) {
    const todo = body.indexOf(TODO_MARK);
    if (todo >= 0 && /^#\s*$/.test(body.slice(0, todo))) return todoLines(indent, body.slice(todo + TODO_MARK.length).trim(), cx.max);
    return wrapComment(indent, body.replace(/^#+\s?/, ''), cx.max);
  }
  let end = info.start + strip(raw).trimEnd().length;
  const above: string[] = [];
  if (info.trailingComment !== undefined) {
    // the comment goes on its own line above the code it is about
    above.push(...wrapComment(indent, cx.text.slice(info.trailingComment, end).replace(/^#+\s?/, ''), cx.max));
    end = info.trailingComment;
    while (end > info.start && /[ \t]/.test(cx.text[end - 1]!)) end--;
  }
  return [...above, ...wrapRange(cx, info.start + source, end, indent)];
}
