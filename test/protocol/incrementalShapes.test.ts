import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fuzzLsp } from './fuzzLsp';

// Incremental equals fresh over stdio on the bench's own files (the per-edit path they exercise: the evaluator
// on the vlc-shaped file, a thousand findings on the synthetic one): seeded random edits, the server's
// diagnostics compared with a fresh open of the same text after every batch (fuzzLsp.ts). The generators are
// under bench/, loaded at run time.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { vlcShaped } = require(path.resolve(__dirname, '../../bench/shapes.ts')) as { vlcShaped(lines: number): string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bindingFile } = require(path.resolve(__dirname, '../../bench/generate.ts')) as { bindingFile(lines: number, undeclaredEvery?: number): string };

const FILES = [
  { name: 'vlc-shaped (1,200 lines)', text: () => vlcShaped(1_200), seed: 31 },
  { name: 'synthetic (1,000 lines, a finding every few lines)', text: () => bindingFile(1_000, 2), seed: 32 },
];

for (const f of FILES) {
  test(`${f.name}: 240 random edits over LSP, diagnostics equal a fresh open after every batch`, async () => {
    const r = await fuzzLsp({ edits: 240, seed: f.seed, text: f.text() });
    assert.ok(r.comparisons >= 25, JSON.stringify({ ...r, mismatches: r.mismatches.length }));
    assert.deepEqual(r.failures, []);
    assert.deepEqual(r.mismatches.map((m) => `after edit ${m.edit}: text in ${m.file}`), []);
  });
}
