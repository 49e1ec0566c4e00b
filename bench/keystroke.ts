/**
 * Where a keystroke's time goes (in-process, the steps DocumentService.model and the diagnostics handler take,
 * each timed on its own): CPU milliseconds per edit (process.cpuUsage, so other processes' load counts less
 * than in wall time), mean over the edits, on the files of the editor-latency section; and the heap each edit
 * allocates (heap growth, median of the edits no GC ran in: the garbage that makes the scavenges on long files).
 */
import { analyzeDocument } from '../server/src/analysis/analyze';
import { linkWorkspaceModel } from '../server/src/analysis/workspace/linkModel';
import { needsEvaluation, WorkspaceIndex } from '../server/src/analysis/workspace/workspaceIndex';
import { DEFAULT_SETTINGS } from '../server/src/config/settings';
import { lintOptions } from '../server/src/config/lintOptions';
import type { Message } from 'vscode-languageserver/node';
import { encodeMessage } from '../server/src/lsp/diagnosticBytes';
import { DiagnosticObjects, DiagnosticResults } from '../server/src/lsp/diagnostics';
import { loadGrammars } from '../server/src/parser/languages';
import { lint } from '../server/src/rules/lint';
import { DocumentService } from '../server/src/service/documentService';
import type { RatioInput } from './lspRatios';

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const STEPS = ['change', 'facts+link', 'evaluation', 'workspace link', 'lint', 'diagnostics'] as const;

export async function keystrokeBreakdown(inputs: RatioInput[], edits = 60, encode: (msg: Message) => Uint8Array = encodeMessage): Promise<string[]> {
  const g = await loadGrammars();
  const out = [`| file | ${STEPS.join(' | ')} | total (CPU ms per edit) | allocated (KB per edit) |`, `|---|${STEPS.map(() => '---|').join('')}---|---|`];
  for (const input of inputs) {
    const workspace = new WorkspaceIndex(g.pythonParser);
    const service = new DocumentService(g, workspace, { headers: {} });
    const uri = `file:///bench/keystroke-${input.name.replace(/\W+/g, '_')}.py`;
    const doc = service.open(uri, 'python', 1, input.text);
    // the diagnostics step as the server's pull handler takes it: LSP objects (the last answer's kept), the result id, the bytes of a full answer
    const objects = new DiagnosticObjects();
    const results = new DiagnosticResults();
    let resultId = results.report(uri, objects.convert(uri, doc.text, lint(service.model(uri)!, lintOptions(DEFAULT_SETTINGS))), undefined).resultId;
    const sites = [...input.text.matchAll(input.sites)].map((m) => m.index! + 2);
    const sum: Record<string, number> = Object.fromEntries(STEPS.map((s) => [s, 0]));
    // heap growth over the steps, median of the edits no GC ran in (what each edit leaves for the next scavenge to copy or drop)
    const allocated: number[] = [];
    for (let k = 0; k < edits; k++) {
      const at = sites[(Math.floor(k / 2) * 7919) % sites.length]!;
      const insert = k % 2 === 0;
      const pos = doc.text.positionAt(at);
      const range = { start: pos, end: insert ? pos : { line: pos.line, character: pos.character + 1 } };
      let t = cpu();
      const step = (name: (typeof STEPS)[number]) => {
        const now = cpu();
        sum[name]! += now - t;
        t = now;
      };
      const heapBefore = process.memoryUsage().heapUsed;
      service.change(uri, k + 2, [{ range, text: insert ? '9' : '' }]);
      step('change');
      const model = analyzeDocument(doc.parsed, uri, g.cParser, { reuse: true });
      step('facts+link');
      const ev = needsEvaluation(doc.parsed, workspace, uri) ? workspace.evaluationOf(uri) : undefined;
      step('evaluation');
      linkWorkspaceModel(model, ev, { headers: {} });
      step('workspace link');
      const findings = lint(model, lintOptions(DEFAULT_SETTINGS));
      step('lint');
      const report = results.report(uri, objects.convert(uri, doc.text, findings), resultId);
      if (report.kind === 'full') encode({ jsonrpc: '2.0', id: k, result: report } as Message);
      resultId = report.resultId;
      step('diagnostics');
      const grown = process.memoryUsage().heapUsed - heapBefore;
      if (grown > 0) allocated.push(grown);
    }
    const total = Object.values(sum).reduce((a, b) => a + b, 0);
    allocated.sort((a, b) => a - b);
    const kb = allocated.length ? (allocated[allocated.length >> 1]! / 1024).toFixed(0) : '?';
    out.push(`| ${input.name} | ${STEPS.map((s) => (sum[s]! / edits).toFixed(1)).join(' | ')} | ${(total / edits).toFixed(1)} | ${kb} |`);
    service.dispose();
  }
  return out;
}
