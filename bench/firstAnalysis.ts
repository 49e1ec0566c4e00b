/**
 * Where the first diagnostics after didOpen go (in-process, the steps DocumentService.open/model and the
 * diagnostics handler take, each timed on its own): CPU milliseconds (process.cpuUsage, so other processes'
 * load counts less than in wall time), each divided by a full parse of the same text timed beside it; medians
 * over several opens of a fresh document (the first open of a process also pays for compiling the code).
 */
import { analyzeDocument } from '../server/src/analysis/analyze';
import { linkWorkspaceModel } from '../server/src/analysis/workspace/linkModel';
import { needsEvaluation, WorkspaceIndex } from '../server/src/analysis/workspace/workspaceIndex';
import { DEFAULT_SETTINGS } from '../server/src/config/settings';
import { lintOptions } from '../server/src/config/lintOptions';
import { toDiagnostic } from '../server/src/lsp/diagnostics';
import { loadGrammars } from '../server/src/parser/languages';
import { lint } from '../server/src/rules/lint';
import { DocumentService } from '../server/src/service/documentService';
import type { RatioInput } from './lspRatios';

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const STEPS = ['open (region parse)', 'facts+link', 'evaluation', 'workspace link', 'lint', 'diagnostics'] as const;

export async function firstAnalysisBreakdown(inputs: RatioInput[], opens = 5): Promise<string[]> {
  const g = await loadGrammars();
  const out = [
    `| file | full parse ms | ${STEPS.join(' | ')} | total ms | **total ÷ full parse** (goal ≤2×) |`,
    `|---|---|${STEPS.map(() => '---|').join('')}---|---|`,
  ];
  for (const input of inputs) {
    const steps: Record<string, number[]> = Object.fromEntries(STEPS.map((s) => [s, []]));
    const parses: number[] = [];
    const totals: number[] = [];
    for (let r = 0; r < opens; r++) {
      let t = cpu();
      g.pythonParser.parse(input.text)?.delete();
      parses.push(cpu() - t);
      const workspace = new WorkspaceIndex(g.pythonParser);
      const service = new DocumentService(g, workspace, { headers: {} });
      const uri = `file:///bench/first-${r}-${input.name.replace(/\W+/g, '_')}.py`;
      t = cpu();
      const start = t;
      const step = (name: (typeof STEPS)[number]) => {
        const now = cpu();
        steps[name]!.push(now - t);
        t = now;
      };
      const doc = service.open(uri, 'python', 1, input.text);
      step('open (region parse)');
      const model = analyzeDocument(doc.parsed, uri, g.cParser);
      step('facts+link');
      const ev = needsEvaluation(doc.parsed, workspace, uri) ? workspace.evaluationOf(uri) : undefined;
      step('evaluation');
      linkWorkspaceModel(model, ev, { headers: {} });
      step('workspace link');
      const findings = lint(model, lintOptions(DEFAULT_SETTINGS));
      step('lint');
      findings.map((f) => toDiagnostic(doc.text, f));
      step('diagnostics');
      totals.push(t - start);
      service.dispose();
    }
    const p = median(parses);
    out.push(`| ${input.name} | ${p.toFixed(1)} | ${STEPS.map((s) => median(steps[s]!).toFixed(1)).join(' | ')} | ${median(totals).toFixed(1)} | ${(median(totals) / p).toFixed(2)}× |`);
  }
  return out;
}
