import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch, diffLines as myersLines } from 'diff';
import { diffLines, unifiedPatch } from '../../server/src/documents/lineDiff';

/** A seeded generator (mulberry32), so a failing case is reproducible from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Python-looking text with repeated lines (blank lines, `return`), and a mutation of it. */
function pair(seed: number, lines: number): [string, string] {
  const r = rng(seed);
  const pool = ['', '    return r', 'import ctypes', 'x = 1', '    pass', '"""doc"""'];
  const line = () => (r() < 0.4 ? pool[Math.floor(r() * pool.length)]! : `v_${Math.floor(r() * lines * 2)} = f(${Math.floor(r() * 9)})`);
  const a = Array.from({ length: lines }, line);
  const b: string[] = [];
  for (const l of a) {
    const p = r();
    if (p < 0.1) continue;
    if (p < 0.2) b.push(line());
    else if (p < 0.25) b.push(l, line());
    else b.push(l);
  }
  const end = (xs: string[]) => xs.join('\n') + (r() < 0.3 ? '' : '\n');
  return [end(a), end(b)];
}

test('line parts rebuild both texts, also where a last line has no newline', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const [a, b] = pair(seed, 1 + (seed % 60));
    const parts = diffLines(a, b);
    assert.equal(parts.filter((p) => !p.added).map((p) => p.value).join(''), a, `seed ${seed}: old text`);
    assert.equal(parts.filter((p) => !p.removed).map((p) => p.value).join(''), b, `seed ${seed}: new text`);
    for (const p of parts) assert.equal(p.count, p.value.split('\n').length - (p.value.endsWith('\n') ? 1 : 0), `seed ${seed}: count`);
  }
});

test('small stretches are diffed exactly: as few changed lines as Myers', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const [a, b] = pair(seed, 1 + (seed % 80));
    const changed = (parts: { added?: boolean; removed?: boolean; count?: number }[]) => parts.reduce((n, p) => n + (p.added || p.removed ? p.count ?? 0 : 0), 0);
    assert.equal(changed(diffLines(a, b)), changed(myersLines(a, b)), `seed ${seed}`);
  }
});

test('a unified patch applies (jsdiff as the oracle) and has the layout of createTwoFilesPatch', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const [a, b] = pair(seed, 1 + (seed % 70));
    const patch = unifiedPatch('m.py', a, b, 'ctypes', 'cffi');
    assert.equal(applyPatch(a, patch), b, `seed ${seed}:\n${patch}`);
  }
  assert.equal(unifiedPatch('f', 'a\nb\nc\n', 'a\nB\nc\n', 'ctypes', 'cffi'),
    'Index: f\n' + '='.repeat(67) + '\n--- f\tctypes\n+++ f\tcffi\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
  assert.equal(unifiedPatch('f', '', 'x\n', 'a', 'b'), 'Index: f\n' + '='.repeat(67) + '\n--- f\ta\n+++ f\tb\n@@ -0,0 +1,1 @@\n+x\n');
});

test('a whole-file rewrite of a long file diffs in near-linear work and still applies', () => {
  // every other line changed: Myers' D is about N here; the anchors are the unchanged unique lines
  const n = 40_000;
  const a = Array.from({ length: n }, (_, i) => `line_${i} = ctypes.c_int(${i})`).join('\n') + '\n';
  const b = Array.from({ length: n }, (_, i) => (i % 2 ? `line_${i} = ctypes.c_int(${i})` : `line_${i} = ffi.new("int *", ${i})`)).join('\n') + '\n';
  const parts = diffLines(a, b);
  assert.equal(parts.filter((p) => p.added).reduce((s, p) => s + p.count, 0), n / 2);
  assert.equal(applyPatch(a, unifiedPatch('big.py', a, b, 'ctypes', 'cffi')), b);
});
