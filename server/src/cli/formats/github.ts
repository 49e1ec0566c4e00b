import type { CheckReport } from './reported';

/** Workflow-command escaping: the message part escapes %, CR and LF; property values also ':' and ','. */
const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const prop = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

const COMMAND: Record<string, string> = { error: 'error', warning: 'warning', information: 'notice', hint: 'notice' };

/** `github`: one workflow command per finding, which GitHub Actions shows as an annotation on the line. */
export function formatGithub(report: CheckReport): string {
  return report.reported
    .map((r) => `::${COMMAND[r.severity] ?? 'warning'} file=${prop(r.file)},line=${r.line},col=${r.column},endLine=${r.endLine},endColumn=${r.endColumn},title=${prop(r.code)}::${data(r.message)}\n`)
    .join('');
}
