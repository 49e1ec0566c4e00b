/**
 * Hovers: what the code under the cursor means for a PyPy binding. Quotes PyPy's guide where the code touches
 * it, and explains what the binding model knows beyond the text (C types, prototypes, cdef declarations, the
 * ffi API). A pure function of the model, the parsed document and the findings already computed.
 */
import type { Hover, Position } from 'vscode-languageserver';
import type { BindingModel, Span } from '../analysis/model';
import type { ParsedDocument } from '../documents/parsedDocument';
import { quoteGuide, guideRefFor, type GuideRef } from './guideQuote';
import { explainTarget, findTarget } from './targets';
import { defaultRuleLookup, type RuleLookup } from './ruleInfo';

/** A finding under the cursor: what lint reports (offsets), e.g. a `Finding` or a diagnostic's origin. */
export interface HoverProblem {
  code: string | number;
  message: string;
  span: Span;
}

/** Turns offsets into LSP positions; a `TextDocument` of vscode-languageserver-textdocument fits. */
export interface PositionMapper {
  positionAt(offset: number): Position;
}

export interface HoverOptions {
  /** Rule explanations by code; defaults to the rule catalogue. */
  rules?: RuleLookup;
}

const SEPARATOR = '\n\n---\n\n';

/**
 * The hover at a UTF-16 offset, or null when nothing there concerns bindings.
 * `problems` are the lint findings of this model (only those with a PB code under the cursor are shown).
 */
export function hoverAt(
  model: BindingModel,
  doc: ParsedDocument,
  offset: number,
  problems: readonly HoverProblem[],
  positions: PositionMapper,
  options: HoverOptions = {},
): Hover | null {
  const rules = options.rules ?? defaultRuleLookup;
  const target = findTarget(model, doc, offset);
  const here = problems.filter((p) => /^PB\d+$/.test(String(p.code)) && covers(p.span, offset));

  const parts: string[] = [];
  const quoted = new Set<GuideRef>();
  const quote = (ref: GuideRef | undefined) => {
    if (!ref || quoted.has(ref)) return;
    // The _rawffi paragraph is part of the CTypes section: never quote both.
    if ((ref === 'rawffi' && quoted.has('ctypes')) || (ref === 'ctypes' && quoted.has('rawffi'))) return;
    const q = quoteGuide(ref);
    if (q) {
      quoted.add(ref);
      parts.push(q);
    }
  };

  // Findings first: they are why the user is hovering.
  const ruleSections: GuideRef[] = [];
  for (const p of here) {
    const code = String(p.code);
    const rule = rules(code);
    const lines = [`**${code}**${rule ? ` · ${rule.title}` : ''}`, '', p.message];
    if (rule?.explanation) lines.push('', rule.explanation);
    parts.push(lines.join('\n'));
    const ref = rule?.guideSection ? guideRefFor(rule.guideSection) : undefined;
    if (ref) ruleSections.push(ref);
  }
  if (target) {
    const explained = explainTarget(model, target, positions);
    if (explained.markdown) parts.push(explained.markdown);
    quote(explained.guide);
  }
  for (const ref of ruleSections) quote(ref);
  if (parts.length === 0) return null;

  const span = target?.span ?? here[0]!.span;
  return {
    contents: { kind: 'markdown', value: parts.join(SEPARATOR) },
    range: { start: positions.positionAt(span.start), end: positions.positionAt(span.end) },
  };
}

function covers(span: Span, offset: number): boolean {
  return span.start === span.end ? offset === span.start : offset >= span.start && offset < span.end;
}
