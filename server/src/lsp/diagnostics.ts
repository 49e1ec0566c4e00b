import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { BindingModel } from '../analysis/model';
import type { Settings } from '../config/settings';
import { ruleSectionLink } from '../hover/ruleLink';
import { lintOptions } from '../config/lintOptions';
import { lint, type Finding } from '../rules/lint';
import { sendsAsKept } from './diagnosticBytes';

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
  return diagnostic(doc.positionAt(f.span.start), doc.positionAt(f.span.end), f);
}

function diagnostic(start: Diagnostic['range']['start'], end: Diagnostic['range']['end'], f: Finding): Diagnostic {
  return {
    range: { start, end },
    severity: SEVERITY[f.severity],
    code: f.code,
    codeDescription: { href: ruleSectionLink(f.code) },
    source: DIAGNOSTIC_SOURCE,
    message: f.message,
  };
}

const before = (a: { line: number; character: number }, b: { line: number; character: number }) => a.line < b.line || (a.line === b.line && a.character < b.character);
const samePosition = (a: { line: number; character: number }, b: { line: number; character: number }) => a.line === b.line && a.character === b.character;

/**
 * The LSP diagnostics of each open document's findings, keeping the last answer's Diagnostic objects: a finding
 * whose diagnostic would be equal (range, severity, code, message: all a Diagnostic holds) gets the same object,
 * so a keystroke allocates diagnostics only for the findings it changed or moved to another line or column (an
 * edit moves none of the findings on other lines), and the result-id comparison meets the same objects.
 * Both lists are in text order (applyOptions sorts by offset, then code), so one walk pairs them.
 */
export class DiagnosticObjects {
  private readonly last = new Map<string, Diagnostic[]>();

  convert(uri: string, doc: TextDocument, findings: readonly Finding[]): Diagnostic[] {
    const prev = this.last.get(uri) ?? [];
    const out = new Array<Diagnostic>(findings.length);
    let j = 0;
    for (let i = 0; i < findings.length; i++) {
      const f = findings[i]!;
      const start = doc.positionAt(f.span.start);
      const end = doc.positionAt(f.span.end);
      while (j < prev.length && before(prev[j]!.range.start, start)) j++;
      let kept: Diagnostic | undefined;
      for (let k = j; k < prev.length && samePosition(prev[k]!.range.start, start); k++) {
        const d = prev[k]!;
        if (d.code === f.code && d.message === f.message && d.severity === SEVERITY[f.severity] && samePosition(d.range.end, end)) {
          kept = d;
          break;
        }
      }
      out[i] = kept ?? diagnostic(start, end, f);
    }
    this.last.set(uri, out);
    sendsAsKept(out);
    return out;
  }

  forget(uri: string): void {
    this.last.delete(uri);
  }
}

/**
 * Result ids of pull diagnostics (LSP 3.17): each document's last answer is remembered by a fingerprint of
 * its items, so a request whose `previousResultId` names that answer gets `unchanged` when an edit left the
 * diagnostics as they were (typing inside a comment, or a change undone) and the client keeps what it shows.
 */
export class DiagnosticResults {
  private readonly last = new Map<string, { resultId: string; items: Diagnostic[] }>();
  private next = 1;

  report(uri: string, items: Diagnostic[], previousResultId: string | undefined):
    { kind: 'full'; resultId: string; items: Diagnostic[] } | { kind: 'unchanged'; resultId: string } {
    const last = this.last.get(uri);
    if (last && sameJson(last.items, items)) {
      if (previousResultId === last.resultId) return { kind: 'unchanged', resultId: last.resultId };
      return { kind: 'full', resultId: last.resultId, items };
    }
    const resultId = `${this.next++}`;
    this.last.set(uri, { resultId, items });
    return { kind: 'full', resultId, items };
  }

  forget(uri: string): void {
    this.last.delete(uri);
  }
}

/**
 * Whether two JSON values would serialise alike (keys with undefined values count as absent), compared in
 * place: a string of thousands of diagnostics was built per answer to compare them, and the first difference
 * now ends the comparison.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    if (a.length !== bs.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i] ?? null, bs[i] ?? null)) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let count = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    count++;
    if (!sameJson(ao[k], bo[k])) return false;
  }
  for (const k in bo) if (bo[k] !== undefined) count--;
  return count === 0;
}
