import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RULES } from '../../server/src/rules/catalogue';
import { FIRES, sampleLine } from '../unit/rulesSamples';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'pypy-bindings.js');
const BUNDLE = path.join(ROOT, 'dist', 'server.js');

interface Reported {
  file: string;
  line: number;
  column: number;
  code: string;
  severity: string;
  message: string;
}

function run(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tree: string;
let clean: string;
let infoOnly: string;

function write(dir: string, name: string, text: string): string {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

/** The file each sample goes to: .c for C samples, else a .py named after the code. */
const fileFor = (code: string) => (FIRES[code]!.c ? `${code.toLowerCase()}.c` : `${code.toLowerCase()}.py`);

before(() => {
  assert.ok(fs.existsSync(BIN) && fs.existsSync(BUNDLE), `the CLI must be built first (npm run build): ${BIN}, ${BUNDLE}`);
  tree = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-check-'));
  for (const r of RULES) write(tree, fileFor(r.code), FIRES[r.code]!.src);
  clean = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-clean-'));
  write(clean, 'plain.py', 'class Library:\n    def new(self, name):\n        return name\n\nlib = Library()\nlib.new("x")\n');
  write(clean, 'uses_sys.py', 'import sys\nprint(sys.getrefcount(1))\n');
  infoOnly = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-info-'));
  write(infoOnly, 'slow.py', 'import ctypes\nlibc = ctypes.CDLL(None)\nlibc.abs.argtypes = [ctypes.c_int]\nlibc.abs.restype = ctypes.c_int\nprint(libc.abs(-1))\n');
});

after(() => {
  for (const d of [tree, clean, infoOnly]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

test('check --format json reports every rule on its file and line, and exits 1', () => {
  const r = run(['check', '--format', 'json', tree]);
  assert.equal(r.status, 1, r.stderr);
  const reported = JSON.parse(r.stdout) as Reported[];
  for (const rule of RULES) {
    const file = path.join(tree, fileFor(rule.code));
    const hits = reported.filter((x) => path.resolve(x.file) === file && x.code === rule.code);
    assert.ok(hits.length > 0, `${rule.code} reported for ${file}: got ${JSON.stringify(reported.filter((x) => path.resolve(x.file) === file).map((x) => x.code))}`);
    assert.equal(hits[0]!.line, sampleLine(FIRES[rule.code]!), `${rule.code} line`);
    assert.equal(hits[0]!.severity, rule.defaultSeverity, `${rule.code} severity`);
    assert.ok(hits[0]!.message.length > 20);
  }
});

test('check (text) prints file:line:column: CODE message', () => {
  const r = run(['check', tree]);
  assert.equal(r.status, 1);
  const line = r.stdout.split('\n').find((l) => l.includes(' PB204 '));
  assert.ok(line, r.stdout);
  const m = /^(.*):(\d+):(\d+): PB204 /.exec(line);
  assert.ok(m, line);
  assert.equal(path.resolve(m[1]!), path.join(tree, 'pb204.py'));
  assert.equal(Number(m[2]), sampleLine(FIRES.PB204!));
  assert.equal(Number(m[3]), FIRES.PB204!.src.split('\n')[sampleLine(FIRES.PB204!) - 1]!.indexOf('libc.malloc') + 1, '1-based column');
});

test('a tree without bindings gets no output and exit 0; information findings alone exit 0', () => {
  const r = run(['check', '--format', 'json', clean]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), []);
  const i = run(['check', '--format', 'json', infoOnly]);
  assert.equal(i.status, 0, i.stderr);
  assert.deepEqual((JSON.parse(i.stdout) as Reported[]).map((x) => [x.code, x.line]), [['PB101', 2]]);
});

test('pyproject.toml [tool.pypy-bindings] select/ignore/severity apply to the tree', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-conf-'));
  try {
    write(dir, 'pb204.py', FIRES.PB204!.src);
    write(dir, 'pyproject.toml', '[tool.pypy-bindings]\nignore = ["PB1"]\n\n[tool.pypy-bindings.severity]\nPB204 = "hint"\n');
    const r = run(['check', '--format', 'json', dir]);
    const reported = JSON.parse(r.stdout) as Reported[];
    assert.deepEqual(reported.map((x) => [x.code, x.severity]), [['PB204', 'hint'], ['PB205', 'information']]);
    assert.equal(r.status, 0, 'hints and information do not fail the run');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('# noqa in a checked file silences the CLI too', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-noqa-'));
  try {
    write(dir, 'm.py', 'import ctypes\nlibc = ctypes.CDLL(None)  # noqa: PB101\np = libc.malloc(8)  # noqa\n');
    const r = run(['check', '--format', 'json', dir]);
    assert.deepEqual(JSON.parse(r.stdout), []);
    assert.equal(r.status, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('usage errors exit 2', () => {
  assert.equal(run(['check', '--format', 'xml', tree]).status, 2);
  assert.equal(run(['check']).status, 2);
});
