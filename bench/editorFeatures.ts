/**
 * Completion, signature help, go to definition and document symbols on a 10,000-line binding file after its
 * first analysis: ~300 requests of each kind at varied places (`_lib.` / `lib.` members, calls, type strings).
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeText } from '../server/src/analysis/analyze';
import { completionAt } from '../server/src/features/completion';
import { definitionAt } from '../server/src/features/definition';
import { documentSymbols } from '../server/src/features/documentSymbols';
import { signatureHelpAt } from '../server/src/features/signatureHelp';
import { bindingFile } from './generate';

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function sample(text: string, pattern: RegExp, delta: number, n: number): number[] {
  const all = [...text.matchAll(pattern)].map((m) => m.index! + delta);
  const out: number[] = [];
  for (let i = 0; i < n && all.length; i++) out.push(all[(i * 7919) % all.length]!);
  return out;
}

export async function benchEditorFeatures(): Promise<string[]> {
  const text = bindingFile(10_000);
  const uri = 'file:///bench/features.py';
  const { model, doc } = await analyzeText(text, uri);
  const lines = TextDocument.create(uri, 'python', 1, text);
  const time = (name: string, probes: number[], run: (o: number) => unknown): string => {
    const times: number[] = [];
    let answered = 0;
    for (const o of probes) {
      const t0 = performance.now();
      if (run(o)) answered++;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return `${name.padEnd(16)} p50 ${pct(times, 50).toFixed(3)} ms, p95 ${pct(times, 95).toFixed(3)} ms, max ${times[times.length - 1]!.toFixed(3)} ms over ${times.length} (${answered} answered)`;
  };
  const out = [
    time('completion', [...sample(text, /_lib\.func_\d+/g, 5, 150), ...sample(text, /lib\.cf_\d+/g, 4, 150)], (o) => completionAt(model, doc, o, lines)),
    time('signature help', [...sample(text, /_lib\.func_\d+\(/g, 14, 150), ...sample(text, /lib\.cf_\d+\(\d/g, 9, 150)], (o) => signatureHelpAt(model, doc, o)),
    time('definition', [...sample(text, /_lib\.func_\d+\(/g, 7, 150), ...sample(text, /lib\.cf_\d+/g, 5, 150)], (o) => definitionAt(model, doc, o, lines)),
    time('document symbols', [0, 0, 0, 0, 0], () => documentSymbols(model, lines).length),
  ];
  doc.dispose();
  return out;
}
