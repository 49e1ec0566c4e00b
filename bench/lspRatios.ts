/**
 * Editor latency over LSP (the real bundled server on stdio, pull diagnostics as VS Code asks for them),
 * each figure divided by plain tree-sitter on the same text in the same run, the two interleaved edit by
 * edit so the machine's load hits both alike:
 * - edit→diagnostics: didChange (one character inside an identifier) then textDocument/diagnostic with the
 *   previous resultId, until the answer arrives; against a whole-document incremental reparse of the same
 *   edit (tree.edit + parse with the old tree) in this process;
 * - hover: textDocument/hover at identifiers across the file, against a full parse;
 * - first diagnostics: didOpen then textDocument/diagnostic, against a full parse.
 */
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
  firstDiagnostics: number;
  unchangedAnswers: number;
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
  const sites = [...text.matchAll(input.sites)].map((m) => m.index! + 2);
  const client = new LspClient();
  await client.initialize({ pull: true });
  const parses: number[] = [];
  const diagnose = (uri: string, previousResultId?: string) =>
    client.request<{ kind: string; items?: unknown[]; resultId?: string }>('textDocument/diagnostic', { textDocument: { uri }, ...(previousResultId ? { previousResultId } : {}) });

  // first diagnostics: three opens of the file (a new document each time), each beside a full parse
  const firsts: number[] = [];
  let diagnostics = 0;
  for (let r = 0; r < 3; r++) {
    parses.push(fullParse(parser, text));
    const uri = `file:///bench/${input.name}-${r}.py`;
    const t0 = performance.now();
    client.open(uri, text, 1);
    const d = await diagnose(uri);
    firsts.push(performance.now() - t0);
    diagnostics = d.items?.length ?? 0;
    if (r < 2) client.notify('textDocument/didClose', { textDocument: { uri } });
  }
  const uri = `file:///bench/${input.name}-2.py`;

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
    fullParse: median(parses), reparseP95: pct(base, 95), editP95: pct(lsp, 95), hoverP95: pct(hov, 95), firstDiagnostics: median(firsts), unchangedAnswers: unchanged,
  };
}

export function ratioTable(rows: RatioRow[]): string[] {
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const f = (n: number) => n.toFixed(1);
  const out = [
    '| file | lines | diags | full parse ms | reparse p95 ms | edit→diags p95 ms | **÷ reparse** (goal ≤0.5×) | hover p95 ms | **÷ parse** (≤0.05×) | first diags ms | **÷ parse** (≤2×) | unchanged |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    out.push(`| ${r.name} | ${r.lines} | ${r.diagnostics} | ${f(r.fullParse)} | ${f(r.reparseP95)} | ${f(r.editP95)} | ${x(r.editP95, r.reparseP95)} | ${r.hoverP95.toFixed(2)} | ${x(r.hoverP95, r.fullParse)} | ${f(r.firstDiagnostics)} | ${x(r.firstDiagnostics, r.fullParse)} | ${r.unchangedAnswers} |`);
  }
  return out;
}
