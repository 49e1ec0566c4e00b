// The converter's per-item lookups made logarithmic (spanSet.ts, todoReasonsAbove) answer as the scans they replaced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanSet } from '../../server/src/convert/spanSet';
import { todoReasonsAbove } from '../../server/src/convert/format/todoComments';
import { rng } from '../protocol/fuzzLsp';

test('SpanSet.has equals "some added range holds the offset", whatever the order, overlaps and empty ranges', () => {
  const r = rng(12);
  for (let trial = 0; trial < 500; trial++) {
    const set = new SpanSet();
    const added: [number, number][] = [];
    for (let k = Math.floor(r() * 25); k > 0; k--) {
      const start = Math.floor(r() * 60);
      const end = start + Math.floor(r() * 15) - 2;
      set.add(start, end);
      added.push([start, end]);
      for (let o = -2; o < 80; o++) assert.equal(set.has(o), added.some(([s, e]) => s <= o && o < e), `${JSON.stringify(added)} at ${o}`);
    }
  }
});

/** The reasons above a line as the whole-prefix reading found them (the oracle: it split the text before the line). */
function reasonsByPrefix(text: string, lineStart: number): string[] {
  const above = text.slice(0, lineStart).split('\n');
  above.pop();
  let first = above.length;
  while (first > 0 && /^[ \t]*#/.test(above[first - 1]!)) first--;
  const block = above.slice(first);
  const out: string[] = [];
  block.forEach((l, i) => {
    if (!l.trimStart().startsWith('# TODO(pypy-bindings):')) return;
    let reason = l.slice(l.indexOf('TODO(pypy-bindings):') + 'TODO(pypy-bindings):'.length).trim();
    for (let j = i + 1; j < block.length && /^[ \t]*# {3}(?=\S)/.test(block[j]!); j++) reason += ` ${block[j]!.replace(/^[ \t]*# {3}(?=\S)/, '').trim()}`;
    out.push(reason.replace(/\r$/, ''));
  });
  return out;
}

test('todoReasonsAbove reads upwards what the whole prefix gave: wrapped TODOs, CRLF, other comments, at every offset', () => {
  const r = rng(5);
  const parts = ['\n', '# TODO(pypy-bindings): a reason\n', '#   continued\n', 'x = 1\n', '  # a comment\n', '\r\n', '#', 'y', ' ', '    # TODO(pypy-bindings): b\r\n'];
  let found = 0;
  for (let trial = 0; trial < 3000; trial++) {
    let text = '';
    for (let k = Math.floor(r() * 10); k > 0; k--) text += parts[Math.floor(r() * parts.length)];
    for (let at = 0; at <= text.length; at++) {
      const want = reasonsByPrefix(text, at);
      found += want.length;
      assert.deepEqual(todoReasonsAbove(text, at), want, `${JSON.stringify(text)} at ${at}`);
    }
  }
  assert.ok(found > 1000, 'the texts have TODOs to find');
});
