// A callback reaches a function declared from its C header (qsort without argtypes: `int (*)(const void *, const
// void *)`) through a loop over a list or a list item, which the conversion does not follow to its prototype. cffi
// takes only a callback of the parameter's own type (fuzz seed 16700595 was a TypeError at run time): where every
// prototype of the file differs from the parameter in pointer types only, the argument is cast (None stays NULL);
// where one differs in a value type, the call and the prototypes stay ctypes, with the reason.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INTERPRETERS, runPythonOk } from '../snippets/pythons';

const BIN = path.resolve(__dirname, '../../bin/pypy-bindings.js');
const FIXTURES = path.resolve(__dirname, '../fuzz/regressions');

function convertAndRun(fixture: string): { converted: string; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-cbcast-'));
  try {
    const file = path.join(dir, 'main.py');
    fs.copyFileSync(path.join(FIXTURES, fixture, 'main.py'), file);
    const expected = runPythonOk('/usr/bin/python3', ['main.py'], dir);
    const r = spawnSync(process.execPath, [BIN, 'convert', file, '--write'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    for (const py of INTERPRETERS) assert.equal(runPythonOk(py, ['main.py'], dir), expected, py);
    return { converted: fs.readFileSync(file, 'utf8'), stderr: r.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('convert FILE: callbacks from a list cast to the header type of qsort, the file converts fully', () => {
  const { converted } = convertAndRun('callbacks-from-a-list-cast-to-the-header-type');
  assert.doesNotMatch(converted, /import ctypes|TODO\(pypy-bindings\)/);
  assert.match(converted, /ffi\.cast\("int \(\*\)\(const void \*, const void \*\)", cmp1 or ffi\.NULL\)/);
  assert.match(converted, /ffi\.cast\("int \(\*\)\(const void \*, const void \*\)", cmps1\[0\] or ffi\.NULL\)/);
});

test('convert FILE: a prototype of another value type in the file keeps qsort and the prototypes ctypes, with the reason', () => {
  const { converted, stderr } = convertAndRun('callbacks-from-a-list-to-a-header-declared-function');
  assert.match(stderr, /cmp1 passed to qsort may be a callback of the type int\(int, int\), which C calls as int \(\*\)\(const void \*, const void \*\)/);
  assert.match(converted, /^CMPFUNC = ct\.CFUNCTYPE\(/m);
  assert.match(converted, /^PAIROP1 = ct\.CFUNCTYPE\(/m);
});
