import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { BindingModel } from '../analysis/model';
import type { Settings } from '../config/settings';
import { ruleSectionLink } from '../hover/ruleLink';
import { lintOptions } from '../config/lintOptions';
import { lint, type Finding } from '../rules/lint';

export const DIAGNOSTIC_SOURCE = 'pypy-bindings';

const SEVERITY: Record<Finding['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** The findings of a model under given settings, computed once: diagnostics, hovers and code actions share them. */
const computed = new WeakMap<BindingModel, { settings: Settings; findings: Finding[] }>();

export function findingsFor(model: BindingModel, settings: Settings): Finding[] {
  const hit = computed.get(model);
  if (hit && hit.settings === settings) return hit.findings;
  const findings = settings.lint.enable ? lint(model, lintOptions(settings)) : [];
  computed.set(model, { settings, findings });
  return findings;
}

export function toDiagnostic(doc: TextDocument, f: Finding): Diagnostic {
  return {
    range: { start: doc.positionAt(f.span.start), end: doc.positionAt(f.span.end) },
    severity: SEVERITY[f.severity],
    code: f.code,
    codeDescription: { href: ruleSectionLink(f.code) },
    source: DIAGNOSTIC_SOURCE,
    message: f.message,
  };
}
