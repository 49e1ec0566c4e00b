/**
 * Finds offsets where the text can be cut into independently parseable Python regions: the start of a
 * line that begins a top-level statement, outside any string, bracket or backslash continuation.
 * Parsing each region alone then yields the same statements as parsing the whole file.
 */

/** Keywords that continue the previous top-level statement, so a region must not start with them. */
const CONTINUATIONS = /^(else|elif|except|finally)\b/;

export interface ScanState {
  /** Closing quote sequence of the string we are in ('"""', "'", …), or '' outside strings. */
  quote: string;
  depth: number;
  /** The previous physical line ended with a backslash continuation. */
  continued: boolean;
}

/**
 * Lines that can only begin a statement: met at column 0 inside an unclosed bracket, they close it (the text
 * before is broken anyway), so one unclosed bracket does not make the rest of the file a single region.
 */
const STATEMENT_ONLY = /(?:def|class|import|async[ \t]+def)\b|from[ \t]+[\w.]+[ \t]+import\b/y;

/** Whether a region may follow text that ended in state `end`: a clean state, or an open bracket that `next` closes by starting a statement. */
export function canFollow(end: ScanState, next: string): boolean {
  if (isClean(end)) return true;
  if (end.quote !== '' || end.continued) return false;
  STATEMENT_ONLY.lastIndex = 0;
  return STATEMENT_ONLY.test(next);
}

export const CLEAN: ScanState = { quote: '', depth: 0, continued: false };

export function isClean(s: ScanState): boolean {
  return s.quote === '' && s.depth === 0 && !s.continued;
}

/**
 * Scans text from a clean state and reports the state at its end, calling onLineStart for every line
 * start reached in a clean state (with the offset of that line).
 */
export function scan(text: string, onLineStart?: (offset: number) => unknown, from = 0, to = text.length): ScanState {
  let quote = '';
  let depth = 0;
  let continued = false;
  let i = from;
  let lineStart = true;
  while (i < to) {
    if (lineStart) {
      lineStart = false;
      const wasContinued = continued;
      continued = false;
      if (quote === '' && depth > 0 && !wasContinued) {
        STATEMENT_ONLY.lastIndex = i;
        if (STATEMENT_ONLY.test(text)) depth = 0;
      }
      // a callback that answers true ends the scan there (the state returned is then the clean one at that line)
      if (quote === '' && depth === 0 && !wasContinued && onLineStart && onLineStart(i) === true) return { quote, depth, continued };
    }
    const ch = text.charCodeAt(i);
    if (quote !== '') {
      if (ch === 92 /* \ */) {
        i += 2;
        if (text.charCodeAt(i - 1) === 10) lineStart = true;
        continue;
      }
      if (ch === 10) {
        lineStart = true;
        if (quote.length === 1) quote = ''; // an unterminated one-line string ends at the newline
        i++;
        continue;
      }
      if (ch === quote.charCodeAt(0) && (quote.length === 1 || text.startsWith(quote, i))) {
        i += quote.length;
        quote = '';
        continue;
      }
      i++;
      continue;
    }
    switch (ch) {
      case 35 /* # */: {
        const nl = text.indexOf('\n', i);
        i = nl < 0 || nl > to ? to : nl;
        continue;
      }
      case 34 /* " */:
      case 39 /* ' */: {
        const triple = text.charCodeAt(i + 1) === ch && text.charCodeAt(i + 2) === ch;
        quote = ch === 34 ? (triple ? '"""' : '"') : triple ? "'''" : "'";
        i += quote.length;
        continue;
      }
      case 40: case 91: case 123: depth++; break;
      case 41: case 93: case 125: if (depth > 0) depth--; break;
      case 92 /* \ */:
        if (text.charCodeAt(i + 1) === 10) {
          continued = true;
          lineStart = true;
          i += 2;
          continue;
        }
        if (text.charCodeAt(i + 1) === 13 && text.charCodeAt(i + 2) === 10) {
          continued = true;
          lineStart = true;
          i += 3;
          continue;
        }
        break;
      case 10: lineStart = true; break;
    }
    i++;
  }
  return { quote, depth, continued };
}

/** Whether a region may begin at this offset: a line start at column 0 with a statement that stands alone. */
export function canStartRegion(text: string, offset: number): boolean {
  const ch = text.charCodeAt(offset);
  if (Number.isNaN(ch) || ch === 32 || ch === 9 || ch === 10 || ch === 13 || ch === 35 || ch === 12) return false;
  if (ch === 64 /* @ */) return true; // a decorator starts its statement
  if (ch !== 101 /* e */ && ch !== 102 /* f */) return true; // no continuation keyword starts otherwise
  const head = text.slice(offset, offset + 8);
  return !CONTINUATIONS.test(head);
}

export interface CandidateCuts {
  cuts: number[];
  end: ScanState;
  decoratorAtEnd: boolean;
  /**
   * For a long text: every line start the scan reached in a clean state, and whether the code line before it was a
   * decorator (`lines[k]`, `decorated[k]`): where a scan of an edited text can start and where it meets this one again.
   */
  lines?: number[];
  decorated?: boolean[];
}

/** Texts from this length keep their clean line starts, so that a cut scan after an edit re-reads only around it. */
const LINES_MIN_CHARS = 8192;

/** Every offset where a region may start (0 first), the scan state at the end, and whether the text ends in a decorator. */
export function candidateCuts(text: string): CandidateCuts {
  const { cuts, end, decoratorAtEnd, lines, decorated } = cutsFrom(text, 0, false, text.length >= LINES_MIN_CHARS);
  return lines ? { cuts, end, decoratorAtEnd, lines, decorated } : { cuts, end, decoratorAtEnd };
}

/** The cut scan from a clean line start `from` with the decorator state there; `stop(offset, decorated)` may end it at a clean line start. */
function cutsFrom(text: string, from: number, decorated: boolean, keepLines: boolean, stop?: (offset: number, decorated: boolean) => boolean): CandidateCuts & { stopped?: number } {
  const cuts = from === 0 ? [0] : [];
  const lines: number[] | undefined = keepLines ? [] : undefined;
  const flags: boolean[] | undefined = keepLines ? [] : undefined;
  let prevLineWasDecorator = decorated;
  let stopped: number | undefined;
  const end = scan(text, (offset) => {
    if (offset > from && stop?.(offset, prevLineWasDecorator)) {
      stopped = offset;
      return true;
    }
    lines?.push(offset);
    flags?.push(prevLineWasDecorator);
    if (offset > 0 && !prevLineWasDecorator && canStartRegion(text, offset)) cuts.push(offset);
    // only code lines at column 0 change whether the next cut is allowed
    const ch = text.charCodeAt(offset);
    if (ch !== 32 && ch !== 9 && ch !== 10 && ch !== 13 && ch !== 35 && !Number.isNaN(ch)) prevLineWasDecorator = ch === 64;
    return false;
  }, from);
  return { cuts, end, decoratorAtEnd: prevLineWasDecorator, lines, decorated: flags, stopped };
}

/** The last index of a sorted array whose value is at most `x` (-1 when none). */
function lastAtMost(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * `candidateCuts(text)` after an edit replaced `[start, oldEnd)` of the text `before` was scanned from (in
 * `text`, the new text, the replacement ends at `newEnd`): the scan starts at the last clean line start at or
 * before the edit (the scan state there depends only on the text before it) and stops at the first clean line
 * start past the edit that was a clean line start of the old scan with the same decorator state, after which
 * both scans read the same text from the same state; the rest is the old result, moved.
 */
export function candidateCutsAfterEdit(before: CandidateCuts, text: string, start: number, oldEnd: number, newEnd: number): CandidateCuts {
  const oldLines = before.lines;
  const oldFlags = before.decorated;
  if (!oldLines || !oldFlags || text.length < LINES_MIN_CHARS) return candidateCuts(text);
  const k = lastAtMost(oldLines, start);
  if (k < 0) return candidateCuts(text);
  const from = oldLines[k]!;
  const delta = newEnd - oldEnd;
  let j = k;
  const scanned = cutsFrom(text, from, oldFlags[k]!, true, (offset, decorated) => {
    if (offset <= newEnd) return false;
    const old = offset - delta;
    while (j < oldLines.length && oldLines[j]! < old) j++;
    return j < oldLines.length && oldLines[j] === old && oldFlags[j] === decorated;
  });
  const head = (a: readonly number[], limit: number) => a.slice(0, lastAtMost(a, limit - 1) + 1);
  const cuts = head(before.cuts, from);
  cuts.push(...scanned.cuts);
  const lines = oldLines.slice(0, k);
  lines.push(...scanned.lines!);
  const decorated = oldFlags.slice(0, k);
  decorated.push(...scanned.decorated!);
  if (scanned.stopped === undefined) return { cuts, end: scanned.end, decoratorAtEnd: scanned.decoratorAtEnd, lines, decorated };
  const resume = scanned.stopped - delta;
  for (let c = lastAtMost(before.cuts, resume - 1) + 1; c < before.cuts.length; c++) cuts.push(before.cuts[c]! + delta);
  for (let l = j; l < oldLines.length; l++) {
    lines.push(oldLines[l]! + delta);
    decorated.push(oldFlags[l]!);
  }
  return { cuts, end: before.end, decoratorAtEnd: before.decoratorAtEnd, lines, decorated };
}

/**
 * Cut points (region start offsets, always including 0) for regions of roughly `target` UTF-16 units.
 * A cut never separates a decorator from what it decorates.
 */
export function findSplitPoints(text: string, target = 4096): number[] {
  const cuts = [0];
  let last = 0;
  for (const c of candidateCuts(text).cuts) {
    if (c - last >= target) {
      cuts.push(c);
      last = c;
    }
  }
  return cuts;
}
