import { type CheckReport, plural, type Reported } from './reported';

/** ruff's `[*]`: `--fix` would fix it (an unsafe fix counts only with `--unsafe-fixes`). */
export const applies = (r: Reported, unsafeFixes: boolean) => r.fix?.applicability === 'safe' || (unsafeFixes && r.fix?.applicability === 'unsafe');

const header = (r: Reported, unsafeFixes: boolean) => `${r.file}:${r.line}:${r.column}: ${r.code} ${applies(r, unsafeFixes) ? '[*] ' : ''}${r.message}`;

/** `concise`: one line per finding, ruff's `path:line:col: CODE [*] message`. */
export function formatConcise(report: CheckReport): string {
  return report.reported.map((r) => header(r, report.unsafeFixes) + '\n').join('');
}

/** `text` (ruff's "full"): each finding with its source line underlined, and the fix it has. */
export function formatText(report: CheckReport): string {
  let out = '';
  for (const r of report.reported) {
    out += header(r, report.unsafeFixes) + '\n';
    const src = report.lines.get(r.file)?.[r.line - 1];
    if (src !== undefined) {
      const gutter = String(r.line).length;
      const pad = ' '.repeat(gutter);
      const shown = src.replace(/\r$/, '').replace(/\t/g, ' ');
      const width = r.endLine === r.line ? Math.max(1, r.endColumn - r.column) : Math.max(1, shown.length - r.column + 1);
      out += `${pad} |\n${r.line} | ${shown}\n${pad} | ${' '.repeat(r.column - 1)}${'^'.repeat(width)} ${r.code}\n${pad} |\n`;
      if (r.fix) out += `${pad} = help: ${r.fix.message}${r.fix.applicability === 'unsafe' ? ' (unsafe fix)' : ''}\n`;
      out += '\n';
    }
  }
  return out;
}

/** ruff's closing lines: the count, and how many `--fix` would handle. */
export function summary(report: CheckReport): string {
  const failing = report.reported.length;
  const safe = report.reported.filter((r) => applies(r, report.unsafeFixes)).length;
  const unsafe = report.reported.filter((r) => r.fix?.applicability === 'unsafe').length;
  if (failing === 0) return report.fixed ? `Found ${plural(report.fixed, 'finding')} (${report.fixed} fixed, 0 remaining).\n` : 'All checks passed!\n';
  let out = report.fixed ? `Found ${plural(failing + report.fixed, 'finding')} (${report.fixed} fixed, ${failing} remaining).\n` : `Found ${plural(failing, 'finding')}.\n`;
  if (safe) out += `[*] ${safe} fixable with the \`--fix\` option${unsafe && !report.unsafeFixes ? ` (${unsafe} hidden fix${unsafe === 1 ? '' : 'es'} can be enabled with the \`--unsafe-fixes\` option)` : ''}.\n`;
  else if (unsafe && !report.unsafeFixes) out += `No fixes available (${unsafe} hidden fix${unsafe === 1 ? '' : 'es'} can be enabled with the \`--unsafe-fixes\` option).\n`;
  return out;
}
