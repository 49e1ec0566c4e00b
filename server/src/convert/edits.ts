/** A replacement of the document range [start, end) (UTF-16 offsets) by newText. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

/** Sorts edits by position; insertions (empty ranges) at an offset come before a replacement starting there. */
export function sortEdits(edits: readonly TextEdit[]): TextEdit[] {
  return [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Where an offset of applyEdits' output came from in the original (inside an edit: its start). */
export function toOriginalOffset(edits: readonly TextEdit[], off: number): number {
  return originalOffsets(edits)(off);
}

/**
 * toOriginalOffset for many offsets of one output: the edits sorted once, each offset found by bisection
 * (a draft's thousands of leftovers each sorted every edit again).
 */
export function originalOffsets(edits: readonly TextEdit[]): (off: number) => number {
  const sorted = sortEdits(edits);
  // where each edit's new text starts and ends in the output, and the shift before it
  const starts: number[] = [];
  const ends: number[] = [];
  const deltas: number[] = [];
  let delta = 0;
  let ordered = true;
  for (const e of sorted) {
    const ns = e.start + delta;
    if (ends.length && ns + e.newText.length < ends[ends.length - 1]!) ordered = false;
    starts.push(ns);
    ends.push(ns + e.newText.length);
    deltas.push(delta);
    delta += e.newText.length - (e.end - e.start);
  }
  const total = delta;
  // the first edit whose new text ends after `off` decides: `off` before it is shifted, inside it is the edit's start
  const decide = (i: number, off: number): number => (i === sorted.length ? off - total : off < starts[i]! ? off - deltas[i]! : sorted[i]!.start);
  if (!ordered) {
    // overlapping edits: the output's spans are not in order, read them one by one
    return (off) => {
      let i = 0;
      while (i < sorted.length && !(off < ends[i]!)) i++;
      return decide(i, off);
    };
  }
  return (off) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (off < ends[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return decide(lo, off);
  };
}

/** Throws when two edits overlap: the converter must hand out a set an editor can apply in one go. */
export function assertNonOverlapping(edits: readonly TextEdit[]): void {
  const sorted = sortEdits(edits);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.start < prev.end) throw new Error(`overlapping edits at ${prev.start}-${prev.end} and ${cur.start}-${cur.end}`);
  }
}

/** Applies non-overlapping edits, all expressed against the original text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = sortEdits(edits);
  let out = '';
  let at = 0;
  for (const e of sorted) {
    if (e.start < at) throw new Error(`overlapping edit at ${e.start}`);
    out += text.slice(at, e.start) + e.newText;
    at = e.end;
  }
  return out + text.slice(at);
}

/** Edits that overlap (`a; b` with both removed) become one, in order; the inputs are not changed. */
export function mergeOverlapping(edits: readonly TextEdit[]): TextEdit[] {
  const out: TextEdit[] = [];
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && e.start < last.end) {
      last.end = Math.max(last.end, e.end);
      last.newText += e.newText;
    } else out.push({ ...e });
  }
  return out;
}
