// The API out-of-line conversion (pypyBindings.convert.mode = "api-outofline"), proven like the in-line one:
// the converted module and its generated _build.py are compiled with each interpreter's cffi, and the module
// must print what the ctypes original printed, under CPython+cffi and under PyPy.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'pypy-bindings.js');
const PROGRAMS = join(__dirname, 'programs');
/** A spread of the corpus: plain calls, libm, variadic, structs, callbacks, errno, globals, a class wrapper. */
const SELECTION = ['01_strlen_strcmp', '02_libm_frexp_modf', '03_snprintf_formats', '04_gmtime_struct_tm', '05_qsort_ints', '08_errno_close', '10_getopt_globals', '12_zlib_wrapper'];
const INTERPRETERS = [['CPython+cffi', '/usr/bin/python3'], ['PyPy', 'pypy3']] as const;

describe('API out-of-line conversion builds and behaves like the ctypes original', { concurrency: 2 }, () => {
  for (const name of SELECTION) {
    const file = readdirSync(PROGRAMS).find((f) => f.startsWith(name));
    it(name, () => {
      assert.ok(file, `${name} is in the corpus`);
      const dir = mkdtempSync(join(tmpdir(), 'api-mode-'));
      try {
        const program = join(dir, file);
        copyFileSync(join(PROGRAMS, file), program);
        const expected = execFileSync('/usr/bin/python3', [program], { cwd: dir, encoding: 'utf8' });
        const conv = spawnSync(process.execPath, [CLI, 'convert', '--mode', 'api-outofline', '--write', program], { cwd: dir, encoding: 'utf8' });
        assert.equal(conv.status, 0, conv.stderr);
        const converted = readFileSync(program, 'utf8');
        assert.doesNotMatch(converted, /^\s*(import ctypes\s*$|from ctypes import)/m, 'no ctypes left');
        const build = readdirSync(dir).find((f) => f.endsWith('_build.py'));
        assert.ok(build, `a _build.py next to the module (stderr: ${conv.stderr})`);
        assert.match(readFileSync(join(dir, build), 'utf8'), /set_source\(/);
        for (const [label, python] of INTERPRETERS) {
          const b: SpawnSyncReturns<string> = spawnSync(python, [build!], { cwd: dir, encoding: 'utf8' });
          assert.equal(b.status, 0, `${label} build failed:\n${b.stderr.slice(-3000)}`);
          const r: SpawnSyncReturns<string> = spawnSync(python, [program], { cwd: dir, encoding: 'utf8' });
          assert.equal(r.status, 0, `${label} run failed:\n${r.stderr.slice(-3000)}`);
          assert.equal(r.stdout, expected, `${label} prints what ctypes printed`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
