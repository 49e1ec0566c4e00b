/**
 * One formatting pass over a conversion, for both engines: the converter's edits are applied, and the
 * lines they touched (with the blank lines around them) are laid out as the project formats —
 * its line length, PEP 8's blank lines, its indentation — then handed back as edits of the original.
 * Lines the converter did not touch are never changed, so the file's own style and warnings stay its own.
 */
import type { Node, Parser, Tree } from 'web-tree-sitter';
import { type FlatTree, fieldId, flatten, typeIds } from '../../parser/flatTree';
import { type TextEdit, applyEdits } from '../edits';
import { type OutLine, TOUCHED, editsFromLines, keptLines } from './lineMap';
import { PEP8_LINE_LENGTH } from './projectStyle';
import { TODO_MARK, todoLines, wrapComment } from './todoComments';
import { wrapCdefLine } from './wrapCdef';
import { wrapRange } from './wrapPython';

export interface FormatStyle {
  /** The project's line length (projectStyle.ts); 79 when unset. */
  maxLineLength?: number;
  /** The original text's flat copy when the caller has one (else it is parsed again, for the indent unit and the quote). */
  original?: FlatTree;
  /** The tree of the converted text (`applyEdits(original, edits)`) when the caller has parsed it; it stays the caller's. */
  convertedTree?: Tree;
  /** That tree's flat copy, when the caller has made it. */
  convertedFlat?: FlatTree;
}

/** The formatted conversion, and whether its text is known to parse (undefined: not known, the caller parses it). */
export interface Formatted {
  edits: TextEdit[];
  parses: boolean | undefined;
}

const DEFS = new Set(['function_definition', 'class_definition', 'decorated_definition']);
const isBlank = (l: string): boolean => /^[ \t]*\r?$/.test(l);
const strip = (l: string): string => l.replace(/\r$/, '');

/** Row lookup for offsets of a text (rows count '\n' as tree-sitter does). */
function rowsOf(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (off) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
}

/** The file's indentation step: the most common step from a block's header line to its body. */
export function indentUnit(t: FlatTree, lines: readonly string[]): string {
  const counts = new Map<string, number>();
  const row = rowsOf(t.text);
  const blocks = typeIds(t.language, 'block');
  const stack: number[] = [0];
  let seen = 0;
  while (stack.length && seen < 200) {
    const n = stack.pop()!;
    const parent = t.parent[n]!;
    if (blocks.has(t.type[n]!) && parent >= 0 && row(t.start[n]!) > row(t.start[parent]!)) {
      const head = /^[ \t]*/.exec(lines[row(t.start[parent]!)] ?? '')![0];
      const body = /^[ \t]*/.exec(lines[row(t.start[n]!)] ?? '')![0];
      if (body.startsWith(head) && body.length > head.length) {
        const step = body.slice(head.length);
        counts.set(step, (counts.get(step) ?? 0) + 1);
        seen++;
      }
    }
    for (const c of t.namedChildren(n)) stack.push(c);
  }
  let best = '    ';
  let n = 0;
  for (const [step, c] of counts) if (c > n || (c === n && step === '    ')) [best, n] = [step, c];
  return best;
}

const SIMPLE_STRING = /^[bBuU]?(["'])[^"'\\\n]*\1$/;

/** Plain one-line string literals (no prefix but b/u, no quotes or backslashes inside), in document order. */
function simpleStrings(t: FlatTree, visit: (n: number) => void): void {
  const strings = typeIds(t.language, 'string');
  for (let i = 0; i < t.count; ) {
    if (strings.has(t.type[i]!)) {
      if (SIMPLE_STRING.test(t.nodeText(i))) visit(i);
      i = t.after[i]!;
    } else i++;
  }
}

/** The file's quote: `'` when most of its plain string literals use it. */
export function quoteOf(t: FlatTree): '"' | "'" {
  let single = 0;
  let double = 0;
  simpleStrings(t, (n) => (t.nodeText(n).replace(/^[bBuU]/, '').startsWith("'") ? single++ : double++));
  return single > double ? "'" : '"';
}

function singleQuoted(text: string, tags: readonly number[], t: FlatTree): string {
  const chars = text.split('');
  const row = rowsOf(text);
  simpleStrings(t, (n) => {
    const s = t.nodeText(n);
    if (tags[row(t.start[n]!)] !== TOUCHED || !s.replace(/^[bBuU]/, '').startsWith('"')) return;
    chars[t.start[n]! + s.indexOf('"')] = "'";
    chars[t.end[n]! - 1] = "'";
  });
  return chars.join('');
}

/** The edits to apply instead of `edits`: the same conversion, formatted. */
export function formatEdits(parser: Parser, original: string, edits: readonly TextEdit[], style: FormatStyle = {}): TextEdit[] {
  return formatConversion(parser, original, edits, style).edits;
}

/** `formatEdits`, saying whether the formatted text is known to parse. */
export function formatConversion(parser: Parser, original: string, edits: readonly TextEdit[], style: FormatStyle = {}): Formatted {
  if (!edits.length) return { edits: [], parses: undefined };
  const converted = applyEdits(original, edits);
  const tags = keptLines(original, edits, converted);
  const tree = style.convertedTree ?? parser.parse(converted);
  const own = (): void => {
    if (tree !== style.convertedTree) tree?.delete();
  };
  // a text that does not parse is not laid out (the converter's checks refuse it anyway)
  if (!tree || tree.rootNode.hasError) {
    own();
    return { edits: [...edits], parses: tree ? false : undefined };
  }
  try {
    let orig = style.original;
    if (!orig) {
      const origTree = parser.parse(original);
      if (origTree) orig = flatten(origTree, original);
      origTree?.delete();
    }
    const unit = orig ? indentUnit(orig, original.split('\n')) : '    ';
    const quote = orig ? quoteOf(orig) : '"';
    const flat = style.convertedFlat && tree === style.convertedTree ? style.convertedFlat : flatten(tree, converted);
    // the same length and the same tree: only quote characters of strings on touched lines change
    const text = quote === "'" ? singleQuoted(converted, tags, flat) : converted;
    const laid = layout(text, tags, flat, tree.rootNode, style.maxLineLength ?? PEP8_LINE_LENGTH, unit);
    return { edits: editsFromLines(original, laid.lines), parses: laid.tokensKept ? true : undefined };
  } finally {
    own();
  }
}

/** The formatted text of a conversion (the project engine renders text, not edits). */
export function formatText(parser: Parser, original: string, edits: readonly TextEdit[], style: FormatStyle = {}): { text: string; edits: TextEdit[]; parses: boolean | undefined } {
  const formatted = formatConversion(parser, original, edits, style);
  return { text: applyEdits(original, formatted.edits), edits: formatted.edits, parses: formatted.parses };
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

function lineInfos(text: string, lines: readonly string[], t: FlatTree): LineInfo[] {
  const infos: LineInfo[] = [];
  let off = 0;
  for (const l of lines) {
    infos.push({ inString: false, cdef: false, start: off });
    off += l.length + 1;
  }
  const row = rowsOf(text);
  const strings = typeIds(t.language, 'string');
  const comments = typeIds(t.language, 'comment');
  const argumentLists = typeIds(t.language, 'argument_list');
  const calls = typeIds(t.language, 'call');
  const functionField = fieldId(t.language, 'function');
  for (let n = 0; n < t.count; ) {
    const type = t.type[n]!;
    if (strings.has(type) && row(t.end[n]!) > row(t.start[n]!)) {
      const first = row(t.start[n]!);
      const last = row(t.end[n]!);
      const args = t.parent[n]!;
      const call = args >= 0 && argumentLists.has(t.type[args]!) ? t.parent[args]! : -1;
      const callee = call >= 0 && calls.has(t.type[call]!) ? t.childByField(call, functionField) : -1;
      const isCdef = callee >= 0 && /(^|\.)cdef$/.test(t.nodeText(callee)) && t.namedChildren(args)[0] === n;
      for (let r = first + 1; r <= last; r++) {
        infos[r]!.inString = true;
        if (isCdef && r < last) infos[r]!.cdef = true;
      }
      n = t.after[n]!;
      continue;
    }
    if (comments.has(type)) {
      const r = row(t.start[n]!);
      const before = text.slice(infos[r]!.start, t.start[n]);
      if (!isBlank(before)) infos[r]!.trailingComment = t.start[n]!;
      n = t.after[n]!;
      continue;
    }
    n++;
  }
  return infos;
}

/** A top-level statement: its kind and rows. */
interface Stmt {
  type: string;
  startRow: number;
  endRow: number;
}

function layout(text: string, tags: readonly number[], t: FlatTree, root: Node, max: number, unit: string): { lines: OutLine[]; tokensKept: boolean } {
  const lines = text.split('\n');
  const infos = lineInfos(text, lines, t);
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
  const row = rowsOf(text);
  const stmts: Stmt[] = t.namedChildren(0).map((c) => ({ type: t.typeName(c), startRow: row(t.start[c]!), endRow: row(t.end[c]!) })).filter((c) => c.type !== 'comment');
  for (let i = 1; i < stmts.length; i++) {
    const a = stmts[i - 1]!;
    const b = stmts[i]!;
    const from = a.endRow;
    const to = b.startRow;
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
    const runs = blankRuns(lines, st.startRow + 1, st.endRow - 1, infos);
    for (const run of runs) {
      if (!changedIn(run.start - 1, run.end + 1)) continue;
      for (let j = run.start + 1; j <= run.end; j++) drop.add(j);
    }
  }
  // No blank lines at the end of the file where the converter worked there (W391).
  const lastStmt = stmts[stmts.length - 1];
  if (lastStmt) {
    let j = lastLine;
    while (j > lastStmt.endRow && isBlank(lines[j]!) && !infos[j]!.inString) j--;
    if (j < lastLine && changedIn(j, lastLine)) for (let k = j + 1; k <= lastLine; k++) drop.add(k);
  }

  // Statements the converter wrote whole (its helpers) take the file's indentation step.
  const reindent = new Set<number>();
  if (unit !== '    ') {
    for (const st of stmts) {
      const rows = [...Array(st.endRow - st.startRow + 1).keys()].map((k) => k + st.startRow);
      if (rows.every((r) => touched(r))) for (const r of rows) if (!infos[r]!.inString) reindent.add(r);
    }
  }

  const out: OutLine[] = [];
  const cx = { text, root, max, unit };
  // Blank lines added or dropped outside strings, touched lines laid out without changing their tokens, no
  // line continuation anywhere: the output parses as the converted text did and need not be parsed again.
  let tokensKept = !/\\\r?\n/.test(text);
  for (let j = 0; j < lines.length; j++) {
    for (let k = extraBefore.get(j) ?? 0; k > 0; k--) out.push({ text: '', tag: TOUCHED });
    if (drop.has(j)) continue;
    const line = lines[j]!;
    if (!touched(j)) {
      out.push({ text: line, tag: tags[j]! });
      continue;
    }
    const own = reindent.has(j) ? line.replace(/^(?: {4})+/, (m) => unit.repeat(m.length / 4)) : line;
    const laid = layoutLine(cx, line, infos[j]!, own);
    if (!sameTokens(line, infos[j]!, laid)) tokensKept = false;
    for (const l of laid) out.push({ text: l, tag: TOUCHED });
  }
  return { lines: out, tokensKept };
}

const isCommentLine = (l: string): boolean => /^[ \t]*#/.test(l);

/**
 * Whether the lines a touched line became have its tokens: unchanged, spaces at its end trimmed, a comment
 * line wrapped, a trailing comment moved above its code, a cdef line without quotes or backslashes wrapped
 * inside its string.
 */
function sameTokens(line: string, info: LineInfo, laid: readonly string[]): boolean {
  if (laid.length === 1 && laid[0] === line) return true;
  if (info.cdef) return !/["'\\]/.test(line) && laid.every((l) => !/["'\\]/.test(l));
  if (info.inString) return false;
  const code = strip(line).trimEnd();
  if (laid.length === 1 && laid[0] === code) return true;
  if (isCommentLine(code)) return laid.every(isCommentLine);
  if (info.trailingComment === undefined) return false;
  const before = code.slice(0, info.trailingComment - info.start).trimEnd();
  return laid.length >= 2 && laid[laid.length - 1] === before && laid.slice(0, -1).every(isCommentLine);
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
