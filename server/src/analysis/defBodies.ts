import { scan } from '../documents/splitPoints';

/** The indented block of one `def` (at any depth): whole lines from its first code line, [start, end). */
export interface DefBody {
  start: number;
  /** Where the first line's code begins (its indentation is text[start, codeStart)). */
  codeStart: number;
  end: number;
}

const DEF_AT = /(?:async[ \t]+)?def[ \t]/y;
/** A header's logical line ends with its colon (then at most a comment): its body is the block below. */
const HEADER_END = /:[ \t\f]*(?:#[^\n]*)?\n?$/;

const isIndent = (c: number) => c === 32 || c === 9 || c === 12;

/**
 * The block bodies of every def in a text, in text order (a nested def's after its parent's). Each begins and
 * ends at a line start outside any string, bracket or continuation (splitPoints.ts `scan`), so what lies between
 * is balanced: replacing it leaves the statements around it as they were.
 */
export function defBodies(text: string): DefBody[] {
  const starts: number[] = [];
  scan(text, (offset) => starts.push(offset));
  const indent: number[] = [];
  const code: boolean[] = [];
  for (const s of starts) {
    let p = s;
    while (isIndent(text.charCodeAt(p))) p++;
    const c = text.charCodeAt(p);
    indent.push(p - s);
    code.push(!(Number.isNaN(c) || c === 10 || c === 13 || c === 35));
  }
  const out: DefBody[] = [];
  for (let i = 0; i + 1 < starts.length; i++) {
    if (!code[i]) continue;
    DEF_AT.lastIndex = starts[i]! + indent[i]!;
    if (!DEF_AT.test(text) || !HEADER_END.test(text.slice(starts[i]!, starts[i + 1]!))) continue;
    let j = i + 1;
    while (j < starts.length && !code[j]) j++;
    if (j === starts.length || !deeper(text, starts[j]!, indent[j]!, starts[i]!, indent[i]!)) continue;
    let k = j + 1;
    while (k < starts.length && (!code[k] || deeper(text, starts[k]!, indent[k]!, starts[i]!, indent[i]!))) k++;
    out.push({ start: starts[j]!, codeStart: starts[j]! + indent[j]!, end: k < starts.length ? starts[k]! : text.length });
  }
  return out;
}

/** Whether the line at `s` is indented below the line at `d`: its indentation longer and beginning with that one. */
function deeper(text: string, s: number, n: number, d: number, m: number): boolean {
  if (n <= m) return false;
  for (let x = 0; x < m; x++) if (text.charCodeAt(s + x) !== text.charCodeAt(d + x)) return false;
  return true;
}

/**
 * The text with each body `skip` accepts (outermost first: a skipped body's defs go with it) replaced by `pass`
 * and spaces: the same length, the same line ends, so every offset outside the bodies is unchanged. A body whose
 * first line is too short to hold `pass` is kept.
 */
export function withBodiesSkipped(text: string, bodies: readonly DefBody[], skip: (b: DefBody) => boolean): { text: string; skipped: DefBody[] } {
  const skipped: DefBody[] = [];
  const parts: string[] = [];
  let done = 0;
  for (const b of bodies) {
    if (b.start < done) continue; // inside a skipped body
    const lineEnd = text.indexOf('\n', b.codeStart);
    if ((lineEnd < 0 ? b.end : Math.min(lineEnd, b.end)) - b.codeStart < 4 || !skip(b)) continue;
    parts.push(text.slice(done, b.codeStart), 'pass', blank(text.slice(b.codeStart + 4, b.end)));
    done = b.end;
    skipped.push(b);
  }
  if (!skipped.length) return { text, skipped };
  parts.push(text.slice(done));
  return { text: parts.join(''), skipped };
}

/** Spaces for every code unit but line ends. */
function blank(s: string): string {
  return s.replace(/[^\n\r]+/g, (run) => ' '.repeat(run.length));
}
