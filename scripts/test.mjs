// Runs every suite: unit, CLI, protocol, snippet, grammar and runtime tests with node's test runner,
// then the real-editor tests (code-server). Usage: node scripts/test.mjs [--no-e2e] [suite-folder…]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const noE2e = args.includes('--no-e2e') || process.env.PYPY_BINDINGS_NO_E2E === '1';
const folders = args.filter((a) => !a.startsWith('--'));
const suites = folders.length ? folders : ['unit', 'oracle', 'cli', 'protocol', 'snippets', 'grammar', 'package', 'runtime', 'realpkg', 'fuzz'];

const run = (cmd, argv, opts = {}) => {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: root, ...opts });
  return r.status ?? 1;
};

if (run('bash', ['scripts/system-deps.sh']) !== 0) process.exit(1);
// the grammar tests read VS Code's own grammars from the cached code-server; the package test installs into it
if ((suites.includes('grammar') || suites.includes('package')) && run('bash', ['scripts/vscode-cache.sh']) !== 0) process.exit(1);

const files = [];
const walk = (dir) => {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.ts')) files.push(path.relative(root, p));
  }
};
for (const s of suites) walk(path.join(root, 'test', s));
files.sort();
console.log(`running ${files.length} test files from ${suites.join(', ')}`);
let status = run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files]);
if (!noE2e && !folders.length) status = run('npm', ['run', '--silent', 'test:e2e']) || status;
process.exit(status);
