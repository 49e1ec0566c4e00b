// `convert` never offers an output that reads a name it no longer defines (convert/check/outputInvariant.ts): a file whose
// plan deletes a struct class still read as `S._fields_`, and a package whose alias `size_t` is removed from one
// module while others read it (`a.size_t`, `from .a import *`). Both were NameErrors/AttributeErrors at run time;
// now they shrink, and the converted programs print what the originals print under CPython+cffi and PyPy. An alias
// the other modules read only as a type (`a.size_t.__name__`, `ctypes.sizeof(st)`) stays, and the rest converts.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INTERPRETERS, runPythonOk } from '../snippets/pythons';
import { FIELDS_READ } from '../unit/invariantSamples';

const BIN = path.resolve(__dirname, '../../bin/pypy-bindings.js');
/** CPython's ctypes run is the oracle; both interpreters must print what it prints. */
const run = (interpreter: string, cwd: string, args: string[]): string => runPythonOk(interpreter, args, cwd);

test('convert FILE: a struct class still read after its conversion keeps the file ctypes, with the reason', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-invariant-'));
  try {
    const file = path.join(dir, 'fields.py');
    fs.writeFileSync(file, FIELDS_READ);
    const expected = run('/usr/bin/python3', dir, ['fields.py']);
    const r = spawnSync(process.execPath, [BIN, 'convert', file, '--write'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /it would read div_t, which the converted file no longer defines/);
    const converted = fs.readFileSync(file, 'utf8');
    assert.match(converted, /^class div_t\(ctypes\.Structure\):$/m);
    for (const py of INTERPRETERS) assert.equal(run(py, dir, ['fields.py']), expected, py);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const A_PY = 'import ctypes\nlibc = ctypes.CDLL(None)\nsize_t = ctypes.c_size_t\nstrlen = libc.strlen\nstrlen.argtypes = [ctypes.c_char_p]\nstrlen.restype = size_t\n';

test('convert FOLDER: a name another module reads from a converted module stays defined, or the package stays', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-invariant-'));
  try {
    const pkg = path.join(dir, 'pkg');
    fs.mkdirSync(pkg);
    fs.writeFileSync(path.join(pkg, '__init__.py'), '');
    fs.writeFileSync(path.join(pkg, 'a.py'), A_PY);
    // b makes a value of the alias: it cannot stay a ctypes type beside the converted functions
    fs.writeFileSync(path.join(pkg, 'b.py'), 'from . import a\nprint(a.strlen(b"abcd"), a.size_t(3).value)\n');
    fs.writeFileSync(path.join(pkg, 'c.py'), 'from .a import *\nprint(strlen(b"abc"), size_t.__name__)\n');
    const main = ['-c', 'import pkg.b, pkg.c'];
    const expected = run('/usr/bin/python3', dir, main);
    const r = spawnSync(process.execPath, [BIN, 'convert', pkg, '--write'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /size_t is read from pkg\.a, which no longer defines it after conversion/);
    for (const py of INTERPRETERS) assert.equal(run(py, dir, main), expected, py);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('convert FOLDER: an alias other modules read only as a type (__name__, sizeof) stays a ctypes type, the rest converts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-invariant-'));
  try {
    const pkg = path.join(dir, 'pkg');
    fs.mkdirSync(pkg);
    fs.writeFileSync(path.join(pkg, '__init__.py'), '');
    fs.writeFileSync(path.join(pkg, 'a.py'), A_PY);
    fs.writeFileSync(path.join(pkg, 'b.py'), 'from . import a\nprint(a.strlen(b"abcd"), a.size_t.__name__)\n');
    fs.writeFileSync(path.join(pkg, 'c.py'), 'from .a import *\nprint(strlen(b"abc"), size_t.__name__)\n');
    fs.writeFileSync(path.join(pkg, 'd.py'), 'import ctypes\nfrom pkg.a import size_t as st, strlen\nprint(strlen(b"ab") * ctypes.sizeof(st))\n');
    fs.writeFileSync(path.join(pkg, 'e.py'), 'import pkg.a\nprint(pkg.a.size_t.__name__, pkg.a.strlen(b"abcde"))\n');
    const main = ['-c', 'import pkg.b, pkg.c, pkg.d, pkg.e'];
    const expected = run('/usr/bin/python3', dir, main);
    const r = spawnSync(process.execPath, [BIN, 'convert', pkg, '--write'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /converted 1 foreign functions/);
    assert.match(r.stderr, /note: pkg\.a\.size_t stays a ctypes type for pkg\.b, pkg\.c, pkg\.e, which read it only as a type/);
    // d's `ctypes.sizeof(st)` becomes ffi.sizeof of the C type: d no longer reads the alias
    assert.match(fs.readFileSync(path.join(pkg, 'd.py'), 'utf8'), /_ffi\.sizeof\("size_t"\)/);
    const a = fs.readFileSync(path.join(pkg, 'a.py'), 'utf8');
    // strlen goes through cffi; only the alias is left in ctypes
    assert.match(a, /^libc = _ffi\.dlopen\(None\)$/m);
    assert.match(a, /^strlen = _cffi_function\(libc, "strlen"\)$/m);
    assert.match(a, /^size_t = ctypes\.c_size_t$/m);
    assert.doesNotMatch(a, /TODO\(pypy-bindings\)|\.argtypes|\.restype/);
    for (const py of INTERPRETERS) assert.equal(run(py, dir, main), expected, py);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
