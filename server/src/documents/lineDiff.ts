/**
 * Line diffs that stay near-linear on whole-file rewrites. jsdiff's Myers diff costs O(N·D): a conversion
 * changes most lines of a long binding, so D ≈ N, and its `convert DIR` patch of a 4,000-function module
 * took minutes. Here a common prefix and suffix are cut off, lines unique to both sides anchor the rest
 * (patience diff: the longest increasing run of such anchors), and only small stretches between anchors
 * get an exact LCS; a large stretch with no anchor becomes one replacement (correct, only less minimal).
 */

/** A run of lines: kept, removed from the old text or added from the new one (jsdiff's `Change` shape). */
export interface LinePart {
  value: string;
  count: number;
  added?: boolean;
  removed?: boolean;
}

/** Stretches up to this many cells (old lines × new lines) get an exact longest common subsequence. */
const EXACT_CELLS = 200_000;

/** Splits a text into lines that keep their terminator (`\n`, or none for a last line without one). */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    out.push(text.slice(start, i + 1));
    start = i + 1;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

type Op = 0 | 1 | 2; // keep, remove, add

/** The line parts turning `before` into `after`. */
export function diffLines(before: string, after: string): LinePart[] {
  const a = splitLines(before);
  const b = splitLines(after);
  const ops: { op: Op; line: string }[] = [];
  diffRange(a, 0, a.length, b, 0, b.length, ops);
  const parts: LinePart[] = [];
  for (const { op, line } of ops) {
    const last = parts[parts.length - 1];
    const kind = op === 1 ? 'removed' : op === 2 ? 'added' : 'kept';
    const lastKind = last ? (last.removed ? 'removed' : last.added ? 'added' : 'kept') : undefined;
    if (last && lastKind === kind) {
      last.value += line;
      last.count++;
    } else parts.push({ value: line, count: 1, ...(op === 1 ? { removed: true } : op === 2 ? { added: true } : {}) });
  }
  return parts;
}

function diffRange(a: string[], a0: number, a1: number, b: string[], b0: number, b1: number, out: { op: Op; line: string }[]): void {
  // common prefix and suffix
  while (a0 < a1 && b0 < b1 && a[a0] === b[b0]) out.push({ op: 0, line: a[a0++]! }), b0++;
  let suffix = 0;
  while (a1 - suffix > a0 && b1 - suffix > b0 && a[a1 - suffix - 1] === b[b1 - suffix - 1]) suffix++;
  const tail = a.slice(a1 - suffix, a1);
  a1 -= suffix;
  b1 -= suffix;
  if (a0 === a1 || b0 === b1) {
    for (let i = a0; i < a1; i++) out.push({ op: 1, line: a[i]! });
    for (let j = b0; j < b1; j++) out.push({ op: 2, line: b[j]! });
  } else if ((a1 - a0) * (b1 - b0) <= EXACT_CELLS) {
    exact(a, a0, a1, b, b0, b1, out);
  } else {
    const anchors = uniqueAnchors(a, a0, a1, b, b0, b1);
    if (anchors.length === 0) {
      for (let i = a0; i < a1; i++) out.push({ op: 1, line: a[i]! });
      for (let j = b0; j < b1; j++) out.push({ op: 2, line: b[j]! });
    } else {
      let i = a0;
      let j = b0;
      for (const [ai, bj] of anchors) {
        diffRange(a, i, ai, b, j, bj, out);
        out.push({ op: 0, line: a[ai]! });
        i = ai + 1;
        j = bj + 1;
      }
      diffRange(a, i, a1, b, j, b1, out);
    }
  }
  for (const line of tail) out.push({ op: 0, line });
}

/** Pairs (i, j) of lines occurring once in each range, the longest run increasing on both sides. */
function uniqueAnchors(a: string[], a0: number, a1: number, b: string[], b0: number, b1: number): [number, number][] {
  const inA = new Map<string, number>(); // line → index, or -1 when repeated
  for (let i = a0; i < a1; i++) inA.set(a[i]!, inA.has(a[i]!) ? -1 : i);
  const inB = new Map<string, number>();
  for (let j = b0; j < b1; j++) {
    const i = inA.get(b[j]!);
    if (i === undefined || i < 0) continue;
    inB.set(b[j]!, inB.has(b[j]!) ? -1 : j);
  }
  const pairs: [number, number][] = [];
  for (let j = b0; j < b1; j++) {
    if (inB.get(b[j]!) !== j) continue;
    pairs.push([inA.get(b[j]!)!, j]);
  }
  // longest increasing subsequence on the old-side index (patience sorting), pairs already in new-side order
  const tails: number[] = [];
  const prev = new Int32Array(pairs.length).fill(-1);
  for (let k = 0; k < pairs.length; k++) {
    const x = pairs[k]![0];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]!]![0] < x) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[k] = tails[lo - 1]!;
    tails[lo] = k;
  }
  const run: [number, number][] = [];
  for (let k = tails.length ? tails[tails.length - 1]! : -1; k >= 0; k = prev[k]!) run.push(pairs[k]!);
  return run.reverse();
}

/** An exact longest common subsequence of a small stretch (removals before additions in each change). */
function exact(a: string[], a0: number, a1: number, b: string[], b0: number, b1: number, out: { op: Op; line: string }[]): void {
  const n = a1 - a0;
  const m = b1 - b0;
  const w = m + 1;
  const len = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      len[i * w + j] = a[a0 + i] === b[b0 + j] ? len[(i + 1) * w + j + 1]! + 1 : Math.max(len[(i + 1) * w + j]!, len[i * w + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  const added: string[] = [];
  const flushAdded = () => {
    for (const line of added) out.push({ op: 2, line });
    added.length = 0;
  };
  while (i < n || j < m) {
    if (i < n && j < m && a[a0 + i] === b[b0 + j]) {
      flushAdded();
      out.push({ op: 0, line: a[a0 + i]! });
      i++;
      j++;
    } else if (j >= m || (i < n && len[(i + 1) * w + j]! >= len[i * w + j + 1]!)) {
      out.push({ op: 1, line: a[a0 + i]! });
      i++;
    } else {
      added.push(b[b0 + j]!);
      j++;
    }
  }
  flushAdded();
}

/**
 * A unified diff of two texts in the layout of `diff -u` and jsdiff's `createTwoFilesPatch` (an `Index:`
 * line, 4 lines of context, `\ No newline at end of file` where a last line has none).
 */
export function unifiedPatch(fileName: string, before: string, after: string, oldHeader?: string, newHeader?: string, context = 4): string {
  const header = (h: string | undefined) => (h === undefined ? '' : `\t${h}`);
  const out = [`Index: ${fileName}`, '='.repeat(67), `--- ${fileName}${header(oldHeader)}`, `+++ ${fileName}${header(newHeader)}`];
  // every line tagged, then hunks around the changes
  const lines: { op: Op; line: string }[] = [];
  const a = splitLines(before);
  const b = splitLines(after);
  diffRange(a, 0, a.length, b, 0, b.length, lines);
  let k = 0;
  let oldLine = 1;
  let newLine = 1;
  // position (old, new line number) before each tagged line
  const oldAt = new Int32Array(lines.length + 1);
  const newAt = new Int32Array(lines.length + 1);
  for (k = 0; k < lines.length; k++) {
    oldAt[k] = oldLine;
    newAt[k] = newLine;
    if (lines[k]!.op !== 2) oldLine++;
    if (lines[k]!.op !== 1) newLine++;
  }
  oldAt[lines.length] = oldLine;
  newAt[lines.length] = newLine;
  k = 0;
  while (k < lines.length) {
    if (lines[k]!.op === 0) {
      k++;
      continue;
    }
    // a hunk: from `context` lines before this change to `context` lines after the last change within reach
    const start = Math.max(0, k - context);
    let end = k;
    let lastChange = k;
    while (end < lines.length) {
      if (lines[end]!.op !== 0) lastChange = end;
      else if (end - lastChange > 2 * context) break;
      end++;
    }
    end = Math.min(lines.length, lastChange + 1 + context);
    let oldCount = 0;
    let newCount = 0;
    const body: string[] = [];
    for (let t = start; t < end; t++) {
      const { op, line } = lines[t]!;
      if (op !== 2) oldCount++;
      if (op !== 1) newCount++;
      const text = line.endsWith('\n') ? line.slice(0, -1) : line;
      body.push(`${op === 0 ? ' ' : op === 1 ? '-' : '+'}${text}`);
      if (!line.endsWith('\n')) body.push('\\ No newline at end of file');
    }
    const oldStart = oldCount === 0 ? oldAt[start]! - 1 : oldAt[start]!;
    const newStart = newCount === 0 ? newAt[start]! - 1 : newAt[start]!;
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`, ...body);
    k = end;
  }
  return out.join('\n') + '\n';
}
