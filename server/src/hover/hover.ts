/**
 * Hovers: what the code under the cursor means for a PyPy binding. Quotes PyPy's guide where the code touches
 * it, and explains what the binding model knows beyond the text (C types, prototypes, cdef declarations, the
 * ffi API). A pure function of the model, the parsed document and the findings already computed.
 */
import type { Hover, Position } from 'vscode-languageserver';
import type { BindingModel, Span } from '../analysis/model';
import type { ParsedDocument } from '../documents/parsedDocument';
import type { ExternalDeclarations } from '../features/bindings';
import { guideRefFor, overlap, quoteGuide, quoteSentence, sentences } from './guideQuote';
import { ruleSectionLink } from './ruleLink';
import { explainTarget, findTarget, guideFooter } from './targets';
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
  /** Declarations of other files (an out-of-line module's build script). */
  external?: ExternalDeclarations;
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
  // The guide is quoted once per hover: by the first finding that rests on it, else by the target.
  let guideQuoted = false;

  // Findings first: they are why the user is hovering. The editor shows the diagnostic's message right above
  // this hover, so a finding adds only what its message does not say: why, the guide's sentence, the link.
  const seenCodes = new Set<string>();
  for (const p of here) {
    const code = String(p.code);
    if (seenCodes.has(code)) continue;
    seenCodes.add(code);
    const rule = rules(code);
    const lines = [`**[${code}](${ruleSectionLink(code)})**${rule ? ` · ${rule.title}` : ''}`];
    const why = rule?.explanation ? unsaid(rule.explanation, p.message) : '';
    if (why) lines.push('', why);
    const ref = rule?.guideSection ? guideRefFor(rule.guideSection) : undefined;
    const sentence = ref && !guideQuoted ? quoteSentence(ref, `${rule!.explanation ?? ''} ${p.message}`) : undefined;
    if (sentence) {
      lines.push('', sentence);
      guideQuoted = true;
    }
    parts.push(lines.join('\n'));
  }
  if (target) {
    const explained = explainTarget(model, target, positions, options.external);
    if (explained.markdown) parts.push(explained.markdown);
    if (!guideQuoted && explained.guide) {
      const q = quoteGuide(explained.guide);
      if (q) {
        parts.push(q);
        guideQuoted = true;
      }
    }
    if (!guideQuoted && explained.footer) parts.push(guideFooter(explained.footer));
  }
  if (parts.length === 0) return null;

  const span = target?.span ?? here[0]!.span;
  return {
    contents: { kind: 'markdown', value: parts.join(SEPARATOR) },
    range: { start: positions.positionAt(span.start), end: positions.positionAt(span.end) },
  };
}

/** The sentences of a rule's explanation that its message does not already say. */
export function unsaid(explanation: string, message: string): string {
  return sentences(explanation)
    .filter((s) => overlap(s, message) < 0.6)
    .join(' ');
}

function covers(span: Span, offset: number): boolean {
  return span.start === span.end ? offset === span.start : offset >= span.start && offset < span.end;
}
