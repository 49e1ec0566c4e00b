import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../server/src/analysis/analyze';
import { FIX_APPLICABILITY, fixesFor } from '../../server/src/rules/fixes';
import { lint } from '../../server/src/rules/lint';

const DOC = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'rules.md'), 'utf8');

test('docs/rules.md lists exactly the rules that have fixes, with their applicability', () => {
  const rows = [...DOC.matchAll(/^\| (PB\d{3}) \| .+ \| (.+) \|$/gm)].map((m) => [m[1]!, m[2]!]);
  assert.deepEqual(rows.map((r) => r[0]), Object.keys(FIX_APPLICABILITY));
  for (const [code, applicability] of rows) {
    const declared = FIX_APPLICABILITY[code]!;
    if (declared === 'safe or unsafe') assert.match(applicability, /^safe\b.*; unsafe/, code);
    else assert.equal(applicability, declared, code);
  }
});

/** Each program's findings of `code` and the applicability of their first fix. */
async function applicabilities(src: string, code: string): Promise<string[]> {
  const { model, doc } = await analyzeText(src, 'file:///t/m.py');
  try {
    return lint(model).filter((f) => f.code === code).map((f) => fixesFor(model, f)[0]?.applicability ?? 'none');
  } finally {
    doc.dispose();
  }
}

test('fixes carry the applicability the table declares', async () => {
  const ct = 'import ctypes\nlibc = ctypes.CDLL(None)\np = libc.malloc(8)\nlibc.puts(b"x")\nlibc.printf(b"%d", 1)\n';
  assert.deepEqual(await applicabilities(ct, 'PB204'), ['safe']);
  assert.deepEqual(await applicabilities(ct, 'PB205'), ['safe', 'unsafe', 'unsafe'], 'malloc (size_t), puts (char *), printf (variadic)');
  const cf = 'import cffi\nffi = cffi.FFI()\nffi.cdef("int printf(const char *, ...); void free(void *);")\nlib = ffi.dlopen(None)\nlib.printf(b"%d %s %f %s\\n", 1, b"x", 2.5, "s")\nlib.free(None)\np = ffi.new("int")\n';
  assert.deepEqual(await applicabilities(cf, 'PB307'), ['unsafe', 'safe', 'safe', 'safe']);
  assert.deepEqual(await applicabilities(cf, 'PB309'), ['safe']);
  assert.deepEqual(await applicabilities(cf, 'PB304'), ['safe']);
});
