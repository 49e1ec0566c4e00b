// A module of a real package whose library is loaded in another module (python-magic's __init__.py and compat.py
// use loader.py's library) is left as it was by single-file conversion, with the reason: cffi values made there
// could only reach functions that stay ctypes. The package converts as a whole (test/realpkg).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const BIN = path.resolve(__dirname, '../../bin/pypy-bindings.js');
const MAGIC = '/usr/lib/python3/dist-packages/magic';

test('python-magic modules converted one by one stay as they were and say why', () => {
  assert.ok(fs.existsSync(MAGIC), 'python3-magic is installed by scripts/system-deps.sh');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-single-'));
  fs.cpSync(MAGIC, path.join(dir, 'magic'), { recursive: true });
  for (const name of ['__init__.py', 'compat.py']) {
    const file = path.join(dir, 'magic', name);
    const r = spawnSync(process.execPath, [BIN, 'convert', file], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /ffi\.(new|cdef)\(/, `${name}: no cffi value or declaration is offered`);
    assert.match(r.stderr, /loaded in another module: convert the package/, name);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
