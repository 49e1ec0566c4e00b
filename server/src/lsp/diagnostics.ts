import { DiagnosticSeverity, DiagnosticTag, type Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { BindingModel } from '../analysis/model';
import type { Settings } from '../config/settings';
import { RULES, ruleDocUrl } from '../rules/catalogue';
import { lintOptions } from '../config/lintOptions';
import { lint, type Finding } from '../rules/lint';

export const DIAGNOSTIC_SOURCE = 'pypy-bindings';

const SEVERITY: Record<Finding['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** What a diagnostic carries for code actions, so fixes need no second analysis of an old version. */
export interface DiagnosticData {
  version: number;
  finding: Finding['data'];
}

export function findingsFor(model: BindingModel, settings: Settings): Finding[] {
  if (!settings.lint.enable) return [];
  return lint(model, lintOptions(settings));
}

export function toDiagnostic(doc: TextDocument, f: Finding): Diagnostic {
  const rule = RULES.find((r) => r.code === f.code);
  const d: Diagnostic = {
    range: { start: doc.positionAt(f.span.start), end: doc.positionAt(f.span.end) },
    severity: SEVERITY[f.severity],
    code: f.code,
    codeDescription: { href: ruleDocUrl(f.code) },
    source: DIAGNOSTIC_SOURCE,
    message: f.message,
    data: { version: doc.version, finding: f.data } satisfies DiagnosticData,
  };
  if (rule && /deprecated/i.test(rule.title)) d.tags = [DiagnosticTag.Deprecated];
  return d;
}
