import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeProject } from './reportProject';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'pypy-bindings.js');

function run(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
let real: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-report-'));
  writeProject(path.join(dir, 'proj'));
  // real packages we did not write, copied from Debian's installation (never committed)
  real = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-report-real-'));
  for (const pkg of ['magic', 'libarchive']) fs.cpSync(`/usr/lib/python3/dist-packages/${pkg}`, path.join(real, pkg), { recursive: true });
});
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(real, { recursive: true, force: true });
});

test('report (Markdown): styles, findings by severity, functions the converter converts now, blockers, where to start', () => {
  const r = run(['report', 'proj'], dir);
  assert.equal(r.status, 0, r.stderr);
  const md = r.stdout;
  assert.match(md, /^# PyPy readiness report\n/);
  assert.match(md, /6 modules with bindings in 2 packages \(8 files scanned\)\. 4 ctypes foreign functions, 3 of which convert to cffi now; 2 already declared in cffi\. Findings: 2 errors, 3 information\./);
  // the order: what fails on PyPy, then the biggest automatic gain, then partial, then the C-API extension
  const start = md.slice(md.indexOf('## Where to start'), md.indexOf('## Binding styles'));
  assert.deepEqual([...start.matchAll(/^\d\. \[([^\]]+)\]/gm)].map((m) => m[1]), ['fastpkg/broken.py:4', 'fastpkg/_libc.py:3', 'fastpkg/mixed.py:2', 'ext/_speedups.c:1']);
  assert.match(start, /2 problems that fail on PyPy \(PB201, PB202\)/);
  assert.match(start, /2 of 2 ctypes functions convert to cffi now: `pypy-bindings convert fastpkg\/_libc\.py`/);
  assert.match(start, /1 of 2 ctypes functions convert/);
  // the guide's ranking, in its order
  assert.match(md, /\| CFFI \| 1 \|[^\n]*\n\| ctypes \| 4 \|[^\n]*\n\| CPython C-API \| 1 \|/);
  assert.match(md, /\| \[fastpkg\/broken\.py:1\]\(fastpkg\/broken\.py#L1\) \| ctypes \| 2 \| 0 \| 0 \| 0 \| 0 \| 0 \|/);
  assert.match(md, /\| \[fastpkg\/_libc\.py:1\]\(fastpkg\/_libc\.py#L1\) \| ctypes \| 0 \| 0 \| 1 \| 0 \| 2 \| 2 \|/);
  assert.match(md, /Library `libm` \(CDLL, \[fastpkg\/mixed\.py:2\]\(fastpkg\/mixed\.py#L2\)\): 2 functions, 1 convert to cffi now; still ctypes: `weird`/);
  assert.match(md, /\[fastpkg\/mixed\.py:8\]\(fastpkg\/mixed\.py#L8\) not converted: /);
  assert.match(md, /\[fastpkg\/broken\.py:5\]\(fastpkg\/broken\.py#L5\) fails on PyPy \(PB202\)/);
  const modern = md.slice(md.indexOf('### `fastpkg.modern`'), md.indexOf('\n## ', md.indexOf('### `fastpkg.modern`')));
  assert.match(modern, /- Binding style: CFFI\n- Findings: none\n- 2 functions declared in cffi cdefs\n/);
  // a library loaded in one module and used in another is counted once, and converts with its module
  assert.match(md, /Library `libc` \(CDLL in `fastpkg\._libc`, first used at \[fastpkg\/uses_libc\.py:3\]\(fastpkg\/uses_libc\.py#L3\)\): 1 function used here; they convert with `fastpkg\._libc`/);
  assert.doesNotMatch(start, /uses_libc/);
  assert.doesNotMatch(md, /plain\.py|__init__\.py/, 'files without bindings are counted, not listed');
});

test('the converter\'s count is what `convert` really does: the converted module runs without ctypes under both interpreters', () => {
  const out = run(['convert', path.join(dir, 'proj', 'fastpkg', '_libc.py')]);
  assert.equal(out.status, 0, out.stderr);
  assert.doesNotMatch(out.stdout, /ctypes\./);
  const prog = path.join(dir, 'converted_libc.py');
  fs.writeFileSync(prog, `${out.stdout}\nprint(length(b"hello"), absolute(-3))\n`);
  for (const py of ['/usr/bin/python3', 'pypy3']) {
    const r = spawnSync(py, [prog], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.stdout, '5 3\n', `${py}: ${r.stderr}`);
  }
});

test('report --html: one self-contained page with a chart and links to each file', () => {
  const out = path.join(dir, 'report.html');
  const r = run(['report', '--html', '-o', out, 'proj'], dir);
  assert.equal(r.status, 0, r.stderr);
  const html = fs.readFileSync(out, 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:;">/);
  assert.doesNotMatch(html, /<script|<link |src="http|url\(http/, 'nothing to fetch, nothing to run');
  assert.match(html, /<svg class="chart"[^>]*>.*<text[^>]*>fastpkg<\/text>.*<\/svg>/s);
  // fastpkg's bar: 3 converted now, 1 left, 2 already cffi
  assert.match(html, /<title>fastpkg: 3<\/title>.*<title>fastpkg: 1<\/title>.*<title>fastpkg: 2<\/title>/s);
  assert.ok(html.includes(`href="file://${path.join(dir, 'proj', 'fastpkg', 'broken.py')}"`));
});

test('report on real packages (python-magic, libarchive-c): every binding module listed, with its ctypes library', () => {
  const r = run(['report', real]);
  assert.equal(r.status, 0, r.stderr);
  for (const m of ['magic/__init__.py', 'magic/compat.py', 'magic/loader.py', 'libarchive/ffi.py', 'libarchive/entry.py', 'libarchive/read.py', 'libarchive/write.py']) {
    assert.match(r.stdout, new RegExp(`\\| \\[${m.replace(/[./]/g, '\\$&')}:1\\]`), m);
  }
  assert.match(r.stdout, /## Package `magic`/);
  assert.match(r.stdout, /## Package `libarchive`/);
  const ffi = fs.readFileSync(path.join(real, 'libarchive', 'ffi.py'), 'utf8').split('\n');
  const loadLine = ffi.findIndex((l) => /ctypes\.(cdll\.LoadLibrary|CDLL)\(/.test(l)) + 1;
  assert.ok(loadLine > 0);
  assert.match(r.stdout, new RegExp(`Library \`libarchive\` \\([^,]+, \\[libarchive/ffi\\.py:${loadLine}\\]`));
  assert.doesNotMatch(r.stdout, /Binding style: CFFI/, 'libarchive-c\'s `from . import ffi` is its own module, not cffi');
  // libarchive-c declares its functions through a helper in ffi.py (137 of them in bookworm's 2.9) and uses them
  // from the other modules: the total counts each once
  const ffiRow = /\| \[libarchive\/ffi\.py:1\][^\n]*\| (\d+) \| (\d+) \|\n/.exec(r.stdout);
  assert.ok(ffiRow && Number(ffiRow[1]) >= 100, ffiRow?.[0]);
  const total = Number(/ (\d+) ctypes foreign functions/.exec(r.stdout)![1]);
  const rows = [...r.stdout.matchAll(/^\| \[[^\]]+\][^\n]*\| (\d+) \| \d+ \|$/gm)].reduce((n, m) => n + Number(m[1]), 0);
  assert.ok(total >= Number(ffiRow![1]) && total < rows, `total ${total}, per-module sum ${rows}`);
  assert.match(r.stdout, /Library `libarchive` \(LoadLibrary in `libarchive\.ffi`, first used at \[libarchive\/entry\.py:\d+\]/);
});

test('report exits 2 with a message for a missing path or no path', () => {
  const r = run(['report', path.join(dir, 'nope')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /nope: no such file or directory/);
  assert.equal(run(['report']).status, 2);
});
