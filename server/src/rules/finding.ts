import type { BindingModel, Span } from '../analysis/model';
import type { GuideSectionRef, Severity } from './catalogue';

/** What a rule reports, before options (severity, select/ignore, noqa) are applied. */
export interface RuleFinding {
  code: string;
  /** May be anchored to a region (a getter that follows later edits before it): applyOptions copies it. */
  span: Span;
  message: string;
  /** Facts a quick fix needs (e.g. the library and function of PB204/PB205). */
  data?: Record<string, unknown>;
}

/** A finding after lint(): ready for the LSP layer and the CLI. Spans are plain UTF-16 offsets. */
export interface Finding {
  code: string;
  severity: Severity;
  span: Span;
  message: string;
  guideSection: GuideSectionRef;
  data?: Record<string, unknown>;
}

export type Rule = (model: BindingModel) => RuleFinding[];

/** A plain copy of a span (model spans may be anchored getters that move with later edits). */
export function plainSpan(s: Span): Span {
  return { start: s.start, end: s.end };
}
