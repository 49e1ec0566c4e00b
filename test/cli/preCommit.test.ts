/**
 * The pre-commit hooks, with Debian's pre-commit. What runs for real: pre-commit's manifest validation of our
 * .pre-commit-hooks.yaml; pre-commit itself running both hooks (their entry, arguments and file types as the
 * manifest declares them) in a temporary git repository; and `npm pack`, the step of pre-commit's
 * `language: node` install that depends on this package. The node install as a whole is not run: after
 * packing, pre-commit runs `npm install -g` of the tarball, which resolves the dependencies from the registry
 * (no network here), so the test runs the same hooks as `language: system` with the bundled CLI.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'pypy-bindings.js');
const MANIFEST = path.join(ROOT, '.pre-commit-hooks.yaml');

interface Hook {
  id: string;
  name: string;
  entry: string;
  language: string;
  types_or?: string[];
}

let tmp: string;
// `npm pack` runs the package's `prepare` (the whole build), which took over 300 s on a machine loaded ~40
const sh = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 900_000, env: { ...process.env, PRE_COMMIT_HOME: path.join(tmp, 'cache'), ...env } });
  return { status: r.status, out: `${r.error ? `${r.error.message}\n` : ''}${r.stdout}${r.stderr}`, stdout: r.stdout };
};

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-precommit-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The manifest as pre-commit reads it (PyYAML, which Debian's pre-commit depends on). */
function manifest(): Hook[] {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', MANIFEST], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Hook[];
}

test('.pre-commit-hooks.yaml passes pre-commit validate-manifest and declares both hooks as language: node', () => {
  const v = sh('pre-commit', ['validate-manifest', MANIFEST], ROOT);
  assert.equal(v.status, 0, v.out);
  const hooks = manifest();
  assert.deepEqual(hooks.map((h) => [h.id, h.language]), [['pypy-bindings', 'node'], ['pypy-bindings-fix', 'node']]);
  assert.match(hooks[0]!.entry, /^pypy-bindings check\b/);
  assert.match(hooks[1]!.entry, /^pypy-bindings check\b.*--fix/);
  // the entry names the package's bin, which is what `npm install -g` puts on PATH
  assert.ok((JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['pypy-bindings']);
  // pre-commit rejects a broken manifest (the validation can fail)
  const bad = path.join(tmp, 'bad-hooks.yaml');
  fs.writeFileSync(bad, '- id: x\n  language: node\n');
  assert.notEqual(sh('pre-commit', ['validate-manifest', bad], ROOT).status, 0);
});

test('pre-commit runs the hooks in a git repository: check fails on findings, fix rewrites, then both pass', () => {
  const repo = path.join(tmp, 'project');
  fs.mkdirSync(repo);
  const git = (...args: string[]) => assert.equal(sh('git', ['-c', 'user.email=t@example.org', '-c', 'user.name=t', ...args], repo).status, 0, args.join(' '));
  git('init', '-q');
  fs.writeFileSync(path.join(repo, 'binding.py'), 'import cffi\nffi = cffi.FFI()\np = ffi.new("int")\n');
  fs.writeFileSync(path.join(repo, 'notes.txt'), 'ffi.new("int")\n');
  // the manifest's hooks, run with the bundled CLI instead of a node environment (see the comment at the top)
  const local = manifest().map((h) => [
    `      - id: ${h.id}`,
    `        name: ${h.name}`,
    `        entry: ${JSON.stringify(h.entry.replace(/^pypy-bindings\b/, `${process.execPath} ${BIN}`))}`,
    '        language: system',
    `        types_or: ${JSON.stringify(h.types_or ?? [])}`,
  ].join('\n'));
  fs.writeFileSync(path.join(repo, '.pre-commit-config.yaml'), `repos:\n  - repo: local\n    hooks:\n${local.join('\n')}\n`);
  git('add', '-A');
  const check = sh('pre-commit', ['run', 'pypy-bindings', '--all-files'], repo);
  assert.equal(check.status, 1, check.out);
  assert.match(check.out, /pypy-bindings check\.+Failed/);
  assert.match(check.out, /binding\.py:3:13: PB304 \[\*\] ffi\.new needs a pointer or array type/);
  assert.doesNotMatch(check.out, /notes\.txt/, 'only Python and C files are passed to the hook');

  const fix = sh('pre-commit', ['run', 'pypy-bindings-fix', '--all-files'], repo);
  assert.equal(fix.status, 1, 'pre-commit fails a hook that changed files');
  assert.match(fix.out, /files were modified by this hook/);
  assert.equal(fs.readFileSync(path.join(repo, 'binding.py'), 'utf8'), 'import cffi\nffi = cffi.FFI()\np = ffi.new("int *")\n');
  git('add', '-A');
  const again = sh('pre-commit', ['run', '--all-files'], repo);
  assert.equal(again.status, 0, again.out);
  assert.match(again.out, /pypy-bindings check\.+Passed/);
  assert.match(again.out, /pypy-bindings check --fix\.+Passed/);
});

test('npm pack, as pre-commit\'s node install runs it, prints only the tarball name and ships the bundled CLI', () => {
  const copy = path.join(tmp, 'package');
  const files = spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
  assert.ok(files.includes('.pre-commit-hooks.yaml') && files.includes('package.json'), 'run from a git checkout');
  for (const f of files) {
    if (!fs.existsSync(path.join(ROOT, f))) continue;
    fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(copy, f));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  const pack = sh('npm', ['pack'], copy, { npm_config_offline: 'true' });
  assert.equal(pack.status, 0, pack.out);
  // pre-commit takes npm pack's whole stdout as the tarball's file name
  assert.equal(pack.stdout, 'pypy-bindings-0.1.0.tgz\n');
  const list = spawnSync('tar', ['tzf', path.join(copy, 'pypy-bindings-0.1.0.tgz')], { encoding: 'utf8' }).stdout.split('\n');
  for (const f of ['package/bin/pypy-bindings.js', 'package/dist/server.js', 'package/dist/tree-sitter-python.wasm', 'package/.pre-commit-hooks.yaml']) assert.ok(list.includes(f), `${f} in the tarball`);
  // and the packed CLI runs
  const unpacked = path.join(tmp, 'unpacked');
  fs.mkdirSync(unpacked);
  assert.equal(spawnSync('tar', ['xzf', path.join(copy, 'pypy-bindings-0.1.0.tgz'), '-C', unpacked]).status, 0);
  const v = spawnSync(process.execPath, [path.join(unpacked, 'package', 'bin', 'pypy-bindings.js'), '--version'], { encoding: 'utf8' });
  assert.equal(v.stdout, 'pypy-bindings 0.1.0\n', v.stderr);
});
