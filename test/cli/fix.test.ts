import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../server/src/cli/atomicWrite';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'pypy-bindings.js');
const INTERPRETERS = ['/usr/bin/python3', 'pypy3'];

function run(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function python(interpreter: string, file: string) {
  const r = spawnSync(interpreter, [file], { encoding: 'utf8', timeout: 60_000, cwd: path.dirname(file) });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** ctypes without restype/argtypes: malloc's pointer is cut to 32 bits, so the program crashes or prints garbage. */
const CTYPES = `import ctypes
libc = ctypes.CDLL(None)
p = libc.malloc(64)
libc.memset(p, 65, 8)
print(ctypes.string_at(p, 8).decode())
libc.free(p)
libc.printf(b"%d\\n", 3)
`;
/** cffi with None for a pointer, plain values in a variadic call and ffi.new("int"): each raises TypeError. */
const CFFI = `import cffi
ffi = cffi.FFI()
ffi.cdef("int snprintf(char *, size_t, const char *, ...); void free(void *);")
lib = ffi.dlopen(None)
buf = ffi.new("char[]", 32)
lib.snprintf(buf, 32, b"%s|%.1f", b"ab", 2.5)
print(ffi.string(buf).decode())
lib.free(None)
n = ffi.new("int")
n[0] = 7
print(n[0])
lib.snprintf(buf, 32, b"%d", 42)
print(ffi.string(buf).decode())
`;

let dir: string;
const json = (args: string[]) => JSON.parse(run(['check', '--output-format', 'json', ...args]).stdout) as { code: string; file: string; fix?: { applicability: string } }[];

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-fix-'));
  fs.writeFileSync(path.join(dir, 'ct.py'), CTYPES);
  fs.writeFileSync(path.join(dir, 'cf.py'), CFFI);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('--diff prints the safe fixes as a unified diff, writes nothing, exits 1 (0 when nothing to fix)', () => {
  const r = run(['check', '--diff', dir]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /^\+libc\.malloc\.restype = ctypes\.c_void_p$/m);
  assert.match(r.stdout, /^\+lib\.free\(ffi\.NULL\)$/m);
  assert.match(r.stdout, /^\+n = ffi\.new\("int \*"\)$/m);
  assert.doesNotMatch(r.stdout, /ffi\.cast\("int", 42\)/, 'an unsafe fix is not shown without --unsafe-fixes');
  assert.doesNotMatch(r.stdout, /printf\.argtypes/);
  assert.match(r.stderr, /Would fix \d+ findings\./);
  assert.equal(fs.readFileSync(path.join(dir, 'ct.py'), 'utf8'), CTYPES);
  assert.equal(fs.readFileSync(path.join(dir, 'cf.py'), 'utf8'), CFFI);
  const unsafe = run(['check', '--diff', '--unsafe-fixes', dir]);
  assert.match(unsafe.stdout, /^\+lib\.snprintf\(buf, 32, b"%d", ffi\.cast\("int", 42\)\)$/m);
  assert.match(unsafe.stdout, /^\+libc\.printf\.argtypes = \[ctypes\.c_char_p\]$/m);
  const clean = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-fix-clean-'));
  try {
    fs.writeFileSync(path.join(clean, 'ok.py'), 'import ctypes\nlibc = ctypes.CDLL(None)\n');
    const n = run(['check', '--diff', clean]);
    assert.equal(n.status, 0);
    assert.equal(n.stdout, '');
  } finally {
    fs.rmSync(clean, { recursive: true, force: true });
  }
});

test('--fix applies the safe fixes, re-checks its output, and the fixed programs run under CPython+cffi and PyPy', () => {
  for (const interpreter of INTERPRETERS) {
    const before = python(interpreter, path.join(dir, 'cf.py'));
    assert.notEqual(before.status, 0, `${interpreter}: the unfixed cffi program fails`);
    assert.match(before.stderr, /TypeError/);
  }
  const r = run(['check', '--fix', '--output-format', 'concise', dir]);
  assert.equal(r.status, 1, 'unsafe-only findings remain: ' + r.stdout + r.stderr);
  assert.match(r.stdout, /Found \d+ findings \(8 fixed, \d+ remaining\)\./);
  const remaining = json([dir]);
  // what is left: information, and the two findings whose fix is unsafe
  assert.deepEqual(remaining.filter((x) => x.fix).map((x) => [path.basename(x.file), x.code, x.fix!.applicability]), [['cf.py', 'PB307', 'unsafe'], ['ct.py', 'PB205', 'unsafe']]);
  assert.equal(run(['check', '--diff', dir]).status, 0, 'a second --fix has nothing left to do');
  const ct = fs.readFileSync(path.join(dir, 'ct.py'), 'utf8');
  assert.match(ct, /^libc\.malloc\.restype = ctypes\.c_void_p\nlibc\.malloc\.argtypes = \[ctypes\.c_size_t\]\n/m);
  assert.match(ct, /^libc\.free\.argtypes = \[ctypes\.c_void_p\]$/m);
  for (const interpreter of INTERPRETERS) {
    const c = python(interpreter, path.join(dir, 'ct.py'));
    assert.equal(c.status, 0, `${interpreter} ct.py: ${c.stderr}`);
    assert.equal(c.stdout, 'AAAAAAAA\n3\n', interpreter);
    const f = python(interpreter, path.join(dir, 'cf.py'));
    // the int in the variadic call has only an unsafe fix: the program gets as far as that call
    assert.equal(f.stdout, 'ab|2.5\n7\n', `${interpreter} cf.py: ${f.stderr}`);
    assert.match(f.stderr, /TypeError/);
  }
  const u = run(['check', '--fix', '--unsafe-fixes', '--output-format', 'concise', dir]);
  assert.match(u.stdout, /\(2 fixed, \d+ remaining\)/);
  for (const interpreter of INTERPRETERS) {
    const f = python(interpreter, path.join(dir, 'cf.py'));
    assert.equal(f.status, 0, `${interpreter}: ${f.stderr}`);
    assert.equal(f.stdout, 'ab|2.5\n7\n42\n');
  }
  assert.deepEqual(json([dir]).filter((x) => x.fix), [], 'nothing fixable is left');
});

test('the fixed file keeps its mode; an atomic write refuses a file that changed since it was read', () => {
  const file = path.join(dir, 'mode.py');
  fs.writeFileSync(path.join(dir, 'mode.py'), 'import cffi\nffi = cffi.FFI()\np = ffi.new("int")\n');
  fs.chmodSync(file, 0o754);
  assert.equal(run(['check', '--fix', '--quiet', file]).status, 0);
  assert.equal(fs.readFileSync(file, 'utf8'), 'import cffi\nffi = cffi.FFI()\np = ffi.new("int *")\n');
  assert.equal(fs.statSync(file).mode & 0o777, 0o754);
  assert.throws(() => writeFileAtomic(file, 'new text', 'what it was before someone else saved'), /changed since it was read: not written/);
  assert.equal(fs.readFileSync(file, 'utf8'), 'import cffi\nffi = cffi.FFI()\np = ffi.new("int *")\n');
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'no temporary file is left behind');
});

test('--fix on a library loaded in one module and used in another: the signatures go right after the import, before the first call', () => {
  const proj = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-fix-xmod-'));
  try {
    fs.mkdirSync(path.join(proj, 'pkg'));
    fs.writeFileSync(path.join(proj, 'pkg', '__init__.py'), '');
    fs.writeFileSync(path.join(proj, 'pkg', '_lib.py'), 'import ctypes\nlibc = ctypes.CDLL(None)\n');
    const use = 'import ctypes\nfrom ._lib import libc\n\np = libc.malloc(8)\nlibc.memset(p, 65, 4)\nlibc.memset(p + 4, 0, 1)\nprint(ctypes.string_at(p).decode())\nlibc.free(p)\n';
    fs.writeFileSync(path.join(proj, 'pkg', 'use.py'), use);
    fs.writeFileSync(path.join(proj, 'main.py'), 'import pkg.use\n');
    const r = run(['check', '--fix', '--output-format', 'concise', proj]);
    assert.match(r.stdout, /\(4 fixed, 1 remaining\)/, r.stdout + r.stderr);
    const fixed = fs.readFileSync(path.join(proj, 'pkg', 'use.py'), 'utf8');
    assert.ok(fixed.startsWith('import ctypes\nfrom ._lib import libc\nlibc.malloc.restype = ctypes.c_void_p\nlibc.malloc.argtypes = [ctypes.c_size_t]\n'), fixed);
    assert.ok(fixed.indexOf('libc.free.argtypes') < fixed.indexOf('p = libc.malloc(8)'), fixed);
    for (const interpreter of INTERPRETERS) {
      const c = python(interpreter, path.join(proj, 'main.py'));
      assert.equal(c.stdout, 'AAAA\n', `${interpreter}: ${c.stderr}`);
    }
  } finally {
    fs.rmSync(proj, { recursive: true, force: true });
  }
});
