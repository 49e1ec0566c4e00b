// Declarations made by a table loop, a declaring helper, a tuple assignment, getattr or lib["f"] convert with
// `pypy-bindings convert FILE` (server/src/convert/desugar.ts spells them out first); the converted file keeps
// no ctypes and prints what the original printed, under CPython+cffi and PyPy.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const BIN = path.resolve(__dirname, '../../bin/pypy-bindings.js');

const PROGRAM = `from ctypes import CDLL, c_char_p, c_size_t, c_ulong, c_uint, c_double, c_int
libc = CDLL("libc.so.6")
libz = CDLL("libz.so.1")
libm = CDLL("libm.so.6")


def declare(lib, name, restype, argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = argtypes
    return fn


LIBC_SIGNATURES = {
    "strlen": (c_size_t, [c_char_p]),
    "atoi": (c_int, [c_char_p]),
}
for _name, (_res, _args) in LIBC_SIGNATURES.items():
    f = getattr(libc, _name)
    f.restype = _res
    f.argtypes = _args
crc32 = declare(libz, "crc32", c_ulong, [c_ulong, c_char_p, c_uint])
libm.ldexp.argtypes, libm.ldexp.restype = [c_double, c_int], c_double
cbrt = getattr(libm, "cbrt")
cbrt.argtypes = [c_double]
cbrt.restype = c_double
trunc = libm["trunc"]
trunc.argtypes = [c_double]
trunc.restype = c_double
print(libc.strlen(b"hello"), libc.atoi(b"42"), crc32(0, b"abc", 3), libm.ldexp(1.5, 3), cbrt(27.0), trunc(-2.5))
`;

function run(py: string, file: string): string {
  const r = spawnSync(py, [file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `${py} ${file}: ${r.stderr}`);
  return r.stdout;
}

test('table loops, declaring helpers, tuple assignments, getattr and lib["f"] convert fully and print the same', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-shapes-'));
  const orig = path.join(dir, 'orig.py');
  fs.writeFileSync(orig, PROGRAM);
  const r = spawnSync(process.execPath, [BIN, 'convert', orig], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /ctypes|TODO\(pypy-bindings\)/, r.stdout);
  for (const fn of ['strlen', 'atoi', 'crc32', 'ldexp', 'cbrt', 'trunc']) assert.match(r.stdout, new RegExp(`\\b${fn}\\(`), `${fn} is declared in the cdef`);
  const conv = path.join(dir, 'conv.py');
  fs.writeFileSync(conv, r.stdout);
  const expected = run('/usr/bin/python3', orig);
  assert.equal(run('/usr/bin/python3', conv), expected);
  assert.equal(run('pypy3', conv), expected);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a lib["f"] whose lib.f is also used stays as ctypes gives it (a fresh function object)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-shapes-'));
  const orig = path.join(dir, 'orig.py');
  fs.writeFileSync(orig, `from ctypes import CDLL, c_double\nlibm = CDLL("libm.so.6")\ntrunc = libm["trunc"]\ntrunc.argtypes = [c_double]\ntrunc.restype = c_double\nprint(trunc(-2.5), libm.trunc)\n`);
  const r = spawnSync(process.execPath, [BIN, 'convert', orig], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /libm\["trunc"\]/, 'the subscript is not turned into libm.trunc');
  fs.rmSync(dir, { recursive: true, force: true });
});
