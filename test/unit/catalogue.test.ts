import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES, ruleDocUrl, RULES_DOC_URL } from '../../server/src/rules/catalogue';
import { lintCSource } from '../../server/src/rules/lint';
import { check } from './rulesHelpers';

const DOC = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'rules.md'), 'utf8');
const GUIDE_TITLES: Record<string, string> = { cffi: 'CFFI', ctypes: 'CTypes', cppyy: 'cppyy', 'rpython-mixed-modules': 'RPython Mixed Modules', intro: 'introduction' };

/** One input per rule in which it must fire (Python unless the key says C). */
const FIRES: Record<string, { src: string; uri?: string; c?: boolean }> = {
  PB101: { src: 'import ctypes\nlibc = ctypes.CDLL(None)\n' },
  PB102: { src: 'import _rawffi\n' },
  PB103: { src: '#include <Python.h>\n', c: true },
  PB104: { src: 'from pypy.interpreter.mixedmodule import MixedModule\nclass Module(MixedModule):\n    interpleveldefs = {}\n', uri: 'file:///home/u/ext/moduledef.py' },
  PB201: { src: 'import ctypes\nctypes.pythonapi.Py_IncRef\n' },
  PB202: { src: 'import sys, ctypes\nsys.getrefcount(ctypes)\n' },
  PB203: { src: 'import ctypes\nctypes.c_void_p(id(object()))\n' },
  PB204: { src: 'import ctypes\nlibc = ctypes.CDLL(None)\np = libc.malloc(8)\n' },
  PB205: { src: 'import ctypes\nlibc = ctypes.CDLL(None)\nlibc.puts(b"x")\n' },
  PB206: { src: 'import ctypes\nclass F(ctypes.Structure):\n    _fields_ = [("a", ctypes.c_uint, 2)]\nbytes(F())\n' },
  PB301: { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("int f(int")\n' },
  PB302: { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("#include <x.h>")\n' },
  PB303: { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("#define N ...")\nlib = ffi.dlopen(None)\n' },
  PB304: { src: 'import cffi\nffi = cffi.FFI()\nffi.new("int")\n' },
  PB305: { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("int f(int);")\nlib = ffi.dlopen(None)\nlib.g\n' },
  PB306: { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("int f(int);")\nlib = ffi.dlopen(None)\nlib.f()\n' },
  PB307: { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("int printf(const char *, ...);")\nlib = ffi.dlopen(None)\nlib.printf(b"%d", 1)\n' },
  PB308: { src: 'import cffi\nffi = cffi.FFI()\nffi.cast("int *", ffi.new("int[2]"))\n' },
  PB309: { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("int f(int *);")\nlib = ffi.dlopen(None)\nlib.f(None)\n' },
  PB310: { src: 'import cffi\nffi = cffi.FFI()\nffi.cdef("time_t t(void);")\n' },
  PB311: { src: 'import cffi\nffi = cffi.FFI()\nffi.set_source("_m", "#include <Python.h>")\n' },
};

function docSection(code: string): string {
  const start = DOC.indexOf(`\n## ${code}\n`);
  assert.ok(start >= 0, `docs/rules.md has no "## ${code}" section`);
  const next = DOC.indexOf('\n## ', start + 1);
  return DOC.slice(start, next < 0 ? DOC.length : next);
}

test('every catalogue code has a docs/rules.md section, and every section a code', () => {
  const documented = [...DOC.matchAll(/^## (PB\d{3})$/gm)].map((m) => m[1]);
  assert.deepEqual(documented, RULES.map((r) => r.code), 'same codes, in the same order');
});

test('each docs section states the severity, the guide section, an example and a fix', () => {
  for (const r of RULES) {
    const s = docSection(r.code);
    assert.ok(s.includes(` · ${r.defaultSeverity} · `), `${r.code}: severity ${r.defaultSeverity}`);
    assert.ok(s.includes(`guide: [${GUIDE_TITLES[r.guideSection]}]`), `${r.code}: guide section ${r.guideSection}`);
    for (const part of ['**What.**', '**Why on PyPy.**', '```', '**Fix.**']) assert.ok(s.includes(part), `${r.code}: ${part}`);
  }
});

test('catalogue entries are well formed', () => {
  const codes = RULES.map((r) => r.code);
  assert.equal(new Set(codes).size, codes.length, 'unique codes');
  for (const r of RULES) {
    assert.match(r.code, /^PB[1-3]\d\d$/);
    const sentences = r.explanation.split(/(?<=[.!?])\s+(?=[A-Z(`_])/).length;
    assert.ok(sentences >= 2 && sentences <= 4, `${r.code}: 2-4 sentences, got ${sentences}`);
    assert.ok(r.title.length > 0 && r.title.length < 60, `${r.code}: short title`);
  }
  assert.equal(ruleDocUrl('PB101'), `${RULES_DOC_URL}#pb101`);
});

test('every rule fires on its sample input, at its default severity', async () => {
  assert.deepEqual(Object.keys(FIRES).sort(), RULES.map((r) => r.code).sort(), 'a sample for every rule');
  for (const r of RULES) {
    const sample = FIRES[r.code]!;
    const found = sample.c ? lintCSource(sample.src) : (await check(sample.src, {}, sample.uri)).map((h) => h.finding);
    const hit = found.find((f) => f.code === r.code);
    assert.ok(hit, `${r.code} fires on its sample (got ${found.map((f) => f.code).join(', ') || 'nothing'})`);
    assert.equal(hit.severity, r.defaultSeverity);
    assert.equal(hit.guideSection, r.guideSection);
    assert.ok(hit.span.end > hit.span.start, `${r.code}: non-empty range`);
  }
});
