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
  let delta = 0;
  for (const e of sortEdits(edits)) {
    const ns = e.start + delta;
    if (off < ns) break;
    if (off < ns + e.newText.length) return e.start;
    delta += e.newText.length - (e.end - e.start);
  }
  return off - delta;
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
