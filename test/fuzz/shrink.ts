/**
 * Shrinking a silent change: delta debugging (ddmin, hierarchical) over the statements of every module, then
 * over the elements of argument lists, lists and tuples. A candidate is kept while it still shows the same
 * class of silent change (the signature without the case it was found in) and the original still runs
 * under CPython. A removed statement becomes `pass`, so every candidate stays syntactically valid.
 *
 * Two runs of the oracle are not enough for a candidate: one that compares garbage (a qsort_r comparator
 * shrunk to `pass` returns None, whatever is in a register) can print the same twice by chance. So a
 * candidate that looks interesting is judged again (the silent change must reproduce) and its original run
 * more times under CPython's ctypes, all printing the same (`reproductions`, `oracleRuns`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Node } from 'web-tree-sitter';
import { loadGrammars } from '../../server/src/parser/languages';
import { CPYTHON, judge, pool, run, type Outcome } from './harness';

type Files = Record<string, string>;
interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
}

export interface Shrunk {
  readonly files: Files;
  readonly outcome: Outcome;
  readonly tests: number;
}

const KEEP = new Set(['getattr', 'CFUNCTYPE', 'POINTER', 'argtypes', 'restype', 'errcheck', 'in_dll', 'from_buffer', 'from_buffer_copy', 'from_address', 'cast', 'byref', 'pointer', 'addressof', 'sizeof', 'memmove', 'memset', 'string_at', 'wstring_at', 'create_string_buffer', 'create_unicode_buffer', 'ffi', 'class', 'Structure', 'Union', 'value', 'contents', 'raw', 'print', 'for', 'in', 'def', 'return', 'None', 'self', 'ArgumentError', 'except', 'try', 'get_errno', 'set_errno', 'string', 'new', 'dlopen', 'CDLL', 'LoadLibrary']);

/** A failing source line with names abstracted: `FN = getattr(libc, "…")` and `self.g = getattr(self.libm, "…")` are one class. */
export function lineShape(line: string): string {
  let t = line.replace(/\b(ctypes|ct)\./g, "").replace(/\b[A-Za-z_]\w*\b/g, (w) => (KEEP.has(w) ? w : 'x')).replace(/\bx(\.x)+\b/g, 'x').replace(/\bself\.x\b/g, 'x');
  for (let i = 0; i < 3; i++) t = t.replace(/\((?:x|N|"…"|, |\.\.\.|\s)+\)/g, '(…)').replace(/\[(?:x|N|"…"|, |\(…\)|\s)+\]/g, '[…]').replace(/\((?:x|N|"…"|\(…\)|\[…\]|, |\s)+\)/g, '(…)');
  return t;
}

/** The class of a silent change: its kind, exception and failing-line shape, not where in the program it showed. */
export const classKey = (signature: string): string =>
  signature.replace(/ \[in [^\]]*\]$/, '').replace(/ at `([^`]*)`$/, (_, l: string) => ` at \`${lineShape(l)}\``);

const STATEMENT_PARENTS = new Set(['module', 'block']);

function statements(root: Node): Node[] {
  const out: Node[] = [];
  const walk = (n: Node) => {
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (STATEMENT_PARENTS.has(n.type) && c.type !== 'comment') out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}

function elementSpans(file: string, root: Node, text: string): Span[][] {
  const groups: Span[][] = [];
  const walk = (n: Node) => {
    if ((n.type === 'argument_list' || n.type === 'list' || n.type === 'tuple') && n.namedChildren.length > 1) {
      const kids = n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      // removing element k: cut from its start to the next element's start (or from the previous end)
      groups.push(
        kids.map((k, i) => (i + 1 < kids.length ? { file, start: k.startIndex, end: kids[i + 1]!.startIndex, replacement: '' } : { file, start: kids[i - 1]!.endIndex, end: k.endIndex, replacement: '' })),
      );
    }
    for (const c of n.namedChildren) if (c) walk(c);
  };
  walk(root);
  void text;
  return groups;
}

/** Applies non-overlapping spans (an inner span inside an applied outer one is dropped). */
function apply(files: Files, spans: readonly Span[]): Files {
  const out: Files = { ...files };
  const byFile = new Map<string, Span[]>();
  for (const s of spans) byFile.set(s.file, [...(byFile.get(s.file) ?? []), s]);
  for (const [file, ss] of byFile) {
    const sorted = [...ss].sort((a, b) => a.start - b.start || b.end - a.end);
    const kept: Span[] = [];
    for (const s of sorted) if (!kept.length || s.start >= kept[kept.length - 1]!.end) kept.push(s);
    let text = files[file]!;
    for (const s of kept.reverse()) text = text.slice(0, s.start) + s.replacement + text.slice(s.end);
    out[file] = text;
  }
  return out;
}

/** Removes `pass` lines that are not alone in their block, and runs of blank lines. */
function tidy(files: Files): Files {
  const out: Files = {};
  for (const [f, text] of Object.entries(files)) {
    const lines = text.split('\n');
    const keep = lines.filter((l, i) => {
      if (l.trim() !== 'pass') return true;
      const ind = l.length - l.trimStart().length;
      const prev = lines.slice(0, i).reverse().find((x) => x.trim());
      const next = lines.slice(i + 1).find((x) => x.trim());
      const sibling = (x: string | undefined) => x !== undefined && x.length - x.trimStart().length === ind && x.trim() !== 'pass';
      const opensBlock = prev !== undefined && prev.trimEnd().endsWith(':') && prev.length - prev.trimStart().length < ind;
      return !(sibling(next) || (!opensBlock && sibling(prev)) || ind === 0);
    });
    out[f] = keep.join('\n').replace(/\n{3,}/g, '\n\n');
  }
  return out;
}

/** The pipeline a candidate is judged by; tests replace it. */
export interface ShrinkOracle {
  /** One pass: the original twice under CPython's ctypes, the conversion, both interpreters (harness.ts). */
  judge(files: Files, dir: string): Promise<Outcome>;
  /** The original's output once more under CPython's ctypes; undefined when it fails. */
  original(files: Files, dir: string): Promise<string | undefined>;
}

export const HARNESS_ORACLE: ShrinkOracle = {
  judge: (files, dir) => judge({ files }, dir),
  original: async (files, dir) => {
    const orig = path.join(dir, 'orig');
    fs.rmSync(orig, { recursive: true, force: true });
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(orig, rel)), { recursive: true });
      fs.writeFileSync(path.join(orig, rel), text);
    }
    const r = await run(CPYTHON, ['main.py'], orig);
    return r.code === 0 ? r.stdout : undefined;
  },
};

export interface ShrinkOptions {
  readonly jobs?: number;
  /** Most candidates to test. */
  readonly budget?: number;
  /** The whole interestingness test, replacing the oracle and its repetitions (synthetic tests). */
  readonly test?: (files: Files) => Promise<Outcome | undefined>;
  readonly oracle?: ShrinkOracle;
  /** How many judgements in a row must show the silent change of the same class (default 2). */
  readonly reproductions?: number;
  /** How many runs of the original under CPython's ctypes must print the same, those of the judgements included (default 5). */
  readonly oracleRuns?: number;
}

/** A candidate the first judgement found interesting, judged again and its original run again: is it still? */
async function reproduces(files: Files, first: Outcome, key: string, oracle: ShrinkOracle, dir: () => string, reproductions: number, oracleRuns: number): Promise<boolean> {
  for (let i = 1; i < reproductions; i++) {
    const o = await oracle.judge(files, dir());
    if (o.kind !== 'silent' || classKey(o.signature!) !== key || o.expected !== first.expected) return false;
  }
  for (let i = 2 * reproductions; i < oracleRuns; i++) {
    if ((await oracle.original(files, dir())) !== first.expected) return false;
  }
  return true;
}

export async function shrinkProgram(start: Files, signature: string, opts: ShrinkOptions = {}): Promise<Shrunk> {
  const jobs = opts.jobs ?? Math.max(1, os.cpus().length);
  const budget = opts.budget ?? 400;
  const g = await loadGrammars();
  const key = classKey(signature);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pypy-bindings-shrink-'));
  let tests = 0;
  let slot = 0;
  let best: Files = start;
  let bestOutcome: Outcome | undefined;
  const oracle = opts.oracle ?? HARNESS_ORACLE;
  const dir = () => path.join(scratch, `t${slot++ % 64}`);
  const interesting = async (files: Files): Promise<Outcome | undefined> => {
    tests++;
    if (opts.test) return opts.test(files);
    const o = await oracle.judge(files, dir());
    if (o.kind !== 'silent' || classKey(o.signature!) !== key) return undefined;
    // only candidates that look interesting pay for the repetitions (most are rejected by the first judgement)
    return (await reproduces(files, o, key, oracle, dir, opts.reproductions ?? 2, opts.oracleRuns ?? 5)) ? o : undefined;
  };
  /** ddmin over units: tries removing chunks, halving the chunk size; `make` builds spans from units. */
  const ddmin = async <U>(units: U[], make: (removed: readonly U[]) => Files | undefined): Promise<boolean> => {
    let live = [...units];
    let progress = false;
    let n = Math.max(1, Math.floor(live.length / 2));
    while (live.length && tests < budget) {
      const chunks: U[][] = [];
      for (let i = 0; i < live.length; i += n) chunks.push(live.slice(i, i + n));
      const results = await pool(chunks, jobs, async (chunk) => {
        const kept = new Set(live.filter((u) => !chunk.includes(u)));
        const cand = make(units.filter((u) => !kept.has(u)));
        if (!cand) return undefined;
        const o = await interesting(cand);
        return o ? { chunk, cand, o } : undefined;
      });
      const hit = results.find((x) => x);
      if (hit) {
        const removed = new Set(hit.chunk);
        live = live.filter((u) => !removed.has(u));
        best = hit.cand;
        bestOutcome = hit.o;
        progress = true;
        n = Math.max(1, Math.min(n, Math.floor(live.length / 2)));
        continue;
      }
      if (n === 1) break;
      n = Math.max(1, Math.floor(n / 2));
    }
    return progress;
  };

  bestOutcome = await interesting(best);
  if (!bestOutcome) {
    fs.rmSync(scratch, { recursive: true, force: true });
    throw new Error(`seed program is not a silent change of class "${key}" that reproduces (judged again, its original run again) any more`);
  }
  for (let round = 0; round < 6 && tests < budget; round++) {
    const base = best;
    const units: Span[] = [];
    for (const [file, text] of Object.entries(base)) {
      const tree = g.pythonParser.parse(text);
      if (!tree) continue;
      for (const s of statements(tree.rootNode)) if (s.text.trim() !== 'pass') units.push({ file, start: s.startIndex, end: s.endIndex, replacement: 'pass' });
      tree.delete();
    }
    // outermost first: a big statement removed early saves testing its insides
    units.sort((a, b) => b.end - b.start - (a.end - a.start));
    let progress = await ddmin(units, (removed) => apply(base, removed));
    const t = tidy(best);
    if (JSON.stringify(t) !== JSON.stringify(best)) {
      const o = await interesting(t);
      if (o) {
        best = t;
        bestOutcome = o;
      }
    }
    const base2 = best;
    for (const [file, text] of Object.entries(base2)) {
      const tree = g.pythonParser.parse(text);
      if (!tree) continue;
      const groups = elementSpans(file, tree.rootNode, text);
      tree.delete();
      // one group at a time from the end, so earlier spans stay valid
      for (const grp of groups.reverse()) {
        if (tests >= budget) break;
        const before = best;
        const ok = await ddmin(grp, (removed) => (removed.length >= grp.length ? undefined : apply(before, removed)));
        progress ||= ok;
        if (ok) break; // positions moved: re-parse in the next round
      }
    }
    if (!progress) break;
  }
  fs.rmSync(scratch, { recursive: true, force: true });
  return { files: best, outcome: bestOutcome!, tests };
}
