// The converter's differential fuzzing in npm test: the generator is deterministic, the shrinker reduces,
// `npm run fuzz` prints its summary line, the fixed set of programs matches its record of silent changes
// (a ratchet: see fixedSet.ts), and the regression fixtures behave as recorded. See docs/dev/fuzzing.md.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generate } from './generator';
import { CPYTHON, judge, PYPY, ROOT, run } from './harness';
import { readFixed, runFixed } from './fixedSet';
import { type ShrinkOracle, shrinkProgram } from './shrink';
import { summaryLine } from './fuzz';

const REGRESSIONS = path.join(__dirname, 'regressions');
const PENDING = path.join(REGRESSIONS, 'pending');

function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.py')) files[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return files;
}

const fixtureDirs = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'pending').map((e) => path.join(dir, e.name)).sort() : []);

async function tools(): Promise<void> {
  assert.equal((await run(CPYTHON, ['-c', 'import cffi'], ROOT)).code, 0, `${CPYTHON} with cffi is needed (Debian python3-cffi)`);
  assert.equal((await run(PYPY, ['-c', 'import cffi'], ROOT)).code, 0, 'pypy3 with cffi is needed (Debian pypy3)');
  assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'server.js')), 'the CLI is not built: run `npm run build` first');
}

describe('generator', () => {
  it('is deterministic per seed and varies across seeds', () => {
    assert.deepEqual(generate(4242).files, generate(4242).files);
    const texts = new Set(Array.from({ length: 30 }, (_, i) => JSON.stringify(generate(i).files)));
    assert.equal(texts.size, 30);
  });

  it('draws every axis the issue lists over a few hundred seeds', () => {
    const seen = new Set<string>();
    for (let s = 0; s < 400; s++) {
      const p = generate(s);
      const all = Object.values(p.files).join('\n');
      for (const [k, v] of Object.entries(p.axes)) seen.add(k.startsWith('decl_') ? `decl:${v}` : k.startsWith('load_') ? `load:${v.split('(')[0]}` : `${k}:${v}`);
      for (const c of p.cases) seen.add(`case:${c}`);
      if (Object.keys(p.files).length > 1) seen.add('package');
      if (all.includes('use_errno=True')) seen.add('use_errno');
      if (all.includes('CDLL(None')) seen.add('CDLL(None)');
      if (/find_library\("/.test(all)) seen.add('find_library');
    }
    for (const want of ['decl:attr', 'decl:tuple', 'decl:alias', 'decl:getattr', 'decl:item', 'decl:proto', 'decl:helper', 'decl:table', 'decl:noargs', 'decl:partial', 'holder:module', 'holder:classattr', 'holder:instance', 'package', 'use_errno', 'CDLL(None)', 'find_library', 'imports:star', 'imports:names', 'imports:module', 'imports:alias', 'case:callbacks-direct', 'case:bit-fields', 'case:anonymous-union', 'case:errno', 'case:globals-in-dll', 'case:from-buffer', 'case:snprintf', 'case:struct-methods', 'case:errors', 'case:loop-calls', 'case:callbacks-in-list', 'case:cast-bytes', 'case:library-attributes', 'case:struct-by-value-arg', 'case:errcheck-raises', 'case:module-alias']) {
      assert.ok(seen.has(want), `no program among 400 has ${want}`);
    }
  });
});

describe('shrinker', () => {
  it('reduces a program to the statements an interestingness test needs', async () => {
    const files = { 'main.py': ['a = 1', 'print("noise")', 'def f():', '    b = 2', '    return a', 'for i in range(3):', '    print(i)', 'x = f()', 'print(x, "tail")', ''].join('\n') };
    const needs = (t: string) => t.includes('a = 1') && t.includes('return a') && t.includes('print(x');
    const shrunk = await shrinkProgram(files, 'synthetic', {
      jobs: 1,
      test: async (f) => (needs(f['main.py']!) ? { kind: 'silent', signature: 'synthetic' } : undefined),
    });
    const text = shrunk.files['main.py']!;
    assert.ok(needs(text), text);
    for (const gone of ['noise', 'range(3)', 'b = 2', '"tail"']) assert.ok(!text.includes(gone), `${gone} should be gone:\n${text}`);
  });

  it('keeps only candidates whose silent change reproduces and whose original prints the same on every run', async () => {
    // without `stable = 1` the original prints garbage that happens to agree within one judgement;
    // without `repro = 1` the silent change shows on every other judgement only
    const files = { 'main.py': ['stable = 1', 'repro = 1', 'print("noise")', 'x = 2', 'print(x)', ''].join('\n') };
    let garbage = 0;
    const judged = new Map<string, number>();
    const oracle: ShrinkOracle = {
      judge: async (f) => {
        const t = f['main.py']!;
        const n = (judged.get(t) ?? 0) + 1;
        judged.set(t, n);
        if (!t.includes('print(x)') || (!t.includes('repro = 1') && n % 2 === 0)) return { kind: 'full' };
        return { kind: 'silent', signature: 'synthetic', expected: t.includes('stable = 1') ? '2\n' : 'garbage\n' };
      },
      original: async (f) => (f['main.py']!.includes('stable = 1') ? '2\n' : `garbage ${garbage++}\n`),
    };
    const shrunk = await shrinkProgram(files, 'synthetic', { jobs: 1, oracle });
    const text = shrunk.files['main.py']!;
    for (const kept of ['stable = 1', 'repro = 1', 'print(x)']) assert.ok(text.includes(kept), `${kept} should stay:\n${text}`);
    assert.ok(!text.includes('noise'), text);
    // judged once, with the original run twice, both would go: the repetitions are what keeps them
    judged.clear();
    const naive = (await shrinkProgram(files, 'synthetic', { jobs: 1, oracle, reproductions: 1, oracleRuns: 2 })).files['main.py']!;
    assert.ok(!naive.includes('stable = 1') && !naive.includes('repro = 1'), naive);
  });
});

describe('npm run fuzz', { timeout: 300_000 }, () => {
  it('ends with the summary line', async () => {
    await tools();
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
      execFile('npm', ['run', '--silent', 'fuzz', '--', '--programs', '3', '--seed', '7'], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 }, (err, stdout, stderr) => done({ code: err ? (err.code as number) : 0, stdout, stderr })),
    );
    assert.equal(r.code, 0, r.stderr);
    const last = r.stdout.trimEnd().split('\n').pop()!;
    const m = /^fuzz: (\d+) programs, (\d+) converted fully, (\d+) partly, (\d+) left as they were, (\d+) silent changes$/.exec(last);
    assert.ok(m, `last line: ${last}`);
    assert.equal(Number(m[1]), 3);
    assert.equal(Number(m[2]) + Number(m[3]) + Number(m[4]) + Number(m[5]), 3);
  });
});

describe('fixed set', { timeout: 600_000 }, () => {
  it('has exactly the recorded silent changes (a new one is a converter regression; a fixed one must leave the record)', async () => {
    await tools();
    const record = readFixed();
    const cmp = await runFixed(record);
    console.log(`# ${summaryLine(cmp.report)} (fixed set, ${cmp.report.seconds.toFixed(0)} s)`);
    const problems: string[] = [];
    for (const d of cmp.discarded) problems.push(`seed ${d.seed} is rejected by the oracle now (${d.why}): the generator or the machine changed; re-record with npm run fuzz -- --record-fixed`);
    for (const a of cmp.added) problems.push(`seed ${a.seed} is a NEW silent change: ${a.signature} (reproduce: npm run fuzz -- --only ${a.seed} --keep /tmp/fz)`);
    for (const x of cmp.removed) problems.push(`seed ${x.seed} is no longer a silent change (now ${x.now}; was: ${x.was}): lower the record with npm run fuzz -- --ratchet`);
    assert.deepEqual(problems, []);
  });
});

describe('regression fixtures', { timeout: 600_000 }, () => {
  for (const dir of fixtureDirs(REGRESSIONS)) {
    it(`${path.basename(dir)}: the converted program prints what the original prints, under CPython and PyPy`, async () => {
      await tools();
      const o = await judge({ files: readTree(dir) }, fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-reg-')));
      assert.notEqual(o.kind, 'discarded', o.detail);
      assert.notEqual(o.kind, 'silent', `${o.signature}\n${o.detail}\nexpected:\n${o.expected}\ngot:\n${JSON.stringify(o.got, null, 1)}`);
    });
  }
  for (const dir of fixtureDirs(PENDING)) {
    it(`pending/${path.basename(dir)}: still a silent change today (once fixed, move it to regressions/)`, async () => {
      await tools();
      const o = await judge({ files: readTree(dir) }, fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-reg-')));
      assert.notEqual(o.kind, 'discarded', o.detail);
      assert.equal(o.kind, 'silent', `the converter now handles pending/${path.basename(dir)} (${o.kind}): git mv it to test/fuzz/regressions/ so it stays fixed`);
    });
  }
});
