import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RULES } from '../../server/src/rules/catalogue';
import { Ajv } from 'ajv';
import { SARIF_2_1_0_SUBSET } from './sarifSchema';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'pypy-bindings.js');

function run(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** a.py: PB101 (information), PB204 (warning, safe fix), PB205 ×2 (one safe, printf's unsafe). b.py: cffi errors. */
const A = 'import ctypes\nlibc = ctypes.CDLL(None)\np = libc.malloc(8)\nlibc.printf(b"%d\\n", 3)\n';
const B = 'import cffi\nffi = cffi.FFI()\nffi.cdef("int printf(const char *, ...); void free(void *);")\nlib = ffi.dlopen(None)\nlib.printf(b"%d %s\\n", 1, b"x")\nlib.free(None)\n';
let dir: string;
const codesOf = (json: string) => (JSON.parse(json) as { code: string; file: string }[]).map((r) => `${path.basename(r.file)}:${r.code}`);

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-formats-'));
  fs.writeFileSync(path.join(dir, 'a.py'), A);
  fs.writeFileSync(path.join(dir, 'b.py'), B);
  fs.writeFileSync(path.join(dir, 'we,ird:name.py'), 'import ctypes\nctypes.pythonapi.Py_IncRef\n');
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('--output-format json (and --format, its alias) lists the findings with url and fix applicability', () => {
  const r = run(['check', '--output-format', 'json', dir]);
  assert.equal(r.status, 1, r.stderr);
  const alias = run(['check', '--format=json', dir]);
  assert.equal(alias.stdout, r.stdout);
  const reported = JSON.parse(r.stdout) as { code: string; file: string; line: number; url: string; fix?: { applicability: string } }[];
  assert.deepEqual(codesOf(r.stdout), ['a.py:PB101', 'a.py:PB204', 'a.py:PB205', 'a.py:PB205', 'b.py:PB307', 'b.py:PB307', 'b.py:PB309', 'we,ird:name.py:PB201']);
  const fixes = reported.map((x) => x.fix?.applicability ?? '-');
  assert.deepEqual(fixes, ['-', 'safe', 'safe', 'unsafe', 'unsafe', 'safe', 'safe', '-']);
  assert.ok(reported.every((x) => x.url.endsWith(`#${x.code.toLowerCase()}`)));
});

test('text shows each finding with its source line underlined, [*] for safe fixes, and ruff\'s summary', () => {
  const r = run(['check', dir]);
  assert.equal(r.status, 1);
  const lines = r.stdout.split('\n');
  const i = lines.findIndex((l) => l.includes(' PB204 '));
  assert.match(lines[i]!, /a\.py:3:5: PB204 \[\*\] `libc\.malloc` result used/);
  assert.equal(lines[i + 2], '3 | p = libc.malloc(8)');
  assert.equal(lines[i + 3], '  |     ^^^^^^^^^^^ PB204');
  assert.match(lines[i + 5]!, /= help: Set libc\.malloc\.restype = ctypes\.c_void_p/);
  assert.ok(lines.some((l) => /PB205 `libc\.printf`/.test(l)), 'an unsafe fix has no [*]');
  assert.match(r.stdout, /Found 8 findings\.\n\[\*\] 4 fixable with the `--fix` option \(2 hidden fixes can be enabled with the `--unsafe-fixes` option\)\.\n$/);
  const quiet = run(['check', '--quiet', dir]);
  assert.doesNotMatch(quiet.stdout, /Found|fixable/);
  assert.match(quiet.stdout, /PB204/);
  const unsafe = run(['check', '--output-format', 'concise', '--unsafe-fixes', dir]);
  assert.match(unsafe.stdout, /a\.py:4:1: PB205 \[\*\] `libc\.printf`/);
  assert.match(unsafe.stdout, /\[\*\] 6 fixable with the `--fix` option\.\n$/);
});

test('concise prints path:line:col: CODE message, one line per finding; a clean tree says so', () => {
  const r = run(['check', '--output-format', 'concise', dir]);
  const findings = r.stdout.split('\n').filter((l) => / PB\d{3} /.test(l));
  assert.equal(findings.length, 8);
  for (const l of findings) assert.match(l, /^.+\.py:\d+:\d+: PB\d{3} /);
  const clean = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-clean-'));
  try {
    fs.writeFileSync(path.join(clean, 'x.py'), 'print(1)\n');
    const c = run(['check', '--output-format', 'concise', clean]);
    assert.equal(c.status, 0);
    assert.equal(c.stdout, 'All checks passed!\n');
  } finally {
    fs.rmSync(clean, { recursive: true, force: true });
  }
});

test('--select / --extend-select / --ignore on the command line layer over [tool.pypy-bindings] as in ruff', () => {
  const conf = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-sel-'));
  try {
    fs.writeFileSync(path.join(conf, 'a.py'), A);
    fs.writeFileSync(path.join(conf, 'b.py'), B);
    fs.writeFileSync(path.join(conf, 'pyproject.toml'), '[tool.pypy-bindings]\nselect = ["PB2"]\nignore = ["PB204"]\n');
    const j = (...args: string[]) => codesOf(run(['check', '--output-format', 'json', ...args, conf]).stdout);
    assert.deepEqual(j(), ['a.py:PB205', 'a.py:PB205'], 'pyproject alone');
    assert.deepEqual(j('--select', 'PB204,PB309'), ['a.py:PB204', 'b.py:PB309'], '--select replaces select and ignore');
    assert.deepEqual(j('--extend-select', 'PB30'), ['a.py:PB205', 'a.py:PB205', 'b.py:PB307', 'b.py:PB307', 'b.py:PB309'], '--extend-select adds');
    assert.deepEqual(j('--ignore=PB205', '--extend-select', 'PB309'), ['b.py:PB309'], '--ignore adds to ignore');
    assert.deepEqual(j('--select', 'ALL', '--ignore', 'PB3,PB101'), ['a.py:PB204', 'a.py:PB205', 'a.py:PB205']);
    const bad = run(['check', '--select', 'E501', conf]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown rule selector "E501"/);
  } finally {
    fs.rmSync(conf, { recursive: true, force: true });
  }
});

test('exit status: 1 with errors or warnings, 0 with --exit-zero, 0 for information only, 2 for usage errors', () => {
  assert.equal(run(['check', '--output-format', 'concise', dir]).status, 1);
  const z = run(['check', '--exit-zero', '--output-format', 'concise', dir]);
  assert.equal(z.status, 0);
  assert.match(z.stdout, /PB204/, '--exit-zero still reports');
  assert.equal(run(['check', '--select', 'PB101', dir]).status, 0, 'information alone does not fail');
  for (const args of [['--output-format', 'xml'], ['--bogus'], ['--fix', '--diff'], ['--statistics', '--fix'], ['--exit-zero=1'], ['--select']]) {
    const r = run(['check', ...args, dir]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /usage: pypy-bindings/);
  }
});

test('--statistics counts findings per code like ruff (text and json)', () => {
  const r = run(['check', '--statistics', dir]);
  assert.equal(r.status, 1);
  assert.deepEqual(r.stdout.trimEnd().split('\n'), [
    '2\tPB205\t[*] foreign function called without argtypes',
    '2\tPB307\t[*] plain Python value in the variadic part of a call',
    '1\tPB101\t    ctypes used for foreign calls',
    '1\tPB201\t    ctypes API missing on PyPy',
    '1\tPB204\t[*] foreign function result used without restype',
    '1\tPB309\t[*] None passed for a pointer parameter',
  ]);
  const j = JSON.parse(run(['check', '--statistics', '--output-format', 'json', dir]).stdout) as { code: string; count: number; fixable: boolean }[];
  assert.deepEqual(j.find((s) => s.code === 'PB205'), { code: 'PB205', name: 'foreign function called without argtypes', count: 2, fixable: true });
  assert.equal(j.reduce((n, s) => n + s.count, 0), 8);
});

test('github prints one workflow command per finding, with escaped properties', () => {
  const r = run(['check', '--output-format', 'github', dir]);
  assert.equal(r.status, 1);
  const cmds = r.stdout.trimEnd().split('\n');
  assert.equal(cmds.length, 8);
  const re = /^::(error|warning|notice) file=([^,]+),line=(\d+),col=(\d+),endLine=(\d+),endColumn=(\d+),title=(PB\d{3})::(.+)$/;
  for (const c of cmds) assert.match(c, re);
  const m204 = re.exec(cmds.find((c) => c.includes('title=PB204'))!)!;
  assert.deepEqual(m204.slice(1, 7), ['warning', path.join(dir, 'a.py'), '3', '5', '3', '16']);
  assert.match(m204[8]!, /^`libc\.malloc` result used/);
  assert.match(cmds.find((c) => c.includes('title=PB101'))!, /^::notice /);
  assert.match(cmds.find((c) => c.includes('title=PB309'))!, /^::error /);
  const weird = cmds.find((c) => c.includes('title=PB201'))!;
  assert.ok(weird.includes(`file=${path.join(dir, 'we%2Cird%3Aname.py')},`), weird);
});

test('sarif is a SARIF 2.1.0 log: validates against the required structure, carries every rule with its help link', () => {
  const r = run(['check', '--output-format', 'sarif', '.'], dir);
  assert.equal(r.status, 1, r.stderr);
  const log = JSON.parse(r.stdout);
  // ajv is in node_modules (a dev-tool dependency); the schema is our transcription of the 2.1.0 schema's
  // required properties and property names for the objects we emit (see sarifSchema.ts)
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(SARIF_2_1_0_SUBSET);
  const isValid = (x: unknown): boolean => validate(x);
  const valid = isValid(log);
  assert.ok(valid, JSON.stringify(validate.errors, null, 2));
  const driver = log.runs[0].tool.driver;
  assert.deepEqual(driver.rules.map((x: { id: string }) => x.id), RULES.map((x) => x.code));
  for (const rule of driver.rules) assert.match(rule.helpUri, new RegExp(`#${rule.id.toLowerCase()}$`));
  const results = log.runs[0].results as { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number } } }[] }[];
  assert.equal(results.length, 8);
  const pb204 = results.find((x) => x.ruleId === 'PB204')!;
  assert.equal(driver.rules[pb204.ruleIndex].id, 'PB204');
  assert.equal(pb204.level, 'warning');
  assert.deepEqual(pb204.locations[0]!.physicalLocation.artifactLocation, { uri: 'a.py', uriBaseId: 'SRCROOT' });
  assert.equal(pb204.locations[0]!.physicalLocation.region.startLine, 3);
  assert.equal(results.find((x) => x.ruleId === 'PB101')!.level, 'note');
  assert.equal(results.find((x) => x.ruleId === 'PB201')!.locations[0]!.physicalLocation.artifactLocation.uri, 'we%2Cird%3Aname.py');
  // the schema check can fail: a result without a message is rejected
  const broken = structuredClone(log);
  delete broken.runs[0].results[0].message;
  assert.equal(isValid(broken), false);
});

test('junit is well-formed XML with a failing test case per finding', () => {
  const r = run(['check', '--output-format', 'junit', dir]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="pypy-bindings" tests="8" failures="8" errors="0">/);
  assert.equal((r.stdout.match(/<testcase /g) ?? []).length, 8);
  assert.equal((r.stdout.match(/<failure /g) ?? []).length, 8);
  assert.match(r.stdout, /<testcase name="org\.pypy-bindings\.PB204" classname="[^"]*a\.py" line="3" column="5">/);
  // every element opened is closed (a small well-formedness check: no tag soup, attributes escaped)
  const stack: string[] = [];
  for (const m of r.stdout.matchAll(/<(\/?)([a-z]+)((?:\s+[a-zA-Z]+="[^"<&]*(?:&(?:amp|lt|gt|quot);[^"<&]*)*")*)\s*(\/?)>/g)) {
    if (m[1]) assert.equal(stack.pop(), m[2]);
    else if (!m[4]) stack.push(m[2]!);
  }
  assert.deepEqual(stack, []);
  assert.match(r.stdout, /`libc\.malloc`/);
});
