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

/**
 * Result ids of pull diagnostics (LSP 3.17): each document's last answer is remembered by a fingerprint of
 * its items, so a request whose `previousResultId` names that answer gets `unchanged` when an edit left the
 * diagnostics as they were (typing inside a comment, or a change undone) and the client keeps what it shows.
 */
export class DiagnosticResults {
  private readonly last = new Map<string, { resultId: string; fingerprint: string }>();
  private next = 1;

  report(uri: string, items: Diagnostic[], previousResultId: string | undefined):
    { kind: 'full'; resultId: string; items: Diagnostic[] } | { kind: 'unchanged'; resultId: string } {
    const fingerprint = JSON.stringify(items);
    const last = this.last.get(uri);
    if (last && last.fingerprint === fingerprint) {
      if (previousResultId === last.resultId) return { kind: 'unchanged', resultId: last.resultId };
      return { kind: 'full', resultId: last.resultId, items };
    }
    const resultId = `${this.next++}`;
    this.last.set(uri, { resultId, fingerprint });
    return { kind: 'full', resultId, items };
  }

  forget(uri: string): void {
    this.last.delete(uri);
  }
}
