/**
 * Hover latency on a 10,000-line binding file after its first analysis: ~500 hovers at varied targets
 * (ctypes types, foreign functions, structs, cdef identifiers, lib.NAME, ffi methods, plain Python).
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeText } from '../server/src/analysis/analyze';
import { hoverAt } from '../server/src/hover/hover';
import { lint } from '../server/src/rules/lint';
import { bindingFile } from './generate';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Offsets of every occurrence of a pattern, each shifted into the match by `delta`. */
function offsets(text: string, pattern: RegExp, delta = 1): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(pattern)) out.push(m.index! + delta);
  return out;
}

export async function benchHover(): Promise<string[]> {
  const text = bindingFile(10_000);
  const t0 = performance.now();
  const { model, doc } = await analyzeText(text, 'file:///bench/hover.py');
  const analysis = performance.now() - t0;
  const findings = lint(model, {});
  const lines = TextDocument.create('file:///bench/hover.py', 'python', 1, text);

  // Spread the probes across the file and across kinds of target.
  const kinds = [
    offsets(text, /c_int\b/g),
    offsets(text, /POINTER\(/g),
    offsets(text, /_lib\.func_\d+/g, 6),
    offsets(text, /class struct_s\d+/g, 8),
    offsets(text, /int cf_\d+/g, 5),
    offsets(text, /struct cs_\d+/g, 8),
    offsets(text, /result_\d+/g),
    offsets(text, /lib\.cf_1/g, 5),
    offsets(text, /ffi\.(cdef|dlopen)/g, 5),
  ];
  const probes: number[] = [];
  for (let i = 0; probes.length < 500; i++) {
    const list = kinds[i % kinds.length]!;
    if (list.length) probes.push(list[Math.floor((i * 7919) % list.length)]!);
    if (i > 10_000) break;
  }

  const first = performance.now();
  hoverAt(model, doc, probes[0]!, findings, lines);
  const firstMs = performance.now() - first;
  const times: number[] = [];
  let answered = 0;
  for (const offset of probes) {
    const s = performance.now();
    const h = hoverAt(model, doc, offset, findings, lines);
    times.push(performance.now() - s);
    if (h) answered++;
  }
  doc.dispose();
  times.sort((a, b) => a - b);
  const f = (ms: number) => ms.toFixed(3);
  return [
    `file: ${text.split('\n').length} lines, analysis ${analysis.toFixed(0)} ms, ${findings.length} findings`,
    `first hover (builds the per-model index) ${f(firstMs)} ms`,
    `hover p50 ${f(percentile(times, 50))} ms, p95 ${f(percentile(times, 95))} ms, max ${f(times[times.length - 1]!)} ms over ${times.length} hovers (${answered} with content)`,
  ];
}
