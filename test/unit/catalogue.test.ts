import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES, ruleDocUrl, RULES_DOC_URL } from '../../server/src/rules/catalogue';
import { lintCSource } from '../../server/src/rules/lint';
import { check } from './rulesHelpers';
import { FIRES, MORE_SAMPLES, sampleLine } from './rulesSamples';

const DOC = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'rules.md'), 'utf8');
const GUIDE_TITLES: Record<string, string> = { cffi: 'CFFI', ctypes: 'CTypes', cppyy: 'cppyy', 'rpython-mixed-modules': 'RPython Mixed Modules', intro: 'introduction' };


function docSection(code: string): string {
  const start = DOC.indexOf(`\n## ${code}\n`);
  assert.ok(start >= 0, `docs/rules.md has no "## ${code}" section`);
  const next = DOC.indexOf('\n## ', start + 1);
  return DOC.slice(start, next < 0 ? DOC.length : next);
}

test('every catalogue code has a docs/rules.md section, and every section a code', () => {
  const documented = [...DOC.matchAll(/^## (PB\d{3})$/gm)].map((m) => m[1]);
  assert.deepEqual(documented, RULES.map((r) => r.code), 'same codes, in the same order');
});

test('each docs section states the severity, the guide section, an example and a fix', () => {
  for (const r of RULES) {
    const s = docSection(r.code);
    assert.ok(s.includes(` · ${r.defaultSeverity} · `), `${r.code}: severity ${r.defaultSeverity}`);
    assert.ok(s.includes(`guide: [${GUIDE_TITLES[r.guideSection]}]`), `${r.code}: guide section ${r.guideSection}`);
    for (const part of ['**What.**', '**Why on PyPy.**', '```', '**Fix.**']) assert.ok(s.includes(part), `${r.code}: ${part}`);
  }
});

test('catalogue entries are well formed', () => {
  const codes = RULES.map((r) => r.code);
  assert.equal(new Set(codes).size, codes.length, 'unique codes');
  for (const r of RULES) {
    assert.match(r.code, /^PB[1-3]\d\d$/);
    const sentences = r.explanation.split(/(?<=[.!?])\s+(?=[A-Z(`_])/).length;
    assert.ok(sentences >= 2 && sentences <= 4, `${r.code}: 2-4 sentences, got ${sentences}`);
    assert.ok(r.title.length > 0 && r.title.length < 60, `${r.code}: short title`);
  }
  assert.equal(ruleDocUrl('PB101'), `${RULES_DOC_URL}#pb101`);
});

test('every message fits one line of about 100 characters (ruff-like), the why being in the docs', async () => {
  for (const sample of [...Object.values(FIRES), ...MORE_SAMPLES]) {
    const found = sample.c ? lintCSource(sample.src) : (await check(sample.src, {}, sample.uri)).map((h) => h.finding);
    assert.ok(found.length > 0, `a sample that finds nothing: ${sample.src}`);
    for (const f of found) {
      assert.ok(!f.message.includes('\n'), `${f.code}: one line: ${f.message}`);
      assert.ok(f.message.length <= 100, `${f.code}: ${f.message.length} characters: ${f.message}`);
    }
  }
});

test('every rule fires on its sample input, at its default severity', async () => {
  assert.deepEqual(Object.keys(FIRES).sort(), RULES.map((r) => r.code).sort(), 'a sample for every rule');
  for (const r of RULES) {
    const sample = FIRES[r.code]!;
    const found = sample.c ? lintCSource(sample.src) : (await check(sample.src, {}, sample.uri)).map((h) => h.finding);
    const hit = found.find((f) => f.code === r.code);
    assert.ok(hit, `${r.code} fires on its sample (got ${found.map((f) => f.code).join(', ') || 'nothing'})`);
    assert.equal(hit.severity, r.defaultSeverity);
    assert.equal(hit.guideSection, r.guideSection);
    assert.ok(hit.span.end > hit.span.start, `${r.code}: non-empty range`);
    assert.ok(sample.src.slice(hit.span.start).startsWith(sample.at), `${r.code}: range starts at ${sample.at}`);
    assert.equal(sample.src.slice(0, hit.span.start).split('\n').length, sampleLine(sample), `${r.code}: on the line of ${sample.at}`);
  }
});
