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
export function scan(text: string, onLineStart?: (offset: number) => void, from = 0, to = text.length): ScanState {
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
      if (quote === '' && depth === 0 && !wasContinued && onLineStart) onLineStart(i);
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
}

/** Every offset where a region may start (0 first), the scan state at the end, and whether the text ends in a decorator. */
export function candidateCuts(text: string): CandidateCuts {
  const cuts = [0];
  let prevLineWasDecorator = false;
  const end = scan(text, (offset) => {
    if (offset > 0 && !prevLineWasDecorator && canStartRegion(text, offset)) cuts.push(offset);
    // only code lines at column 0 change whether the next cut is allowed
    const ch = text.charCodeAt(offset);
    if (ch !== 32 && ch !== 9 && ch !== 10 && ch !== 13 && ch !== 35 && !Number.isNaN(ch)) prevLineWasDecorator = ch === 64;
  });
  return { cuts, end, decoratorAtEnd: prevLineWasDecorator };
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
