// Real packages we did not write: python-magic, libarchive-c and pysodium (and pyinotify, pyudev, which stay ctypes), copied from Debian's install at test time
// (never committed), converted whole with `pypy-bindings convert DIR --write`, then driven through their
// public API by our own programs (programs/*.py). The converted package must print exactly what the
// original prints, under CPython+cffi and under PyPy, and no ctypes may be left but find_library.
// Run alone: npm run build && node --import tsx --test test/realpkg/realpkg.test.ts
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { newWarnings, pycodestyleCounts, total } from '../runtime/pycodestyle';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'pypy-bindings.js');
const DIST = '/usr/lib/python3/dist-packages';
const INTERPRETERS = ['/usr/bin/python3', 'pypy3'];

interface RunResult { code: number | null; stdout: string; stderr: string }

function run(cmd: string, args: readonly string[], env: Record<string, string> = {}, cwd = ROOT): Promise<RunResult> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd, timeout: 120_000, maxBuffer: 16 << 20, encoding: 'utf8', env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

const work = mkdtempSync(join(tmpdir(), 'pb-realpkg-'));
after(() => rmSync(work, { recursive: true, force: true }));

function copyPackage(pkg: string, to: string): void {
  cpSync(join(DIST, pkg), join(to, pkg), { recursive: true, filter: (src) => !src.includes('__pycache__') });
}

function pyFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.py')).map((f) => join(dir, f));
}

/** Lines that still name ctypes as code (comments, the helpers' docstrings and find_library aside). */
function ctypesLines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').map((l) => l.replace(/\bctypes\.util\.find_library\(/g, 'find_library(')).filter((l) => /\bctypes\b/.test(l.replace(/#.*$/, '')) && !/^\s*("""|\w.*""")/.test(l) && !/ctypes (gave|did|called|accepted|handed)/.test(l))
    .filter((l) => !/^\s*from ctypes\.util import find_library\s*$/.test(l) && !/^\s*import ctypes(\.util)?\s*$/.test(l));
}

/** Our program drives the original package, then the converted one, under py: both exit 0 and print the same. */
async function printsTheSame(py: string, program: string, orig: string, conv: string): Promise<void> {
  const script = join(__dirname, 'programs', program);
  const before = await run(py, [script], { PYTHONPATH: orig, PYTHONDONTWRITEBYTECODE: '1' });
  assert.equal(before.code, 0, before.stderr);
  assert.ok(before.stdout.split('\n').length > 15, 'the program printed too little to compare');
  const afterRun = await run(py, [script], { PYTHONPATH: conv, PYTHONDONTWRITEBYTECODE: '1' });
  assert.equal(afterRun.code, 0, afterRun.stderr);
  assert.equal(afterRun.stdout, before.stdout);
}

for (const { pkg, program, minFunctions } of [
  { pkg: 'magic', program: 'magic_api.py', minFunctions: 20 },
  { pkg: 'libarchive', program: 'libarchive_api.py', minFunctions: 100 },
  // calls most functions without argtypes: their signatures come from libsodium's installed header
  { pkg: 'pysodium', program: 'pysodium_api.py', minFunctions: 150 },
]) {
  describe(`real package ${pkg}`, () => {
    const orig = join(work, `${pkg}-orig`);
    const conv = join(work, `${pkg}-cffi`);
    let converted: RunResult;

    it('converts whole, every foreign function declared in a cdef, nothing left in ctypes', async () => {
      assert.ok(existsSync(join(DIST, pkg)), `${DIST}/${pkg} missing: scripts/system-deps.sh installs it`);
      mkdirSync(orig);
      mkdirSync(conv);
      copyPackage(pkg, orig);
      copyPackage(pkg, conv);
      converted = await run(process.execPath, [CLI, 'convert', join(conv, pkg), '--write']);
      assert.equal(converted.code, 0, converted.stderr);
      const m = /converted (\d+) foreign functions/.exec(converted.stderr);
      assert.ok(m, `no conversion summary:\n${converted.stderr}`);
      assert.ok(Number(m[1]) >= minFunctions, converted.stderr);
      assert.doesNotMatch(converted.stderr, /left for a human/);
      for (const f of pyFiles(join(conv, pkg))) assert.deepEqual(ctypesLines(f), [], `${f} still uses ctypes`);
      const cdefs = pyFiles(join(conv, pkg)).map((f) => readFileSync(f, 'utf8')).join('\n');
      assert.match(cdefs, /\.cdef\("""/);
      const compiled = await run('/usr/bin/python3', ['-m', 'py_compile', ...pyFiles(join(conv, pkg))]);
      assert.equal(compiled.code, 0, compiled.stderr);
    });

    it('adds no pycodestyle warning the original did not have (by code and count, per module)', async () => {
      assert.ok(converted, 'the conversion step ran');
      const files = pyFiles(join(conv, pkg));
      const before = await pycodestyleCounts(files.map((f) => join(orig, relative(conv, f))), work);
      const afterConv = await pycodestyleCounts(files, work);
      let [b, a] = [0, 0];
      for (const f of files) {
        const was = before.get(join(orig, relative(conv, f)))!;
        assert.deepEqual(newWarnings(was, afterConv.get(f)!), [], `${relative(conv, f)}: the conversion added pycodestyle warnings`);
        b += total(was);
        a += total(afterConv.get(f)!);
      }
      console.log(`${pkg} pycodestyle: ${b} warnings in the original, ${a} after conversion`);
    });

    for (const py of INTERPRETERS) {
      it(`prints the same as the original under ${py}`, async () => {
        assert.ok(converted, 'the conversion step ran');
        await printsTheSame(py, program, orig, conv);
        // the converted package is the one that ran, and it calls C through cffi
        const probeCode = [
          `import ${pkg}, sys, ctypes, cffi`,
          `mods = [m for n, m in list(sys.modules.items()) if n == '${pkg}' or n.startswith('${pkg}.')]`,
          'values = [v for m in mods for v in vars(m).values()]',
          `print(${pkg}.__file__)`,
          "print('ffi', any(isinstance(v, cffi.FFI) for v in values))",
          "print('ctypes functions', sum(isinstance(v, ctypes._CFuncPtr) for v in values))",
        ].join('\n');
        const probe = await run(py, ['-c', probeCode], { PYTHONPATH: conv });
        assert.equal(probe.code, 0, probe.stderr);
        assert.ok(probe.stdout.startsWith(conv), probe.stdout);
        assert.match(probe.stdout, /ffi True\nctypes functions 0\n/);
      });
    }
  });
}

// Real bindings the plan cannot yet prove safe: they must stay ctypes with a TODO at each cause, and still behave
// exactly as before. pyinotify holds its libc in instances made by a factory and loaded outside __init__; pyudev
// passes its objects to C through `_as_parameter_` and declares from signature tables by getattr(lib, name, None).
for (const { pkg, file, program, engine } of [
  { pkg: 'pyinotify', file: 'pyinotify.py', program: 'pyinotify_api.py', engine: 'single file' },
  { pkg: 'pyudev', file: 'pyudev', program: 'pyudev_api.py', engine: 'project' },
]) {
  describe(`real package ${pkg}, which stays ctypes (${engine} conversion)`, () => {
    const orig = join(work, `${pkg}-orig`);
    const conv = join(work, `${pkg}-conv`);
    let converted: RunResult;

    it('converts without error and marks each cause with a TODO', async () => {
      assert.ok(existsSync(join(DIST, file)), `${DIST}/${file} missing: scripts/system-deps.sh installs it`);
      for (const d of [orig, conv]) cpSync(join(DIST, file), join(d, file), { recursive: true, filter: (src) => !src.includes('__pycache__') });
      converted = await run(process.execPath, [CLI, 'convert', join(conv, file), '--write']);
      assert.equal(converted.code, 0, converted.stderr);
      assert.match(converted.stderr, /left for a human: /);
      const files = file.endsWith('.py') ? [join(conv, file)] : pyFiles(join(conv, file));
      assert.ok(files.some((f) => readFileSync(f, 'utf8').includes('# TODO(pypy-bindings):')), 'no TODO written');
      const compiled = await run('/usr/bin/python3', ['-m', 'py_compile', ...files]);
      assert.equal(compiled.code, 0, compiled.stderr);
    });

    for (const py of INTERPRETERS) {
      it(`prints the same as the original under ${py}`, async () => {
        assert.ok(converted, 'the conversion step ran');
        await printsTheSame(py, program, orig, conv);
        const probe = await run(py, ['-c', `import ${pkg}; print(${pkg}.__file__)`], { PYTHONPATH: conv });
        assert.ok(probe.stdout.startsWith(conv), probe.stdout);
      });
    }
  });
}

describe('a binding the plan cannot prove safe', () => {
  it('stays ctypes whole, with one TODO at the cause, and still runs', async () => {
    const dir = join(work, 'shrink', 'zbind');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '__init__.py'), 'from .core import crc, lib_name\n');
    const core = [
      'import ctypes',
      'from ctypes.util import find_library',
      '',
      'zlib = ctypes.CDLL(find_library("z"))',
      'crc32 = zlib.crc32',
      'crc32.argtypes = [ctypes.c_ulong, ctypes.c_char_p, ctypes.c_uint]',
      'crc32.restype = ctypes.c_ulong',
      '',
      '',
      'def crc(data):',
      '    return crc32(0, data, len(data))',
      '',
      '',
      'def lib_name():',
      '    return zlib._handle is not None',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'core.py'), core);
    const r = await run(process.execPath, [CLI, 'convert', dir, '--write']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /stays ctypes/);
    assert.match(r.stderr, /core\.py:\d+: left for a human: zlib\._handle is ctypes-only/);
    const out = readFileSync(join(dir, 'core.py'), 'utf8');
    assert.equal(out.split('# TODO(pypy-bindings):').length - 1, 1, out);
    // the TODO, wrapped to 79 columns, is all that was added
    assert.equal(out.replace(/^\s*# TODO\(pypy-bindings\):.*\n(?:\s*# {3}.*\n)*/m, ''), core);
    const p = await run('/usr/bin/python3', ['-c', 'import zbind; print(zbind.crc(b"abc"), zbind.lib_name())'], { PYTHONPATH: join(work, 'shrink') });
    assert.equal(p.stdout.trim(), '891568578 True', p.stderr);
  });
});

describe('functions called without argtypes', () => {
  const core = [
    'import ctypes',
    'from ctypes.util import find_library',
    '',
    'zlib = ctypes.CDLL(find_library("z"))',
    'zlib.zlibVersion.restype = ctypes.c_char_p',
    'libm = ctypes.CDLL(find_library("m"))',
    'libm.sqrt.restype = ctypes.c_double',
    '',
    '',
    'def crc(data, start=0):',
    '    return zlib.crc32(start, data, len(data))',
    '',
    '',
    'def adler(data, start=1):',
    '    n = ctypes.c_uint(len(data))',
    '    return zlib.adler32(ctypes.c_ulong(start), data, n)',
    '',
    '',
    'def version():',
    '    return zlib.zlibVersion(), zlib._name is not None',
    '',
    '',
    'def root(x):',
    '    return libm.sqrt(ctypes.c_double(x))',
    '',
  ];
  // ctypes passes a Python int as a C int (the low 32 bits, sign-extended), a c_ulong as 64 bits, and
  // returns a C int unless restype says otherwise: the converted calls must give the same numbers
  const probe = 'import zbind.core as z; print(z.crc(b"abc"), z.crc(b"abc", 2**40 + 5), z.crc(b"abc", -1), z.adler(b"abc"), z.adler(b"abc", 2**33 + 1), z.version(), z.root(2.0))';

  it('take their signature from the C header (or the built-in table) and keep what ctypes passed and returned', async () => {
    const root = join(work, 'untyped');
    for (const d of ['orig', 'conv']) {
      mkdirSync(join(root, d, 'zbind'), { recursive: true });
      writeFileSync(join(root, d, 'zbind', '__init__.py'), '');
      writeFileSync(join(root, d, 'zbind', 'core.py'), core.join('\n'));
    }
    const r = await run(process.execPath, [CLI, 'convert', join(root, 'conv', 'zbind'), '--write']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /converted 4 foreign functions/);
    const out = readFileSync(join(root, 'conv', 'zbind', 'core.py'), 'utf8');
    assert.match(out, /unsigned long crc32\(unsigned long, unsigned char \*, unsigned int\);/); // zlib.h's uLong, Bytef, uInt
    assert.match(out, /zlib = _Library\(find_library\("z"\)\)/);
    assert.match(out, /double sqrt\(double\);/); // libm: from the built-in table
    assert.deepEqual(ctypesLines(join(root, 'conv', 'zbind', 'core.py')), []);
    for (const py of INTERPRETERS) {
      const before = await run(py, ['-c', probe], { PYTHONPATH: join(root, 'orig'), PYTHONDONTWRITEBYTECODE: '1' });
      const afterRun = await run(py, ['-c', probe], { PYTHONPATH: join(root, 'conv'), PYTHONDONTWRITEBYTECODE: '1' });
      assert.equal(before.code, 0, before.stderr);
      assert.equal(afterRun.stdout, before.stdout, `${py}: ${afterRun.stderr}`);
    }
  });

  it('without a prototype in any header, stay ctypes with one TODO saying what to install', async () => {
    const dir = join(work, 'untyped-missing', 'zbind');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '__init__.py'), '');
    const text = [...core, 'def nothing():', '    return zlib.no_such_function(1)', ''].join('\n');
    writeFileSync(join(dir, 'core.py'), text);
    const r = await run(process.execPath, [CLI, 'convert', dir, '--write']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /core\.py:\d+: left for a human: no_such_function has no argtypes and no C prototype was found in libz's installed headers or the built-in table: install libz's development headers \(a -dev package\)/);
    const out = readFileSync(join(dir, 'core.py'), 'utf8');
    assert.equal(out.split('# TODO(pypy-bindings):').length - 1, 1, out);
    assert.equal(out.replace(/^\s*# TODO\(pypy-bindings\):.*\n(?:\s*# {3}.*\n)*/m, ''), text);
  });
  it('read the headers pyproject.toml names ([tool.pypy-bindings] include-paths, library-headers)', async () => {
    const root = join(work, 'untyped-pyproject');
    const dir = join(root, 'zbind');
    mkdirSync(join(root, 'include'), { recursive: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(root, 'pyproject.toml'), '[tool.pypy-bindings]\ninclude-paths = ["include"]\nlibrary-headers = { z = ["zlib.h", "zextra.h"] }\n');
    writeFileSync(join(root, 'include', 'zextra.h'), 'int no_such_function(int level);\n');
    writeFileSync(join(dir, '__init__.py'), '');
    writeFileSync(join(dir, 'core.py'), [...core, 'def nothing():', '    return zlib.no_such_function(1)', ''].join('\n'));
    const r = await run(process.execPath, [CLI, 'convert', dir, '--write']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /converted 5 foreign functions/);
    assert.match(readFileSync(join(dir, 'core.py'), 'utf8'), /int no_such_function\(int\);/);
  });
});
