// The main job: check the bundled examples, then convert each ctypes example to cffi.
// Exit 0 when both ran (findings in the examples are expected); non-zero when the tool itself failed.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const cli = path.join(root, 'bin', 'pypy-bindings.js');
const examples = path.join(root, 'examples');
const run = (args) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });

console.log('== pypy-bindings check examples');
const check = run(['check', '--output-format', 'concise', 'examples']);
process.stdout.write(check.stdout);
process.stderr.write(check.stderr);
if (check.status !== 0 && check.status !== 1) process.exit(check.status ?? 1);
const lines = check.stdout.trim().split('\n').filter(Boolean);
const byCode = {};
for (const l of lines) {
  const code = / (PB\d+) /.exec(l)?.[1];
  if (code) byCode[code] = (byCode[code] ?? 0) + 1;
}
console.log(`${lines.length} findings: ${Object.entries(byCode).map(([c, n]) => `${c}×${n}`).join(', ')}`);

for (const file of fs.readdirSync(examples).filter((f) => f.startsWith('ctypes_') && f.endsWith('.py')).sort()) {
  console.log(`\n== pypy-bindings convert examples/${file}`);
  const r = run(['convert', path.join('examples', file)]);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  if (r.status !== 0) process.exit(r.status ?? 1);
}
