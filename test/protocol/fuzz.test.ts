import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzLsp } from './fuzzLsp';

// Incremental equals fresh, also on broken text: seeded random edits over stdio (see fuzzLsp.ts), the
// server's diagnostics compared with a fresh open of the same text after every batch. Bounded here to well
// under a minute; `npm run fuzz:lsp -- --edits 20000 --seed 7` runs it longer.

for (const seed of [11, 12]) {
  test(`fuzz seed ${seed}: 1,200 random edits, diagnostics equal a fresh open after every batch`, async () => {
    const r = await fuzzLsp({ edits: 1200, seed });
    assert.ok(r.comparisons >= 100 && r.hovers > 100 && r.codeActions > 50 && r.rejectedEdits > 0, JSON.stringify({ ...r, mismatches: r.mismatches.length }));
    assert.deepEqual(r.failures, []);
    assert.deepEqual(r.mismatches.map((m) => `after edit ${m.edit}: text in ${m.file}`), []);
  });
}
