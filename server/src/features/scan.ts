/**
 * What surrounds the cursor in Python text the user is still typing: the call whose arguments it is in,
 * the string it is in, the dotted name before it. A forward scan of the region (strings, comments and
 * brackets), since half-typed code (`lib.f(1, `) does not parse into the call it will become.
 */
import type { Span } from '../analysis/model';

export interface OpenCall {
  /** The dotted callee before the `(` (`lib.add`, `self._lib.f`), or '' when the callee is not a plain name. */
  callee: string;
  calleeSpan: Span;
  /** Offset of the `(`. */
  open: number;
  /** 0-based index of the argument the cursor is in. */
  argIndex: number;
  /** Where the current argument starts (after the `(` or the last top-level comma). */
  argStart: number;
}

export interface CursorContext {
  /** The innermost bracket the cursor is in, when it is a call's `(`. */
  call?: OpenCall;
  /** The string literal the cursor is in: where its body starts (after the quotes). */
  string?: { start: number; quoteStart: number };
  inComment: boolean;
}

// spaces around a dot are Python, a line break is not (outside brackets): `lib.\nlib.f(` calls `lib.f`
const DOTTED_BEFORE = /([A-Za-z_][\w]*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*)[ \t]*$/;

/** Scans `text` from `from` (a statement boundary) to `offset`. */
export function cursorContext(text: string, from: number, offset: number): CursorContext {
  const stack: { ch: string; pos: number; commas: number; argStart: number }[] = [];
  let i = from;
  let string: CursorContext['string'];
  let inComment = false;
  while (i < offset) {
    const ch = text[i]!;
    if (ch === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0 || nl >= offset) {
        inComment = true;
        break;
      }
      i = nl + 1;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const triple = text.startsWith(ch.repeat(3), i);
      const quote = triple ? ch.repeat(3) : ch;
      const bodyStart = i + quote.length;
      let j = bodyStart;
      let closed = -1;
      while (j < text.length) {
        const c = text[j]!;
        if (c === '\\') {
          j += 2;
          continue;
        }
        if (!triple && c === '\n') break; // an unclosed one-line string ends at the line
        if (text.startsWith(quote, j)) {
          closed = j;
          break;
        }
        j++;
      }
      const end = closed < 0 ? j : closed + quote.length;
      if (offset <= (closed < 0 ? j : closed) && offset >= bodyStart) {
        string = { start: bodyStart, quoteStart: i };
        break;
      }
      if (closed < 0 && offset > j) {
        i = j;
        continue;
      }
      i = end;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') stack.push({ ch, pos: i, commas: 0, argStart: i + 1 });
    else if (ch === ')' || ch === ']' || ch === '}') stack.pop();
    else if (ch === ',' && stack.length) {
      const top = stack[stack.length - 1]!;
      top.commas++;
      top.argStart = i + 1;
    }
    i++;
  }
  const top = stack[stack.length - 1];
  let call: OpenCall | undefined;
  if (top?.ch === '(') {
    const before = text.slice(Math.max(from, top.pos - 200), top.pos);
    const m = DOTTED_BEFORE.exec(before);
    const calleeStart = m ? top.pos - before.length + m.index : top.pos;
    const calleeEnd = m ? calleeStart + m[1]!.length : top.pos;
    // `if (`, `return (`: keywords are not callees
    const callee = m && !/^(if|elif|while|return|and|or|not|in|is|with|for|assert|yield|await|lambda|print)$/.test(m[1]!) ? m[1]!.replace(/\s+/g, '') : '';
    call = { callee, calleeSpan: { start: calleeStart, end: calleeEnd }, open: top.pos, argIndex: top.commas, argStart: top.argStart };
  }
  return { call, string, inComment };
}

/** The identifier characters before `offset` (the word being typed) and where they start. */
export function wordBefore(text: string, offset: number): { start: number; word: string } {
  let start = offset;
  while (start > 0 && /[\w]/.test(text[start - 1]!)) start--;
  return { start, word: text.slice(start, offset) };
}

/** The identifier under or just before `offset`. */
export function wordAt(text: string, offset: number): Span | undefined {
  let start = offset;
  let end = offset;
  while (start > 0 && /\w/.test(text[start - 1]!)) start--;
  while (end < text.length && /\w/.test(text[end]!)) end++;
  return end > start && /^[A-Za-z_]/.test(text[start]!) ? { start, end } : undefined;
}
