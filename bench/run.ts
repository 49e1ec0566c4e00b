/**
 * `npm run bench`: prints the figures the issues ask for. Single runs on a shared 2-core machine: read them
 * as orders of magnitude and ratios, not promises. Nothing here asserts a time.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeDocument } from '../server/src/analysis/analyze';
import { ParsedDocument } from '../server/src/documents/parsedDocument';
import { loadGrammars } from '../server/src/parser/languages';
import { lint } from '../server/src/rules/lint';
import { DocumentService } from '../server/src/service/documentService';
import { convertBench } from './convert';
import { bindingFile } from './generate';
import { pythonFiles } from './parseAll';
import { buildSync } from 'esbuild';
import { LspClient } from '../test/protocol/lspClient';
import { classes, fuzz, summaryLine } from '../test/fuzz/fuzz';
import { lspRatios, ratioTable, type RatioRow } from './lspRatios';
import { keystrokeBreakdown } from './keystroke';
import { firstAnalysisBreakdown } from './firstAnalysis';
import { scaleBench } from './scale';
import { glCompatShaped, vlcShaped, xlibShaped } from './shapes';

const root = path.resolve(__dirname, '..');
const ms = (t: number) => `${t.toFixed(1)} ms`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

function section(title: string): void {
  console.log(`\n## ${title}`);
}

async function bundleSizes(): Promise<void> {
  section('bundle sizes');
  for (const f of fs.readdirSync(path.join(root, 'dist')).filter((f) => /\.(js|wasm)$/.test(f)).sort()) {
    console.log(`${f.padEnd(26)} ${(fs.statSync(path.join(root, 'dist', f)).size / 1024).toFixed(0).padStart(6)} KiB`);
  }
}

async function serverStart(): Promise<void> {
  section('server start → initialize response (stdio, bundled server)');
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const c = new LspClient();
    await c.initialize();
    times.push(performance.now() - t0);
    await c.shutdown();
  }
  console.log(`median ${ms(pct(times, 50))} (runs: ${times.map((t) => t.toFixed(0)).join(', ')} ms)`);
}

async function firstDiagnosticsOverLsp(text: string): Promise<void> {
  section('first diagnostics over LSP for a 10,000-line binding file');
  const c = new LspClient();
  await c.initialize();
  const uri = 'file:///bench/big.py';
  const t0 = performance.now();
  c.open(uri, text, 1);
  const p = await c.waitFor('textDocument/publishDiagnostics', (x) => x.uri === uri, 60_000);
  console.log(`didOpen → publishDiagnostics: ${ms(performance.now() - t0)} (${p.diagnostics.length} diagnostics)`);
  await c.shutdown();
}

async function inProcess(text: string, label: string): Promise<void> {
  const g = await loadGrammars();
  section(`${label}: in-process analysis (${text.split('\n').length} lines, ${(text.length / 1024).toFixed(0)} KiB)`);
  const rss0 = process.memoryUsage().rss;
  const service = new DocumentService(g);
  const uri = 'file:///bench/big.py';
  let t0 = performance.now();
  const doc = service.open(uri, 'python', 1, text);
  const tParse = performance.now() - t0;
  t0 = performance.now();
  const model = service.model(uri)!;
  const tModel = performance.now() - t0;
  t0 = performance.now();
  const findings = lint(model, {});
  const tLint = performance.now() - t0;
  console.log(`parse ${ms(tParse)} (${doc.parsed.regions.length} regions), model ${ms(tModel)}, lint ${ms(tLint)}: first diagnostics ${ms(tParse + tModel + tLint)} (${findings.length} findings)`);
  console.log(`memory: +${((process.memoryUsage().rss - rss0) / 1048576).toFixed(0)} MiB RSS for the open document`);

  section(`${label}: one-character edit → diagnostics (server time, 400 edits at varied places)`);
  const times: number[] = [];
  let version = 1;
  const lines = text.split('\n');
  const editable = lines.map((l, i) => (/^_lib\.func_\d+\.argtypes/.test(l) || /^\s+int cf_/.test(l) ? i : -1)).filter((i) => i >= 0);
  // edit inside identifiers (func_N, cf_N): each keystroke changes a name, as typing does
  for (let k = 0; k < 400; k++) {
    const line = editable[(k * 7919) % editable.length]!;
    const insert = k % 2 === 0;
    const col = lines[line]!.indexOf('func_') >= 0 ? lines[line]!.indexOf('func_') + 5 : lines[line]!.indexOf('cf_') + 3;
    const range = insert ? { start: { line, character: col }, end: { line, character: col } } : { start: { line, character: col }, end: { line, character: col + 1 } };
    const start = performance.now();
    service.change(uri, ++version, [{ range, text: insert ? '9' : '' }]);
    lint(service.model(uri)!, {});
    times.push(performance.now() - start);
  }
  const d = service.get(uri)!.parsed.stats;
  console.log(`p50 ${ms(pct(times, 50))}, p95 ${ms(pct(times, 95))}, max ${ms(Math.max(...times))} (region re-parses ${d.regionParses}, full parses ${d.fullParses})`);

  if (label !== 'realistic') {
    service.dispose();
    return;
  }
  section('the same edits with whole-document incremental reparse (the baseline regions avoid)');
  const whole = g.pythonParser.parse(text)!;
  let cur = text;
  let tree = whole;
  const base: number[] = [];
  for (let k = 0; k < 50; k++) {
    const at = cur.indexOf('func_', (k * 104729) % (cur.length - 100)) + 5;
    const start = performance.now();
    cur = cur.slice(0, at) + '9' + cur.slice(at);
    const before = cur.slice(0, at);
    const row = before.split('\n').length - 1;
    const column = at - before.lastIndexOf('\n') - 1;
    const { Edit } = await import('web-tree-sitter');
    tree.edit(new Edit({ startIndex: at, oldEndIndex: at, newEndIndex: at + 1, startPosition: { row, column }, oldEndPosition: { row, column }, newEndPosition: { row, column: column + 1 } }));
    const next = g.pythonParser.parse(cur, tree)!;
    tree.delete();
    tree = next;
    base.push(performance.now() - start);
  }
  tree.delete();
  console.log(`reparse only: p50 ${ms(pct(base, 50))}, p95 ${ms(pct(base, 95))}`);
  service.dispose();
}

/** Bundles the parse-everything baseline like the CLI, so both are timed as processes with their start-up. */
function baselineScript(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pypy-bindings-bench-'));
  const out = path.join(dir, 'parseAll.js');
  buildSync({
    entryPoints: [path.join(__dirname, 'parseAll.ts')], bundle: true, platform: 'node', outfile: out, logLevel: 'error',
    define: { 'import.meta.url': '__u' }, banner: { js: "const __u = require('url').pathToFileURL(__filename).href;" },
  });
  for (const f of fs.readdirSync(path.join(root, 'dist'))) if (f.endsWith('.wasm')) fs.copyFileSync(path.join(root, 'dist', f), path.join(dir, f));
  return out;
}

/** CPU seconds (user + system) of the children this process waited for (Linux: /proc/self/stat cutime + cstime), else NaN. */
function childrenCpu(): number {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // fields 16 and 17 of stat(5), in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

async function cliThroughput(): Promise<void> {
  const trees = ['/usr/lib/python3.11', '/root/.pyenv/versions/3.11.7/lib/python3.11'].filter((p) => fs.existsSync(p));
  if (!trees.length) {
    console.log('\n(no CPython standard library found for the CLI throughput figure)');
    return;
  }
  const baseline = baselineScript();
  for (const tree of trees) {
    section(`CLI throughput on ${tree} (real Python)`);
    const files = pythonFiles(tree);
    const mb = files.reduce((n, f) => n + fs.statSync(f).size, 0) / 1048576;
    let c0 = childrenCpu();
    let t0 = performance.now();
    const r = spawnSync(process.execPath, [path.join(root, 'bin/pypy-bindings.js'), 'check', tree, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const tCli = performance.now() - t0;
    const cpuCli = childrenCpu() - c0;
    let findings: { code: string }[] = [];
    try {
      findings = JSON.parse(r.stdout);
    } catch {
      /* reported as 0 findings */
    }
    const byCode = new Map<string, number>();
    for (const f of findings) byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
    c0 = childrenCpu();
    t0 = performance.now();
    spawnSync(process.execPath, [baseline, tree], { encoding: 'utf8' });
    const tParse = performance.now() - t0;
    const cpuParse = childrenCpu() - c0;
    const g = await loadGrammars();
    t0 = performance.now();
    for (const f of files) g.pythonParser.parse(fs.readFileSync(f, 'utf8'))?.delete();
    const tInProcess = performance.now() - t0;
    console.log(`${files.length} files, ${mb.toFixed(1)} MB`);
    console.log(`pypy-bindings check: ${(tCli / 1000).toFixed(2)} s = ${(mb / (tCli / 1000)).toFixed(1)} MB/s, ${findings.length} findings (${[...byCode].sort().map(([c, n]) => `${c} ${n}`).join(', ')}), exit ${r.status}`);
    console.log(`a process that only parses every file: ${(tParse / 1000).toFixed(2)} s → check is ${(tParse / tCli).toFixed(1)}× faster (goal ≥5×)`);
    if (Number.isFinite(cpuCli) && cpuCli > 0) console.log(`CPU (user + system): check ${cpuCli.toFixed(2)} s, parse-only ${cpuParse.toFixed(2)} s → ${(cpuParse / cpuCli).toFixed(1)}× (the wall ratio moves with the machine's load; this one much less)`);
    console.log(`parsing every file in-process (no start-up): ${(tInProcess / 1000).toFixed(2)} s → check is ${(tInProcess / tCli).toFixed(1)}× faster`);
  }
  fs.rmSync(path.dirname(baseline), { recursive: true, force: true });
}

async function workspace(): Promise<void> {
  section('workspace index: generated workspaces of 10 and 1,000 modules (in-process)');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { benchWorkspace } = require('./workspace') as typeof import('./workspace');
  for (const line of await benchWorkspace()) console.log(line);
}

async function hovers(): Promise<void> {
  const modPath = path.join(__dirname, 'hover.ts');
  if (!fs.existsSync(modPath)) return;
  section('hover on a 10,000-line file after the first analysis');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { benchHover } = require('./hover') as { benchHover: () => Promise<string[]> };
  for (const line of await benchHover()) console.log(line);
}

/** Opt-in (`npm run bench -- --fuzz N`): a differential fuzz run of the converter, see docs/dev/fuzzing.md. */
async function fuzzRun(): Promise<void> {
  const i = process.argv.indexOf('--fuzz');
  if (i < 0) return;
  const programs = Number(process.argv[i + 1] ?? 2000) || 2000;
  section(`converter fuzzing: ${programs} generated programs, seed 1, ${os.cpus().length} jobs`);
  const r = await fuzz({ programs, seed: 1 });
  console.log(`${r.seconds.toFixed(0)} s (${((r.seconds * 1000) / Math.max(1, r.programs)).toFixed(0)} ms per program), ${r.discarded} discarded by the oracle, ${classes(r.judged).length} silent-change classes`);
  console.log(summaryLine(r));
}

async function editorFeatures(): Promise<void> {
  section('completion, signature help, definition, symbols on a 10,000-line file after the first analysis');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { benchEditorFeatures } = require('./editorFeatures') as { benchEditorFeatures: () => Promise<string[]> };
  for (const line of await benchEditorFeatures()) console.log(line);
}

/** Files shaped like real generated bindings, and the bench's own. */
const editorInputs = () => [
  { name: 'gl_compat.py-shaped', text: glCompatShaped(6_200), sites: /glFunction\d+/g },
  { name: 'xlib.py-shaped', text: xlibShaped(6_200), sites: /XFunction\d+|struct_anon_\d+/g },
  { name: 'vlc.py-shaped', text: vlcShaped(13_000), sites: /libvlc_function_\d+|method_\d+/g },
  { name: 'synthetic 10k, a finding every few lines', text: bindingFile(10_000, 2), sites: /func_\d+|cf_\d+/g },
  { name: 'bench realistic 10k', text: bindingFile(10_000), sites: /func_\d+|cf_\d+/g },
];

/** Editor latency over LSP against plain tree-sitter. */
async function editorRatios(): Promise<void> {
  section('editor latency over LSP ÷ plain tree-sitter on the same text (interleaved, one server per file)');
  const rows: RatioRow[] = [];
  for (const input of editorInputs()) rows.push(await lspRatios(input));
  for (const line of ratioTable(rows)) console.log(line);
  console.log('(edit→diags: didChange + textDocument/diagnostic with the previous resultId; reparse: tree.edit + parse(text, oldTree) of the whole document; p95 over 60 edits, 100 hovers; full parse: median, in this warm process; first diags warm: opens 2–4 of the text as new documents on one server; cold: a fresh server\'s first open ÷ a fresh process\'s first parse after loading the grammars, medians of three interleaved pairs, CPU of every thread from /proc)');
}

async function keystroke(): Promise<void> {
  section('where a keystroke goes: CPU ms per edit by step, in-process, the same edits as the editor-latency section');
  for (const line of await keystrokeBreakdown(editorInputs())) console.log(line);
}

async function firstAnalysis(): Promise<void> {
  section('where the first diagnostics go: CPU ms by step after didOpen, in-process, ÷ a full parse beside it (median of 5 opens)');
  for (const line of await firstAnalysisBreakdown(editorInputs())) console.log(line);
}

async function doubling(): Promise<void> {
  section('doubling bench: each input dimension doubled twice (median of 3, in-process)');
  for (const line of await scaleBench()) console.log(line);
}

/** `npm run bench -- --only editor,doubling`: run only the sections whose name contains one of the words. */
const only = (() => {
  const i = process.argv.indexOf('--only');
  return i < 0 ? undefined : (process.argv[i + 1] ?? '').split(',').filter(Boolean);
})();
const wanted = (name: string) => !only || only.some((w) => name.includes(w));

(async () => {
  if (!fs.existsSync(path.join(root, 'dist/server.js'))) spawnSync(process.execPath, [path.join(root, 'scripts/bundle.mjs')], { stdio: 'inherit' });
  console.log(`# pypy-bindings benchmarks (${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cores)`);
  const text = bindingFile(10_000);
  const sections: [string, () => Promise<void>][] = [
    ['bundles', bundleSizes],
    ['start', serverStart],
    ['first', () => firstDiagnosticsOverLsp(text)],
    ['inprocess', () => inProcess(text, 'realistic')],
    ['inprocess-stress', () => inProcess(bindingFile(10_000, 2), 'stress (a finding every few lines)')],
    ['hover', hovers],
    ['features', editorFeatures],
    ['workspace', workspace],
    ['cli', cliThroughput],
    ['editor', editorRatios],
    ['keystroke', keystroke],
    ['firstcpu', firstAnalysis],
    ['doubling', doubling],
    ['convert', () => convertBench(section)],
  ];
  for (const [name, run] of sections) if (wanted(name)) await run();
  await fuzzRun();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
