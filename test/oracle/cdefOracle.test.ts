/**
 * Differential test: cffi itself (/usr/bin/python3, FFI().cdef) judges every cdef; our checks must agree.
 *
 * Mapping of cffi's answers to our codes (docs/rules.md, PB301):
 * - accepted by FFI().cdef → no PB301, PB302 or PB310 (PB303 is about ABI mode and is not judged here:
 *   the files are in API mode, where cffi's compiler pass fills in `...`);
 * - rejected because pycparser could not parse it ("cannot parse"/"parse error") → a PB301, PB302 or
 *   PB310 no later than two lines after the line cffi names (earlier is right: a missing `;` is reported
 *   after the declaration it ends, and pycparser runs past a missing `;` between two typedefs to fail
 *   at a later use; cffi's line count also drops a line when a `#define` follows a blank line);
 * - rejected by cffi's own rules on parsed C (function bodies, `#define X 1+2`, `int int`, …) → a finding
 *   as well, counted apart.
 * Messages speak C, never tree-sitter.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { check } from '../unit/rulesHelpers';
import { BASES, EXTRAS, mutants } from './cdefCorpus';

const CDEF_CODES = new Set(['PB301', 'PB302', 'PB310']);
const PREFIX = "import cffi\nffi = cffi.FFI()\nffi.cdef(r'''";
const SUFFIX = "''')\nffi.set_source('_x', '')\n";

interface Verdict {
  ok: boolean;
  kind?: 'syntax' | 'other';
  line?: number | null;
  message?: string;
}

function judgeAll(sources: string[]): Verdict[] {
  const r = spawnSync('/usr/bin/python3', [path.join(__dirname, 'cffiOracle.py')], { input: JSON.stringify(sources), encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `the cffi oracle failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Verdict[];
}

test('cdef checks agree with cffi on real-project constructs and their mutants', async () => {
  const cases = [...new Set([...BASES, ...EXTRAS, ...BASES.flatMap((b) => mutants(b))])].filter((c) => !c.includes("'''") && !c.includes('\\'));
  assert.ok(cases.length >= 500, `only ${cases.length} cases`);
  const verdicts = judgeAll(cases);
  const stats = { cases: cases.length, accepted: 0, syntax: 0, other: 0, agree: 0 };
  const disagreements: string[] = [];
  for (const [i, src] of cases.entries()) {
    const v = verdicts[i]!;
    const hits = (await check(PREFIX + src + SUFFIX)).filter((h) => CDEF_CODES.has(h.code));
    const show = () => `--- cdef:\n${src}\n--- cffi: ${v.ok ? 'accepted' : v.message}\n--- ours: ${hits.map((h) => `${h.code} line ${h.line - 2}: ${h.finding.message}`).join(' / ') || 'nothing'}`;
    for (const h of hits) {
      assert.doesNotMatch(h.finding.message, /_identifier|MISSING|ERROR|missing `\w+_\w+`/, `tree-sitter wording:\n${show()}`);
    }
    if (v.ok) {
      stats.accepted++;
      if (hits.length === 0) stats.agree++;
      else disagreements.push(show());
      continue;
    }
    if (v.kind === 'syntax') stats.syntax++;
    else stats.other++;
    const at = v.kind === 'syntax' && typeof v.line === 'number' ? v.line : undefined;
    const near = hits.some((h) => at === undefined || h.line - 2 <= at + 2);
    if (hits.length > 0 && near) stats.agree++;
    else disagreements.push(show());
  }
  console.log(`cffi oracle: ${JSON.stringify(stats)}`);
  if (process.env.ORACLE_VERBOSE) console.log(disagreements.join('\n\n'));
  assert.deepEqual(disagreements.slice(0, 8), [], `${disagreements.length} disagreements with cffi (first 8 shown)`);
});
