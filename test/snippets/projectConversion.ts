/** A package converted by the CLI's project mode (`convert --write main.py pkg`) and run before and after under both interpreters. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { INTERPRETERS, runPythonOk } from './pythons';

/** A package module declaring libm's frexp (by name) and modf (on the library), both with a pointer out-parameter. */
export const LIBM_OUT_PARAMS = `import ctypes

libm = ctypes.CDLL("libm.so.6")
frexp = libm.frexp
frexp.argtypes = [ctypes.c_double, ctypes.POINTER(ctypes.c_int)]
frexp.restype = ctypes.c_double
libm.modf.argtypes = [ctypes.c_double, ctypes.POINTER(ctypes.c_double)]
libm.modf.restype = ctypes.c_double
`;

export const BIN = path.resolve(__dirname, '../../bin/pypy-bindings.js');
/** CPython's ctypes run is the oracle; both interpreters must print what it prints. */
const run = (interpreter: string, cwd: string, args: string[]): string => runPythonOk(interpreter, args, cwd);

/** Writes the package, converts it with the CLI's project mode, and compares both interpreters' output with CPython's ctypes run. */
export function convertsFully(files: Record<string, string>, check: (converted: Record<string, string>) => void = () => {}): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-idioms-'));
  try {
    for (const [rel, text] of Object.entries({ 'pkg/__init__.py': '', ...files })) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    const expected = run('/usr/bin/python3', dir, ['main.py']);
    assert.ok(expected.length > 0);
    const r = spawnSync(process.execPath, [BIN, 'convert', '--write', 'main.py', 'pkg'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /left for a human/);
    const converted: Record<string, string> = {};
    for (const rel of Object.keys(files)) {
      const text = fs.readFileSync(path.join(dir, rel), 'utf8');
      converted[rel] = text;
      assert.doesNotMatch(text, /TODO\(pypy-bindings\)/, rel);
      // ctypes.util.find_library may stay; nothing else of ctypes
      assert.doesNotMatch(text.replace(/^import ctypes\.util$|^from ctypes\.util import find_library$/gm, ''), /^\s*(import ctypes|from ctypes)/m, `${rel}:\n${text}`);
    }
    assert.ok(Object.values(converted).some((t) => /\.dlopen\(|_Library\(/.test(t)), 'some module loads the library through cffi');
    check(converted);
    for (const py of INTERPRETERS) assert.equal(run(py, dir, ['main.py']), expected, py);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}


/** Converts the package and requires the binding to stay ctypes with `reason` reported, and both interpreters to print what the original prints. */
export function staysCtypes(files: Record<string, string>, reason: RegExp): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-idioms-'));
  try {
    for (const [rel, text] of Object.entries({ 'pkg/__init__.py': '', ...files })) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    const expected = run('/usr/bin/python3', dir, ['main.py']);
    const r = spawnSync(process.execPath, [BIN, 'convert', '--write', 'main.py', 'pkg'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, reason);
    for (const py of INTERPRETERS) assert.equal(run(py, dir, ['main.py']), expected, py);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
