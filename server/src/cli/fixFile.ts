import type { BindingModel } from '../analysis/model';
import type { ParsedDocument } from '../documents/parsedDocument';
import { lint, type Finding, type LintOptions } from '../rules/lint';
import { applyPlan, planFixes } from '../rules/fixAll';

/** ruff's cap on fix passes: a fix that keeps producing new fixable findings stops here. */
const MAX_PASSES = 10;

export interface FixOutcome {
  /** The text after every pass (the input when nothing was fixed, or when a fix broke the syntax). */
  text: string;
  /** How many findings were fixed, by code. */
  fixedByCode: Map<string, number>;
  /** Set when the fixes were dropped because their output no longer parsed. */
  syntaxError?: string;
}

/** Whether any region's tree has a syntax error. */
function hasSyntaxError(doc: { regions: { tree: { rootNode: { hasError: boolean } } }[] }): boolean {
  return doc.regions.some((r) => r.tree.rootNode.hasError);
}

/**
 * Lints and fixes a Python text until no fix applies (ruff's loop: each pass re-analyses the previous pass's
 * output with `analyze`, the workspace-linked analysis check reports with, so conflicting fixes land one per pass). Fixes that leave a syntax error the input did not have are
 * dropped as a whole: the file keeps its text.
 */
export async function fixText(
  text: string, file: string, options: LintOptions, unsafe: boolean,
  analyze: (text: string) => Promise<{ model: BindingModel; doc: ParsedDocument }>,
): Promise<FixOutcome> {
  const fixedByCode = new Map<string, number>();
  let current = text;
  let inputHadError: boolean | undefined;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const { model, doc } = await analyze(current);
    try {
      if (inputHadError === undefined) inputHadError = hasSyntaxError(doc);
      else if (!inputHadError && hasSyntaxError(doc)) {
        return { text, fixedByCode: new Map(), syntaxError: `${file}: the fixes would introduce a syntax error: file left unchanged (please report this)` };
      }
      const findings: Finding[] = lint(model, options);
      const plan = planFixes(model, findings, { unsafe });
      if (plan.edits.length === 0) break;
      for (const f of plan.fixed) fixedByCode.set(f.code, (fixedByCode.get(f.code) ?? 0) + 1);
      current = applyPlan(current, plan.edits);
    } finally {
      doc.dispose();
    }
  }
  if (current !== text && !inputHadError) {
    // the last pass's output has not been parsed yet when the loop ran out of passes
    const { doc } = await analyze(current);
    const broken = hasSyntaxError(doc);
    doc.dispose();
    if (broken) return { text, fixedByCode: new Map(), syntaxError: `${file}: the fixes would introduce a syntax error: file left unchanged (please report this)` };
  }
  return { text: current, fixedByCode };
}
