/**
 * Lines of a converted text and where they came from: each line of the output is either an original
 * line copied whole (its index) or touched by the converter (-1). The formatter changes only touched
 * lines and the blank lines around them, and gives its result back as edits of the original text.
 */
import { type TextEdit, sortEdits } from '../edits';

export const TOUCHED = -1;

/** The original line each line of `applyEdits(original, edits)` copies whole, or TOUCHED. */
export function keptLines(original: string, edits: readonly TextEdit[], converted: string): number[] {
  // copy segments: converted [outStart, outEnd) is original [origStart, origStart + length)
  const segments: { outStart: number; outEnd: number; origStart: number }[] = [];
  let at = 0;
  let out = 0;
  for (const e of sortEdits(edits)) {
    if (e.start > at) segments.push({ outStart: out, outEnd: out + e.start - at, origStart: at });
    out += e.start - at + e.newText.length;
    at = Math.max(at, e.end);
  }
  segments.push({ outStart: out, outEnd: out + original.length - at, origStart: at });
  const origLineOf = new Map<number, number>();
  let line = 0;
  origLineOf.set(0, 0);
  for (let i = original.indexOf('\n'); i >= 0; i = original.indexOf('\n', i + 1)) origLineOf.set(i + 1, ++line);
  const tags: number[] = [];
  let seg = 0;
  let ls = 0;
  for (;;) {
    const nl = converted.indexOf('\n', ls);
    const le = nl < 0 ? converted.length : nl;
    while (seg < segments.length && segments[seg]!.outEnd < le) seg++;
    let tag = TOUCHED;
    const s = segments[seg];
    if (s && s.outStart <= ls && le <= s.outEnd) {
      const origLs = s.origStart + (ls - s.outStart);
      const k = origLineOf.get(origLs);
      if (k !== undefined) {
        // the original line must end where this one does
        const origLe = origLs + (le - ls);
        if (origLe === original.length || original[origLe] === '\n') tag = k;
      }
    }
    tags.push(tag);
    if (nl < 0) break;
    ls = nl + 1;
  }
  return tags;
}

export interface OutLine {
  text: string;
  /** The original line it is, unchanged, or TOUCHED. */
  tag: number;
}

/** Edits of `original` that give the lines `out` (joined with '\n'), one per changed run, trimmed to the characters that change. */
export function editsFromLines(original: string, out: readonly OutLine[]): TextEdit[] {
  const orig = original.split('\n');
  const starts: number[] = [];
  let off = 0;
  for (const l of orig) {
    starts.push(off);
    off += l.length + 1;
  }
  starts.push(off); // = original.length + 1: as if the text ended with one more '\n'
  const edits: TextEdit[] = [];
  const gap = (a: number, b: number, mid: readonly string[]): void => {
    const same = mid.length === b - a - 1 && mid.every((l, i) => l === orig[a + 1 + i]);
    if (same) return;
    let start = starts[a + 1]!;
    let end = starts[b]!;
    let newText = mid.map((l) => `${l}\n`).join('');
    if (end > original.length) {
      end = original.length;
      if (newText.endsWith('\n')) newText = newText.slice(0, -1);
      else if (start > 0) start--;
    }
    // only the characters that change
    const old = original.slice(start, end);
    let p = 0;
    while (p < old.length && p < newText.length && old[p] === newText[p]) p++;
    let q = 0;
    while (q < old.length - p && q < newText.length - p && old[old.length - 1 - q] === newText[newText.length - 1 - q]) q++;
    if (p === old.length && p === newText.length) return;
    edits.push({ start: start + p, end: end - q, newText: newText.slice(p, newText.length - q) });
  };
  let prev = -1;
  let pending: string[] = [];
  for (const l of out) {
    if (l.tag > prev && orig[l.tag] === l.text) {
      gap(prev, l.tag, pending);
      prev = l.tag;
      pending = [];
    } else pending.push(l.text);
  }
  gap(prev, orig.length, pending);
  return edits;
}
