// The project engine (`convert --write main.py pkg`): a module with nothing to convert whose ctypes imports nothing
// reads loses them when the binding converts (plan/unusedImports.ts), so the package no longer imports ctypes — the
// fuzzer's packages whose `fuzzpkg/native.py` kept only `import ctypes` were "partly" for it alone (session 9). An
// import another module may read through this one (a star import, `m.ctypes`) stays, and the rest still converts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, convertsFully } from '../snippets/projectConversion';
import { INTERPRETERS, runPythonOk } from '../snippets/pythons';

const native = `import ctypes

libc = ctypes.CDLL("libc.so.6")
labs = libc.labs
labs.argtypes = [ctypes.c_long]
labs.restype = ctypes.c_long
`;

test('convert PATH...: ctypes imports nothing reads go from a module with nothing to convert', () => {
  convertsFully(
    {
      'pkg/native.py': native,
      'pkg/extra.py': 'import ctypes\nimport ctypes.util\nfrom ctypes import c_int as _unused\n\nVERSION = 3\n',
      'main.py': 'from pkg.native import labs\nfrom pkg import extra\n\nprint(extra.VERSION, labs(-7))\n',
    },
    (c) => assert.match(c['pkg/extra.py']!, /^\s*VERSION = 3\n$/),
  );
});

test('convert PATH...: a ctypes import another module may read through this one stays', () => {
  for (const main of ['from pkg.native import labs\nfrom pkg.extra import *\n\nprint(VERSION, ctypes.sizeof(ctypes.c_int), labs(-7))\n', 'from pkg.native import labs\nimport pkg.extra\n\nprint(pkg.extra.ctypes.sizeof(pkg.extra.ctypes.c_int), labs(-7))\n']) {
    const extra = 'import ctypes\n\nVERSION = 3\n';
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-imports-'));
    try {
      for (const [rel, text] of Object.entries({ 'pkg/__init__.py': '', 'pkg/native.py': native, 'pkg/extra.py': extra, 'main.py': main })) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), text);
      }
      const expected = runPythonOk('/usr/bin/python3', ['main.py'], dir);
      const r = spawnSync(process.execPath, [BIN, 'convert', '--write', 'main.py', 'pkg'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /left for a human/);
      assert.equal(fs.readFileSync(path.join(dir, 'pkg/extra.py'), 'utf8'), extra);
      assert.match(fs.readFileSync(path.join(dir, 'pkg/native.py'), 'utf8'), /dlopen|_Library/);
      for (const py of INTERPRETERS) assert.equal(runPythonOk(py, ['main.py'], dir), expected, py);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('convert PATH...: `from ctypes import *` goes from a module with nothing to convert only when the module reads nothing it binds', () => {
  convertsFully(
    {
      'pkg/native.py': native,
      'pkg/extra.py': 'from ctypes import *\n\nVERSION = 3\n',
      'main.py': 'from pkg.native import labs\nfrom pkg import extra\n\nprint(extra.VERSION, labs(-7))\n',
    },
    (c) => assert.match(c['pkg/extra.py']!, /^\s*VERSION = 3\n$/),
  );
  // c_voidp (an alias of c_void_p the star binds on CPython and PyPy) and dir() read what the star bound: it stays
  for (const extra of ['from ctypes import *\n\nHANDLE = c_voidp\nprint(HANDLE.__name__)\n', 'from ctypes import *\n\nprint("c_int" in dir())\n']) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-imports-'));
    try {
      for (const [rel, text] of Object.entries({ 'pkg/__init__.py': '', 'pkg/native.py': native, 'pkg/extra.py': extra, 'main.py': 'from pkg.native import labs\nimport pkg.extra\n\nprint(labs(-7))\n' })) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), text);
      }
      const expected = runPythonOk('/usr/bin/python3', ['main.py'], dir);
      const r = spawnSync(process.execPath, [BIN, 'convert', '--write', 'main.py', 'pkg'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(fs.readFileSync(path.join(dir, 'pkg/extra.py'), 'utf8'), extra);
      assert.match(fs.readFileSync(path.join(dir, 'pkg/native.py'), 'utf8'), /dlopen|_Library/);
      for (const py of INTERPRETERS) assert.equal(runPythonOk(py, ['main.py'], dir), expected, py);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});
