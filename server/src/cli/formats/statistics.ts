import { ruleInfo } from '../../rules/catalogue';
import type { CheckReport } from './reported';
import { applies } from './text';

interface Statistic {
  code: string;
  name: string;
  count: number;
  fixable: boolean;
}

function statistics(report: CheckReport): Statistic[] {
  const by = new Map<string, Statistic>();
  for (const r of report.reported) {
    const s = by.get(r.code) ?? { code: r.code, name: ruleInfo(r.code)?.title ?? r.code, count: 0, fixable: false };
    s.count++;
    if (applies(r, report.unsafeFixes)) s.fixable = true;
    by.set(r.code, s);
  }
  return [...by.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

/** `--statistics`: ruff's table (count, code, `[*]` when `--fix` fixes some, rule title), or JSON. */
export function formatStatistics(report: CheckReport, json: boolean): string {
  const stats = statistics(report);
  if (json) return JSON.stringify(stats, null, 2) + '\n';
  const width = Math.max(1, ...stats.map((s) => String(s.count).length));
  const fixableAny = stats.some((s) => s.fixable);
  return stats.map((s) => `${String(s.count).padStart(width)}\t${s.code}\t${fixableAny ? (s.fixable ? '[*] ' : '    ') : ''}${s.name}\n`).join('');
}
