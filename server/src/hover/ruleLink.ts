/**
 * Links to a rule's own section of docs/rules.md. VS Code opens a `file:` link at the line its fragment names
 * (`#L38`), not at a Markdown heading anchor (`#pb101` opens line 1), so offline links carry the line of the
 * rule's `## PBxxx` heading; a published (https) catalogue keeps the heading anchor.
 */
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RULES_DOC_URL, ruleDocUrl } from '../rules/catalogue';

let headingLines: Map<string, number> | undefined;

/** 1-based line of each `## PBxxx` heading in the shipped rules.md. */
function headings(): Map<string, number> {
  if (headingLines) return headingLines;
  headingLines = new Map();
  try {
    const lines = fs.readFileSync(fileURLToPath(RULES_DOC_URL), 'utf8').split('\n');
    lines.forEach((l, i) => {
      const m = /^##\s+(PB\d+)\b/.exec(l);
      if (m) headingLines!.set(m[1]!, i + 1);
    });
  } catch {
    // no local catalogue: the anchor form below still names the rule
  }
  return headingLines;
}

export function ruleSectionLink(code: string): string {
  if (!RULES_DOC_URL.startsWith('file:')) return ruleDocUrl(code);
  const line = headings().get(code.toUpperCase());
  return line ? `${RULES_DOC_URL}#L${line}` : ruleDocUrl(code);
}
