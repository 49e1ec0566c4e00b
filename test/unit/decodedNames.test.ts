import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodedNames } from '../../server/src/rules/ctypesRules';
import { rng } from '../protocol/fuzzLsp';

// PB204's evidence finds names read with `.decode` by running its regex only before each `decode`; it must
// find exactly what the regex finds over the whole text.
const WHOLE = /(?<!\w)[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?=\s*\.\s*decode\b)/g;
const PARTS = ['decode', '.', ' ', '\n', '\t', 'a', 'b1', '_x', '(', ')', '9', 'é', '.decode', 'decodex', '\u2028', '=', 'x.y', ' .decode', 'dec', 'ode', '😀'];

test('decodedNames equals the regex over the whole text on 100,000 random texts', () => {
  const random = rng(204);
  let matches = 0;
  for (let k = 0; k < 100_000; k++) {
    let text = '';
    for (let i = Math.floor(random() * 14); i > 0; i--) text += PARTS[Math.floor(random() * PARTS.length)];
    const expected = [...text.matchAll(WHOLE)].map((m) => ({ name: m[0], at: m.index! }));
    assert.deepEqual(decodedNames(text), expected, JSON.stringify(text));
    matches += expected.length;
  }
  assert.ok(matches > 10_000, `${matches} matches`);
});
