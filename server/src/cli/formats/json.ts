import type { CheckReport } from './reported';

/** `json`: the findings as an array (file, line, column, endLine, endColumn, code, severity, message, url, fix). */
export function formatJson(report: CheckReport): string {
  return JSON.stringify(report.reported, null, 2) + '\n';
}
