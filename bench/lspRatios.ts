/**
 * Editor latency over LSP (the real bundled server on stdio, pull diagnostics as VS Code asks for them),
 * each figure divided by plain tree-sitter on the same text in the same run, the two interleaved edit by
 * edit so the machine's load hits both alike:
 * - edit→diagnostics: didChange (one character inside an identifier) then textDocument/diagnostic with the
 *   previous resultId, until the answer arrives; against a whole-document incremental reparse of the same
 *   edit (tree.edit + parse with the old tree) in this process;
 * - hover: textDocument/hover at identifiers across the file, against a full parse;
 * - first diagnostics: didOpen then textDocument/diagnostic, measured two ways so that like is divided by like:
 *   *cold*, the first open of a fresh server (its code and the wasm not yet compiled or tiered up) against
 *   the first parse of a fresh process that loaded the grammars (`parseOnce.ts`), wall and CPU (the server's
 *   from /proc, Linux only), three fresh pairs interleaved; *warm*, later opens of the same text as new
 *   documents on one server against a full parse in this (warm) process. Until 2026-12-01 the bench divided
 *   the median of a fresh server's three opens (one cold) by a warm parse, which mixed the two.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Edit, type Parser, type Tree } from 'web-tree-sitter';
import { loadGrammars } from '../server/src/parser/languages';
import { LspClient } from '../test/protocol/lspClient';

export interface RatioInput {
  name: string;
  text: string;
  /** Identifiers to edit and hover on (the edit goes two characters into a match). */
  sites: RegExp;
}

export interface RatioRow {
  name: string;
  lines: number;
  diagnostics: number;
  fullParse: number;
  reparseP95: number;
  editP95: number;
  hoverP95: number;
  /** Warm: an open on a server that already analysed the text, ÷ `fullParse`. */
  firstDiagnostics: number;
  /** Cold: a fresh server's first open, wall and CPU ms; a fresh process's first parse, wall and CPU ms (medians of three). */
  coldFirst: number;
  coldFirstCpu: number;
  coldParse: number;
  coldParseCpu: number;
  unchangedAnswers: number;
}

/** CPU ms (user + system, every thread) a process has used, from /proc (Linux); NaN elsewhere. */
function processCpu(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime and stime, fields 14 and 15 of proc(5), in USER_HZ ticks
  } catch {
    return NaN;
  }
}

/** One fresh server's first didOpen → diagnostics: wall and server CPU ms. */
async function coldOpen(text: string, name: string): Promise<{ wall: number; cpu: number }> {
  const client = new LspClient();
  await client.initialize({ pull: true });
  const uri = `file:///bench/${name}-cold.py`;
  const c0 = processCpu(client.pid);
  const t0 = performance.now();
  client.open(uri, text, 1);
  await client.request('textDocument/diagnostic', { textDocument: { uri } });
  const wall = performance.now() - t0;
  const cpu = processCpu(client.pid) - c0;
  await client.shutdown();
  return { wall, cpu };
}

/** A fresh process's first parse of the text (`parseOnce.ts`): wall and CPU ms. */
function coldParseOf(file: string): { wall: number; cpu: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'parseOnce.ts'), file], { encoding: 'utf8', cwd: path.resolve(__dirname, '..') });
  return JSON.parse(r.stdout) as { wall: number; cpu: number };
}

const median = (xs: number[]) => pct(xs, 50);
export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, character: offset - start };
}

function fullParse(parser: Parser, text: string): number {
  const t0 = performance.now();
  parser.parse(text)?.delete();
  return performance.now() - t0;
}

/** One incremental reparse of the whole document for the edit `text[at, at+removed) → inserted`. */
function reparse(parser: Parser, tree: Tree, text: string, at: number, removed: number, inserted: string): { ms: number; tree: Tree; text: string } {
  const t0 = performance.now();
  const next = text.slice(0, at) + inserted + text.slice(at + removed);
  const p = positionAt(text, at);
  const row = p.line;
  const column = p.character;
  tree.edit(new Edit({
    startIndex: at, oldEndIndex: at + removed, newEndIndex: at + inserted.length,
    startPosition: { row, column }, oldEndPosition: { row, column: column + removed }, newEndPosition: { row, column: column + inserted.length },
  }));
  const t = parser.parse(next, tree)!;
  const ms = performance.now() - t0;
  tree.delete();
  return { ms, tree: t, text: next };
}

export async function lspRatios(input: RatioInput, edits = 60, hovers = 100): Promise<RatioRow> {
  const { pythonParser: parser } = await loadGrammars();
  const text = input.text;
  // cold: three fresh servers' first opens, each beside a fresh process's first parse
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pypy-bindings-first-'));
  const file = path.join(tmp, 'input.py');
  fs.writeFileSync(file, text);
  const cold: { wall: number; cpu: number }[] = [];
  const coldParses: { wall: number; cpu: number }[] = [];
  for (let r = 0; r < 3; r++) {
    coldParses.push(coldParseOf(file));
    cold.push(await coldOpen(text, input.name.replace(/\W+/g, '_')));
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const sites = [...text.matchAll(input.sites)].map((m) => m.index! + 2);
  const client = new LspClient();
  await client.initialize({ pull: true });
  const parses: number[] = [];
  const diagnose = (uri: string, previousResultId?: string) =>
    client.request<{ kind: string; items?: unknown[]; resultId?: string }>('textDocument/diagnostic', { textDocument: { uri }, ...(previousResultId ? { previousResultId } : {}) });

  // warm: four opens of the file (a new document each time), each beside a full parse; the first (cold) is not counted
  const firsts: number[] = [];
  let diagnostics = 0;
  for (let r = 0; r < 4; r++) {
    parses.push(fullParse(parser, text));
    const uri = `file:///bench/${input.name}-${r}.py`;
    const t0 = performance.now();
    client.open(uri, text, 1);
    const d = await diagnose(uri);
    if (r > 0) firsts.push(performance.now() - t0);
    diagnostics = d.items?.length ?? 0;
    if (r < 3) client.notify('textDocument/didClose', { textDocument: { uri } });
  }
  const uri = `file:///bench/${input.name}-3.py`;

  // edits: insert a character inside an identifier, then remove it again, at sites spread over the file
  let tree = parser.parse(text)!;
  let cur = text;
  let version = 1;
  let resultId: string | undefined;
  let unchanged = 0;
  const base: number[] = [];
  const lsp: number[] = [];
  for (let k = 0; k < edits; k++) {
    const at = sites[Math.floor(k / 2) * 7919 % sites.length]!;
    const insert = k % 2 === 0;
    const r = reparse(parser, tree, cur, at, insert ? 0 : 1, insert ? '9' : '');
    base.push(r.ms);
    const pos = positionAt(cur, at);
    tree = r.tree;
    cur = r.text;
    const range = { start: pos, end: insert ? pos : { line: pos.line, character: pos.character + 1 } };
    const t0 = performance.now();
    client.change(uri, ++version, [{ range, text: insert ? '9' : '' }]);
    const d = await diagnose(uri, resultId);
    lsp.push(performance.now() - t0);
    if (d.kind === 'unchanged') unchanged++;
    resultId = d.resultId;
    if (k % 10 === 9) parses.push(fullParse(parser, text));
  }
  tree.delete();

  // hovers at identifiers across the file (the text is back to the original after an even number of edits)
  const hov: number[] = [];
  for (let k = 0; k < hovers; k++) {
    const at = sites[(k * 104729) % sites.length]!;
    const t0 = performance.now();
    await client.request('textDocument/hover', { textDocument: { uri }, position: positionAt(cur, at) });
    hov.push(performance.now() - t0);
    if (k % 20 === 19) parses.push(fullParse(parser, text));
  }
  await client.shutdown();
  return {
    name: input.name, lines: text.split('\n').length, diagnostics,
    fullParse: median(parses), reparseP95: pct(base, 95), editP95: pct(lsp, 95), hoverP95: pct(hov, 95), firstDiagnostics: median(firsts),
    coldFirst: median(cold.map((c) => c.wall)), coldFirstCpu: median(cold.map((c) => c.cpu)), coldParse: median(coldParses.map((c) => c.wall)), coldParseCpu: median(coldParses.map((c) => c.cpu)),
    unchangedAnswers: unchanged,
  };
}

export function ratioTable(rows: RatioRow[]): string[] {
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const f = (n: number) => n.toFixed(1);
  const out = [
    '| file | lines | diags | full parse ms | reparse p95 ms | edit→diags p95 ms | **÷ reparse** (goal ≤0.5×) | hover p95 ms | **÷ parse** (≤0.05×) | first diags warm ms | **÷ parse** (≤2×) | cold: first diags / fresh parse ms | **wall ÷** (≤2×) | CPU ms | **CPU ÷** | unchanged |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    out.push(`| ${r.name} | ${r.lines} | ${r.diagnostics} | ${f(r.fullParse)} | ${f(r.reparseP95)} | ${f(r.editP95)} | ${x(r.editP95, r.reparseP95)} | ${r.hoverP95.toFixed(2)} | ${x(r.hoverP95, r.fullParse)} | ${f(r.firstDiagnostics)} | ${x(r.firstDiagnostics, r.fullParse)} | ${f(r.coldFirst)} / ${f(r.coldParse)} | ${x(r.coldFirst, r.coldParse)} | ${f(r.coldFirstCpu)} / ${f(r.coldParseCpu)} | ${x(r.coldFirstCpu, r.coldParseCpu)} | ${r.unchangedAnswers} |`);
  }
  return out;
}
