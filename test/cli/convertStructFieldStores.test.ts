// The per-file engine (`convert FILE`) on integer stores into struct fields, array items and the fields of an
// array of structs: ctypes truncates to the C type (a `_Bool` stores the truth), cffi raises OverflowError, so a
// value other than a literal in range goes through `_c_integer` (`bool`). Until session 11 `p.x = 2 ** 40 + 3`
// became an OverflowError (found while checking the project engine's array fields against this engine; fixture
// struct-field-store-out-of-range-single-file). The converted file must print what CPython's ctypes prints, under
// CPython+cffi and PyPy.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INTERPRETERS, runPythonOk } from '../snippets/pythons';

const BIN = path.resolve(__dirname, '../../bin/pypy-bindings.js');

test('convert FILE: out-of-range integer stores into fields and array items truncate as in ctypes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-fieldstores-'));
  try {
    const src = `import ctypes

libc = ctypes.CDLL("libc.so.6")
libc.labs.argtypes = [ctypes.c_long]
libc.labs.restype = ctypes.c_long


class P(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("v", ctypes.c_uint8 * 2), ("ok", ctypes.c_bool)]


p = P()
p.x = 2 ** 40 + 3
n = 2 ** 33 + 1
p.v[1] = n
p.v[0] = -1
p.ok = 5
arr = (P * 2)()
arr[1].x = 2 ** 34 + 2
arr[0].x = 7
nums = (ctypes.c_short * 3)()
nums[2] = 70000
print(p.x, list(p.v), p.ok, arr[1].x, arr[0].x, list(nums), libc.labs(-4))
try:
    p.x = 1.5
except TypeError:
    print("TypeError")
`;
    fs.writeFileSync(path.join(dir, 'main.py'), src);
    const expected = runPythonOk('/usr/bin/python3', ['main.py'], dir);
    const r = spawnSync(process.execPath, [BIN, 'convert', '--write', 'main.py'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = fs.readFileSync(path.join(dir, 'main.py'), 'utf8');
    assert.match(out, /p\.x = _c_integer\("int", 2 \*\* 40 \+ 3\)/);
    assert.match(out, /p\.v\[1\] = _c_integer\("uint8_t", n\)/);
    assert.match(out, /p\.ok = bool\(5\)/);
    assert.match(out, /arr\[0\]\.x = 7\n/);
    assert.doesNotMatch(out, /TODO\(pypy-bindings\)/);
    for (const py of INTERPRETERS) assert.equal(runPythonOk(py, ['main.py'], dir), expected, py);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// cffi's `ffi.new("union W *", …).b` is a view that does not own the union: the temporary is freed at once, and
// PyPy read other allocations' bytes through `v` (found reviewing the project engine's _read_field, session 11)
test('convert FILE: an array field read from a temporary struct stays ctypes, with the reason', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-tempview-'));
  try {
    const src = `import gc
import ctypes

libc = ctypes.CDLL(None)
libc.abs.argtypes = [ctypes.c_int]
libc.abs.restype = ctypes.c_int


class W(ctypes.Union):
    _fields_ = [("i", ctypes.c_int), ("b", ctypes.c_ubyte * 4)]


class P(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int)]


views = [W(i=n).b for n in range(200)]
junk = [P(-1, -1) for _ in range(2000)]
gc.collect()
print(libc.abs(-3), sum(v[0] + v[1] for v in views), len(junk))
`;
    fs.writeFileSync(path.join(dir, 'main.py'), src);
    const expected = runPythonOk('/usr/bin/python3', ['main.py'], dir);
    const r = spawnSync(process.execPath, [BIN, 'convert', '--write', 'main.py'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /left for a human: W\(…\)\.b reads an array or struct inside a temporary W/);
    const out = fs.readFileSync(path.join(dir, 'main.py'), 'utf8');
    assert.match(out, /ffi\.new\("struct P \*", \[-1, -1\]\)/);
    assert.match(out, /class W\(ctypes\.Union\)/);
    for (const py of INTERPRETERS) assert.equal(runPythonOk(py, ['main.py'], dir), expected, py);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
