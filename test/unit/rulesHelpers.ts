import { analyzeText } from '../../server/src/analysis/analyze';
import { lint, type Finding, type LintOptions } from '../../server/src/rules/lint';

export interface Hit {
  code: string;
  severity: string;
  line: number;
  text: string;
  finding: Finding;
}

/** Lints a snippet and returns each finding with its 1-based line and the text its range covers. */
export async function check(src: string, options: LintOptions = {}, uri = 'file:///proj/mod.py'): Promise<Hit[]> {
  const { model, doc } = await analyzeText(src, uri);
  try {
    return lint(model, options).map((f) => ({
      code: f.code, severity: f.severity, line: src.slice(0, f.span.start).split('\n').length, text: src.slice(f.span.start, f.span.end), finding: f,
    }));
  } finally {
    doc.dispose?.();
  }
}

export function codes(hits: Hit[]): string[] {
  return hits.map((h) => h.code);
}

export function only(hits: Hit[], code: string): Hit[] {
  return hits.filter((h) => h.code === code);
}

/** 1-based line of the first occurrence of needle in src. */
export function lineOf(src: string, needle: string): number {
  const i = src.indexOf(needle);
  if (i < 0) throw new Error(`not in snippet: ${needle}`);
  return src.slice(0, i).split('\n').length;
}
