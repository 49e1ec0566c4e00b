import test from 'node:test';
import assert from 'node:assert/strict';
import { type TextEdit, applyEdits, originalOffsets, sortEdits } from '../../server/src/convert/edits';

/** The definition: walk the sorted edits, shifting by each one passed (one sort per offset). */
function walked(edits: readonly TextEdit[], off: number): number {
  let delta = 0;
  for (const e of sortEdits(edits)) {
    const ns = e.start + delta;
    if (off < ns) break;
    if (off < ns + e.newText.length) return e.start;
    delta += e.newText.length - (e.end - e.start);
  }
  return off - delta;
}

function seeded(seed: number): (n: number) => number {
  let x = seed;
  return (n) => ((x = (x * 1103515245 + 12345) & 0x7fffffff) % Math.max(1, n));
}

/** Edits over a text of `length`: replacements, deletions and insertions, several at one offset; overlapping ones when asked. */
function randomEdits(rnd: (n: number) => number, length: number, overlapping: boolean): TextEdit[] {
  const out: TextEdit[] = [];
  let at = 0;
  while (at < length && out.length < 40) {
    const start = overlapping ? rnd(length) : at + rnd(4);
    const end = Math.min(length, start + rnd(5));
    out.push({ start, end, newText: 'x'.repeat(rnd(6)) });
    if (rnd(4) === 0) out.push({ start: end, end, newText: 'y'.repeat(rnd(3)) });
    at = end;
  }
  return out;
}

test('originalOffsets maps every offset of the output as walking the edits does', () => {
  let checked = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const rnd = seeded(seed);
    const text = 'a'.repeat(10 + rnd(80));
    const overlapping = seed % 5 === 0;
    const edits = randomEdits(rnd, text.length, overlapping);
    const map = originalOffsets(edits);
    const outLength = overlapping ? text.length * 3 : applyEdits(text, edits).length;
    for (let off = 0; off <= outLength + 2; off++) {
      assert.equal(map(off), walked(edits, off), `seed ${seed}, offset ${off}`);
      checked++;
    }
  }
  assert.ok(checked > 20_000, `${checked} offsets compared`);
});

test('originalOffsets: before, inside and after an edit', () => {
  // "abcdef" with "cd" replaced by "XYZW" and "Q" inserted at 0: "QabXYZWef"
  const map = originalOffsets([{ start: 2, end: 4, newText: 'XYZW' }, { start: 0, end: 0, newText: 'Q' }]);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(map), [0, 0, 1, 2, 2, 2, 2, 4, 5, 6]);
});
