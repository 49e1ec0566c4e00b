import type { BindingModel } from '../analysis/model';
import type { Finding } from './finding';
import { fixesFor, type OffsetEdit, type QuickFix } from './fixes';

export interface FixAllOptions {
  /** Apply unsafe fixes too (`--unsafe-fixes`). */
  unsafe?: boolean;
}

export interface FixPlan {
  /** Non-overlapping edits of the model's text, in text order. */
  edits: OffsetEdit[];
  /** The findings whose fix is in `edits`. */
  fixed: Finding[];
  /** Findings that have a fix that was not applied (unsafe without opt-in, or overlapping another fix). */
  skipped: { finding: Finding; reason: 'unsafe' | 'overlap' }[];
}

/** Whether a finding has a fix of the wanted applicability (for `[*]` markers and `--statistics`). */
export function fixableWith(model: BindingModel, finding: Finding, options: FixAllOptions = {}): QuickFix | undefined {
  return fixesFor(model, finding).find((f) => f.applicability === 'safe' || options.unsafe);
}

/** Two edits conflict when their ranges share a character, or an insertion falls strictly inside a replacement. */
function conflicts(a: OffsetEdit, b: OffsetEdit): boolean {
  if (a.start === a.end && b.start === b.end) return false;
  return a.start < b.end && b.start < a.end;
}

/**
 * One pass of "fix all": the first fix of each finding, in text order, unless it conflicts with one already
 * taken (ruff re-lints and fixes again for those: callers loop). Identical insertions (two fixes that both add
 * `import ctypes` at the same place) are made once.
 */
export function planFixes(model: BindingModel, findings: readonly Finding[], options: FixAllOptions = {}): FixPlan {
  const edits: OffsetEdit[] = [];
  const fixed: Finding[] = [];
  const skipped: FixPlan['skipped'] = [];
  for (const finding of findings) {
    const fixes = fixesFor(model, finding);
    if (fixes.length === 0) continue;
    const fix = fixes.find((f) => f.applicability === 'safe' || options.unsafe);
    if (!fix) {
      skipped.push({ finding, reason: 'unsafe' });
      continue;
    }
    const fresh = fix.edits.filter((e) => !edits.some((t) => t.start === e.start && t.end === e.end && t.newText === e.newText));
    if (fresh.some((e) => edits.some((t) => conflicts(e, t)))) {
      skipped.push({ finding, reason: 'overlap' });
      continue;
    }
    edits.push(...fresh);
    fixed.push(finding);
  }
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  return { edits, fixed, skipped };
}

/** Applies a plan's edits; insertions at one offset land in array order, as LSP clients apply them. */
export function applyPlan(text: string, edits: readonly OffsetEdit[]): string {
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += text.slice(at, e.start) + e.newText;
    at = e.end;
  }
  return out + text.slice(at);
}
