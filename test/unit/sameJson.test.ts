import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sameJson } from '../../server/src/lsp/diagnostics';
import { rng } from '../protocol/fuzzLsp';

// Pull diagnostics answer `unchanged` when the items compare equal: sameJson must agree with comparing their
// JSON (which it replaced), on values built the same way (keys in the same order).
test('sameJson agrees with comparing JSON.stringify on 50,000 random pairs of diagnostic-like values', () => {
  const random = rng(2026);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const value = (depth: number): unknown => {
    const r = random();
    if (depth > 3 || r < 0.4) return pick([0, 1, 2, -1, 'a', 'b', '', true, false, null, undefined]);
    if (r < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (const k of ['range', 'code', 'message', 'data', 'severity']) if (random() < 0.6) o[k] = value(depth + 1);
    return o;
  };
  let equal = 0;
  for (let i = 0; i < 50_000; i++) {
    const a = value(0);
    const b = random() < 0.5 ? structuredClone(a) : value(0);
    const same = JSON.stringify(a) === JSON.stringify(b);
    assert.equal(sameJson(a, b), same, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    if (same) equal++;
  }
  assert.ok(equal > 20_000, `${equal} equal pairs`);
});
