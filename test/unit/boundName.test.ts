import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundName } from '../../server/src/rules/boundName';
import { rng } from '../protocol/fuzzLsp';

// PB204 reads the name a call's result is bound to backwards from the call; it must agree with the regex on the
// line's prefix it replaced, on random text made of the characters that matter (spaces of every kind, line ends,
// `=`, names, dots, digits, brackets).
const byRegex = (text: string, at: number) => {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  return /^\s*([A-Za-z_][\w.]*)\s*=\s*$/.exec(text.slice(lineStart, at))?.[1];
};

test('boundName agrees with the line-prefix regex on 100,000 random texts and offsets', () => {
  const random = rng(204);
  const pieces = [' ', '\t', '\n', '\r', '\u00a0', '\u2028', '=', '==', '+=', 'a', 'x_1', 'lib.f', '.', '9', '(', ')', '[0]', '_', 'é', 'r = ', '  v.w = '];
  let bound = 0;
  for (let k = 0; k < 100_000; k++) {
    let text = '';
    const n = Math.floor(random() * 8);
    for (let i = 0; i < n; i++) text += pieces[Math.floor(random() * pieces.length)];
    const at = random() < 0.7 ? text.length : Math.floor(random() * (text.length + 1));
    const want = byRegex(text + 'f()', at);
    assert.equal(boundName(text + 'f()', at), want, JSON.stringify({ text, at }));
    if (want) bound++;
  }
  assert.ok(bound > 2_000, `${bound} bound`);
});
