import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULES, ruleDocUrl, type Severity } from '../../rules/catalogue';
import { FIX_APPLICABILITY } from '../../rules/fixes';
import type { CheckReport } from './reported';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

/** The version the CLI reports (kept with the `--version` output). */
export const TOOL_VERSION = '0.1.0';

/** A file's artifact URI: relative to the working directory (SRCROOT) when inside it, else absolute. */
function artifact(file: string, cwd: string): { uri: string; uriBaseId?: string } {
  const abs = path.resolve(file);
  const rel = path.relative(cwd, abs);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: 'SRCROOT' };
  return { uri: pathToFileURL(abs).href };
}

/**
 * `sarif`: a SARIF 2.1.0 log with one run, every rule of the catalogue (its help text and link), and a
 * result per finding (GitHub code scanning reads this from `github/codeql-action/upload-sarif`).
 */
export function formatSarif(report: CheckReport, cwd = process.cwd()): string {
  const index = new Map(RULES.map((r, i) => [r.code, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pypy-bindings',
            version: TOOL_VERSION,
            informationUri: 'https://doc.pypy.org/en/latest/extending.html',
            rules: RULES.map((r) => ({
              id: r.code,
              name: r.title.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^./, (c) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.explanation },
              help: { text: r.explanation, markdown: `${r.explanation}\n\n[${r.code} in the rule catalogue](${ruleDocUrl(r.code)})` },
              helpUri: ruleDocUrl(r.code),
              defaultConfiguration: { level: LEVEL[r.defaultSeverity] },
              properties: { guideSection: r.guideSection, ...(FIX_APPLICABILITY[r.code] ? { fix: FIX_APPLICABILITY[r.code] } : {}) },
            })),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(cwd + path.sep).href } },
        results: report.reported.map((r) => ({
          ruleId: r.code,
          ...(index.has(r.code) ? { ruleIndex: index.get(r.code) } : {}),
          level: LEVEL[r.severity as Severity] ?? 'warning',
          message: { text: r.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifact(r.file, cwd),
                region: { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn },
              },
            },
          ],
          ...(r.fix ? { properties: { fix: r.fix } } : {}),
        })),
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
