import type { BindingModel } from '../analysis/model';
import { ruleInfo, type Severity } from './catalogue';
import { CFFI_RULES } from './cffiRules';
import { ARGUMENT_RULES } from './argumentRules';
import { CTYPES_RULES } from './ctypesRules';
import { plainSpan, type Finding, type Rule, type RuleFinding } from './finding';
import { PYPY_RULES } from './pypyRules';

export type { Finding, RuleFinding } from './finding';

export type SeveritySetting = Severity | 'off';

export interface LintOptions {
  /** Codes or prefixes to enable (ruff semantics); default: every rule ("PB"). `ALL` means every rule. */
  select?: readonly string[];
  /** Codes or prefixes to disable; the more specific of select/ignore wins, ignore on a tie. */
  ignore?: readonly string[];
  /** Code (or prefix) → severity override; `off` disables the rule. The most specific key wins. */
  severity?: Readonly<Record<string, SeveritySetting>>;
  /** Honour `# noqa` comments (default true). */
  noqa?: boolean;
}

export const ALL_RULES: readonly Rule[] = [...PYPY_RULES, ...CTYPES_RULES, ...ARGUMENT_RULES, ...CFFI_RULES];

/** Length of the longest selector matching code (0 when none). */
function specificity(code: string, selectors: readonly string[]): number {
  let best = 0;
  for (const raw of selectors) {
    const s = raw.trim().toUpperCase();
    if (s === 'ALL' && best === 0) best = 0.5;
    else if (s && code.startsWith(s) && s.length > best) best = s.length;
  }
  return best;
}

/** Whether select/ignore enable a code (ruff: select narrows, ignore removes, the more specific wins). */
export function isSelected(code: string, options: LintOptions = {}): boolean {
  const sel = specificity(code, options.select ?? ['PB']);
  if (sel === 0) return false;
  return specificity(code, options.ignore ?? []) < sel;
}

/** The effective severity of a code, or 'off'. */
export function severityOf(code: string, options: LintOptions = {}): SeveritySetting | undefined {
  let best: { len: number; value: SeveritySetting } | undefined;
  for (const [key, value] of Object.entries(options.severity ?? {})) {
    const k = key.trim().toUpperCase();
    if (code.startsWith(k) && (!best || k.length > best.len)) best = { len: k.length, value };
  }
  return best?.value ?? ruleInfo(code)?.defaultSeverity;
}

const CODE_LIST = /^\s*:\s*([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)/i;

/** `# noqa` on a line: undefined when absent, 'all' when bare, else the listed codes. */
export function lineNoqa(line: string): 'all' | Set<string> | undefined {
  const m = /(?:#|\/\/)\s*noqa\b(.*)$/i.exec(line);
  if (!m) return undefined;
  const codes = CODE_LIST.exec(m[1]!);
  if (!codes) return 'all';
  return new Set(codes[1]!.split(/[\s,]+/).map((c) => c.toUpperCase()));
}

/** `# pypy-bindings: noqa[: codes]` comment lines: undefined when absent, 'all' when bare, else codes/prefixes. */
export function fileNoqa(text: string): 'all' | Set<string> | undefined {
  if (!text.includes('pypy-bindings')) return undefined;
  let result: Set<string> | undefined;
  for (const m of text.matchAll(/^[ \t]*#[ \t]*pypy-bindings:[ \t]*noqa\b([^\n]*)/gim)) {
    const codes = CODE_LIST.exec(m[1]!);
    if (!codes) return 'all';
    result ??= new Set();
    for (const c of codes[1]!.split(/[\s,]+/)) result.add(c.toUpperCase());
  }
  return result;
}

/**
 * `# noqa` of the line holding each offset, for offsets asked in ascending order: each line is found and
 * scanned once, so many findings on one long line cost one pass over it (not one per finding).
 */
function noqaByLine(text: string): (offset: number) => ReturnType<typeof lineNoqa> {
  let start = 0;
  let end = -1;
  let noqa: ReturnType<typeof lineNoqa>;
  // a line without the word cannot have a `# noqa` (lineNoqa's regex needs it): the lines are read only where it
  // occurs, found by one search forward (most files have it nowhere), not by a slice and a regex per line
  const word = /noqa/gi;
  let wordFrom = 0;
  let wordAt = -2; // the first occurrence at or after wordFrom (-1: none); -2: not searched yet
  const firstWordFrom = (from: number) => {
    if (wordAt === -2 || from < wordFrom || (wordAt >= 0 && wordAt < from)) {
      word.lastIndex = from;
      wordAt = word.exec(text)?.index ?? -1;
      wordFrom = from;
    }
    return wordAt;
  };
  return (offset) => {
    if (offset > end || offset < start) {
      // ascending offsets: the search back stops at the previous line's newline at the latest
      start = text.lastIndexOf('\n', offset - 1) + 1;
      const nl = text.indexOf('\n', offset);
      end = nl < 0 ? text.length : nl;
      const at = firstWordFrom(start);
      noqa = at >= 0 && at < end ? lineNoqa(text.slice(start, end)) : undefined;
    }
    return noqa;
  };
}

/**
 * Applies options and suppressions to rule findings over a text (shared by Python and C sources). Rule spans
 * may be anchored to a region (rules keep findings per region across edits): the findings get plain offsets.
 */
export function applyOptions(raw: RuleFinding[], text: string, options: LintOptions = {}): Finding[] {
  const useNoqa = options.noqa !== false;
  const fileLevel = useNoqa ? fileNoqa(text) : undefined;
  if (fileLevel === 'all') return [];
  const out: Finding[] = [];
  const noqaAt = noqaByLine(text);
  // what the options say of a code, once per code (a file may have thousands of findings of a few codes)
  const byCode = new Map<string, { info: NonNullable<ReturnType<typeof ruleInfo>>; severity: Severity } | null>();
  const settle = (code: string) => {
    const info = ruleInfo(code);
    if (!info || !isSelected(code, options)) return null;
    const severity = severityOf(code, options);
    if (!severity || severity === 'off') return null;
    if (fileLevel && [...fileLevel].some((c) => code.startsWith(c))) return null;
    return { info, severity };
  };
  for (const f of [...raw].sort((a, b) => a.span.start - b.span.start)) {
    let settled = byCode.get(f.code);
    if (settled === undefined) byCode.set(f.code, (settled = settle(f.code)));
    if (!settled) continue;
    const { info, severity } = settled;
    if (useNoqa) {
      const noqa = noqaAt(f.span.start);
      if (noqa === 'all' || noqa?.has(f.code)) continue;
    }
    out.push({ code: f.code, severity, span: plainSpan(f.span), message: f.message, guideSection: info.guideSection, ...(f.data ? { data: f.data } : {}) });
  }
  return out.sort((a, b) => a.span.start - b.span.start || a.code.localeCompare(b.code));
}

/** Runs every rule over the model, with select/ignore, severity and noqa applied. Never throws for one bad rule. */
export function lint(model: BindingModel, options: LintOptions = {}, onError?: (rule: string, e: unknown) => void): Finding[] {
  const raw: RuleFinding[] = [];
  for (const rule of ALL_RULES) {
    try {
      raw.push(...rule(model));
    } catch (e) {
      if (onError) onError(rule.name, e);
      else throw e;
    }
  }
  return applyOptions(raw, model.text, options);
}

/** C that cffi generates (its `_cffi_` module source) or compiles (a set_source body that uses no C-API). */
export function isCffiOwnedC(text: string): boolean {
  if (/\b_CFFI_[A-Z_]+\b|\b_cffi_[a-z_]+\b/.test(text)) return true;
  return !/\bPy[A-Z][A-Za-z]*_[A-Za-z]\w*\s*\(|\bPy_[A-Z]\w*\b|\bPyObject\b|\bPyMODINIT_FUNC\b|\bPyMethodDef\b/.test(text);
}

/**
 * PB103 for C/C++ sources (the CLI checks .c/.cc/.cpp/.h files): the first `#include <Python.h>` marks a
 * CPython C-API extension. A line scan, these files are not parsed; `// noqa: PB103` on the line silences it.
 */
export function lintCSource(text: string, options: LintOptions = {}): Finding[] {
  const m = /^[ \t]*#[ \t]*include[ \t]*[<"]Python\.h[>"]/m.exec(text);
  if (!m || isCffiOwnedC(text)) return [];
  const start = m.index + m[0].indexOf('#');
  const raw: RuleFinding[] = [{
    code: 'PB103',
    span: { start, end: m.index + m[0].length },
    message: 'C-API extension: on PyPy it runs only through slow cpyext; write the binding with cffi',
  }];
  return applyOptions(raw, text, options);
}
