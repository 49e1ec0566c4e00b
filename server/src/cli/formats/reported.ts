import type { Applicability } from '../../rules/fixes';

/** One finding as the CLI prints it (1-based lines and UTF-16 columns; the end is exclusive). */
export interface Reported {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  code: string;
  severity: string;
  message: string;
  /** The rule's documentation (docs/rules.md section). */
  url: string;
  /** The fix `--fix` (safe) or `--fix --unsafe-fixes` (unsafe) would apply. */
  fix?: { applicability: Applicability; message: string };
}

/** What every format is given: the findings, and the source lines for formats that quote them. */
export interface CheckReport {
  reported: Reported[];
  /** file → its text's lines (for the text format's snippets). */
  lines: Map<string, string[]>;
  /** Counts for the summary after `--fix`. */
  fixed: number;
  /** Whether unsafe fixes were enabled (the summary's hint differs). */
  unsafeFixes: boolean;
}

export const isFailing = (r: Reported) => r.severity === 'error' || r.severity === 'warning';

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
