import * as fs from 'node:fs';
import type { CliIO } from '../io';
import { UsageError } from '../usage';
import { renderHtml } from './html';
import { renderMarkdown } from './markdown';
import { readinessReport } from './readiness';

/** `report PATH... [--html] [-o FILE]`: the readiness report as Markdown (or HTML) on stdout or in FILE. */
export async function report(args: string[], io: CliIO): Promise<number> {
  let html = false;
  let output: string | undefined;
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--html') html = true;
    else if (a === '-o' || a === '--output') {
      output = args[++i];
      if (!output) throw new UsageError(`${a} needs a FILE`);
    } else if (a.startsWith('--output=')) output = a.slice(9);
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else paths.push(a);
  }
  if (paths.length === 0) throw new UsageError('report needs at least one PATH');
  const missing = paths.filter((p) => !fs.existsSync(p));
  for (const p of missing) io.err(`pypy-bindings: ${p}: no such file or directory\n`);
  if (missing.length) return 2;
  const r = await readinessReport(paths);
  for (const p of r.problems) io.err(`pypy-bindings: ${p}\n`);
  const text = html ? renderHtml(r) : renderMarkdown(r);
  if (output) fs.writeFileSync(output, text);
  else io.out(text);
  return r.problems.length ? 2 : 0;
}
