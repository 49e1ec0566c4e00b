import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../server/src/analysis/analyze';
import { BINDING_HINT, mayBind } from '../../server/src/cli/files';
import { lint } from '../../server/src/rules/lint';
import { FIRES } from './rulesSamples';

const root = path.resolve(__dirname, '../..');

test('the CLI pre-filter never skips a file that gets a finding', async () => {
  const inputs: { name: string; src: string }[] = Object.entries(FIRES).filter(([, s]) => !s.c).map(([code, s]) => ({ name: code, src: s.src }));
  for (const dir of ['examples', 'examples/mixedmodule', 'test/runtime/programs']) {
    for (const f of fs.readdirSync(path.join(root, dir))) if (f.endsWith('.py')) inputs.push({ name: `${dir}/${f}`, src: fs.readFileSync(path.join(root, dir, f), 'utf8') });
  }
  inputs.push({ name: 'import_module', src: "from importlib import import_module\nctypes = import_module('ctypes')\nctypes.pythonapi.Py_IncRef\n" });
  // imports the analysis reads that are not one line naming ctypes/cffi: `_ctypes` (PB201), parenthesized and continued lines
  inputs.push({ name: '_ctypes only', src: 'from _ctypes import PyObj_FromPtr\nx = PyObj_FromPtr(1)\n' });
  inputs.push({ name: 'parenthesized ffi', src: 'from _foo_cffi import (\n    ffi,\n    lib,\n)\np = ffi.new("int")\n' });
  inputs.push({ name: 'continued import', src: 'import os, \\\n    ctypes\nlibc = ctypes.CDLL(None)\nlibc.printf(b"%f", 2.5)\n' });
  let withFindings = 0;
  for (const { name, src } of inputs) {
    const { model, doc } = await analyzeText(src, `file:///x/${name}`);
    const findings = lint(model, {});
    doc.dispose();
    if (findings.length === 0) continue;
    withFindings++;
    assert.ok(BINDING_HINT.test(src) && mayBind(src), `${name} has ${findings.map((f) => f.code).join(', ')} but the pre-filter would skip it`);
  }
  assert.ok(withFindings > 20, `enough inputs with findings (${withFindings})`);
});

test('analysing only the relevant regions (as the CLI does) finds exactly what analysing every region finds', async () => {
  const inputs: { name: string; src: string }[] = Object.entries(FIRES).filter(([, s]) => !s.c).map(([code, s]) => ({ name: code, src: s.src }));
  for (const dir of ['examples', 'examples/mixedmodule', 'test/runtime/programs', 'test/e2e/fixture']) {
    for (const f of fs.readdirSync(path.join(root, dir))) if (f.endsWith('.py')) inputs.push({ name: `${dir}/${f}`, src: fs.readFileSync(path.join(root, dir, f), 'utf8') });
  }
  // a long file where the binding sits far from its import, across many regions
  const filler = Array.from({ length: 300 }, (_, i) => `def helper_${i}(x):\n    return x + ${i}\n`).join('\n');
  inputs.push({ name: 'long', src: `import ctypes as C\n${filler}\nlibc = C.CDLL(None)\n${filler}\nclass S(C.Structure):\n    _fields_ = [("a", C.c_uint, 2)]\n${filler}\nn = libc.strlen(b"x")\nraw = bytes(S())\nimport sys\nsys.getrefcount(libc)\n` });
  // declarations that arrive through `from ctypes import *`, in regions that never name ctypes
  inputs.push({ name: 'star', src: `from ctypes import *\n${filler}\nlibc = CDLL(None)\n${filler}\nclass S(Structure):\n    _fields_ = [("a", c_uint, 2)]\n${filler}\nn = libc.strlen(b"x")\nraw = bytes(S())\n` });
  // what some rules read of every import and call: a guard of PB202, and `_ctypes` (PB201), each in a region naming nothing else
  inputs.push({ name: 'refcount-guard', src: `import ctypes\nimport sys\n${filler}\nfrom test.support import HAS_REFCOUNT\n${filler}\nn = sys.getrefcount(ctypes)\n` });
  inputs.push({ name: 'refcount-unguarded', src: `import ctypes\nimport sys\n${filler}\nn = sys.getrefcount(ctypes)\n` });
  inputs.push({ name: '_ctypes', src: `import ctypes\n${filler}\nfrom _ctypes import PyObj_FromPtr\n${filler}\nimport _ctypes\n${filler}\nx = _ctypes.PyObj_FromPtr(1)\n` });
  // imports that change what a name means, in a region naming nothing else: a module alias, shadowed builtins
  inputs.push({ name: 'module-alias', src: `import ctypes\n${filler}\nimport sys as s\n${filler}\nn = s.getrefcount(ctypes)\n` });
  inputs.push({ name: 'shadowed-builtins', src: `import ctypes\n${filler}\nfrom mylib import bytes, id\n${filler}\nclass S(ctypes.Structure):\n    _fields_ = [("a", ctypes.c_uint, 2)]\n\nraw = bytes(S())\np = ctypes.c_void_p(id(raw))\n` });
  inputs.push({ name: 'builtins', src: `import ctypes\n${filler}\nclass S(ctypes.Structure):\n    _fields_ = [("a", ctypes.c_uint, 2)]\n\nraw = bytes(S())\np = ctypes.c_void_p(id(raw))\n` });
  inputs.push({ name: 'star-elsewhere', src: `from mylib.ctypes_names import *\nimport ctypes\n${filler}\nlibc = ctypes.CDLL(None)\nn = libc.strlen(b"x")\n` });
  let compared = 0;
  for (const { name, src } of inputs) {
    const full = await analyzeText(src, `file:///x/${name}`);
    const some = await analyzeText(src, `file:///x/${name}`, { relevantRegionsOnly: true });
    const a = lint(full.model, {}).map((f) => `${f.code}@${f.span.start}-${f.span.end}`);
    const b = lint(some.model, {}).map((f) => `${f.code}@${f.span.start}-${f.span.end}`);
    full.doc.dispose();
    some.doc.dispose();
    assert.deepEqual(b, a, name);
    if (a.length) compared++;
  }
  assert.ok(compared > 20, `inputs with findings compared: ${compared}`);
});

test('the pre-filter skips files that only mention binding modules in prose', () => {
  assert.equal(BINDING_HINT.test('"""Unlike ctypes, this module ..."""\n# see cffi docs\nx = 1\n'), false);
  assert.equal(BINDING_HINT.test('def f():\n    import ctypes\n'), true);
  assert.equal(BINDING_HINT.test('from _foo_cffi import ffi, lib\n'), true);
});

test('mayBind (the pre-filter run alternative by alternative) equals BINDING_HINT on the standard library and odd line ends', () => {
  const texts = [
    'import ctypes', 'x = 1\nfrom cffi import FFI', 'suffix = 1\r  import ctypes\n', 'a\u2028import cppyy\n', 'import os, ffi', 'import os\n# ctypes\n',
    'from x import affix', 'importlib.import_module(\n  "ctypes")', '__import__("_ffi")', 'setup(ext_modules=[Extension ("m", [])])', 'class M(MixedModule): pass',
    '  from   pkg import   _cffi_backend\r\n', 'from a import b_ffi', 'import ctypes_extra', 'ffi', '', 'import _ctypes', 'x_ctypes = 1\nimport os',
    'from m import (\n  a,\n  ffi)', 'from m import (a)\nffi = 1', 'import os, \\\n  ctypes', 'import os \\\nctypes', 'from m import (\n  a, # ffi\n)',
  ];
  const dir = '/usr/lib/python3.11';
  assert.ok(fs.existsSync(dir), `${dir} missing`);
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.py')) texts.push(fs.readFileSync(p, 'latin1'));
    }
  };
  walk(dir);
  let hits = 0;
  for (const t of texts) {
    const want = BINDING_HINT.test(t);
    assert.equal(mayBind(t), want, t.slice(0, 200));
    if (want) hits++;
  }
  assert.ok(texts.length > 600 && hits >= 10 && hits < texts.length / 2, `${hits} of ${texts.length} files pass`);
});
