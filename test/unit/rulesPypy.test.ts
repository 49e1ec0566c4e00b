import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintCSource } from '../../server/src/rules/lint';
import { check, codes, only } from './rulesHelpers';

test('PB102 flags _rawffi, _rawffi.alt and _ffi imports on the module name', async () => {
  const src = 'import _rawffi\nfrom _rawffi import alt\nimport _rawffi.alt as ralt\nimport _ffi\n';
  const hits = only(await check(src), 'PB102');
  assert.deepEqual(hits.map((h) => [h.line, h.text, h.severity]), [
    [1, '_rawffi', 'warning'], [2, '_rawffi', 'warning'], [3, '_rawffi.alt', 'warning'], [4, '_ffi', 'warning'],
  ]);
});

test('PB102 stays silent for a cffi out-of-line module that happens to be called _ffi', async () => {
  assert.deepEqual(codes(await check('from _ffi import ffi, lib\nprint(lib)\n')), []);
  assert.deepEqual(codes(await check('import rawffi_helpers\nfrom mypkg import _ffi_tools\n')), []);
});

test('PB103 flags setuptools and distutils Extension(...) on the callee', async () => {
  const src = `from setuptools import setup, Extension
import distutils.core
setup(name="m", ext_modules=[
    Extension("m._speed", sources=["src/speed.c"]),
    distutils.core.Extension("m._other", ["other.c"]),
])
`;
  const hits = only(await check(src, {}, 'file:///proj/setup.py'), 'PB103');
  assert.deepEqual(hits.map((h) => [h.line, h.text, h.severity]), [[4, 'Extension', 'information'], [5, 'distutils.core.Extension', 'information']]);
  assert.equal(hits[0]!.finding.guideSection, 'intro');
});

test('PB103 stays silent for a user class called Extension and for cffi_modules', async () => {
  const src = 'from setuptools import setup\nclass Extension:\n    pass\nExtension("x")\nsetup(cffi_modules=["build.py:ffibuilder"])\n';
  assert.deepEqual(codes(await check(src, {}, 'file:///proj/setup.py')), []);
});

test('lintCSource flags #include <Python.h> once, with its exact range', () => {
  const c = '/* speed.c */\n#include <stdio.h>\n  #include "Python.h"\n#include <Python.h>\nstatic PyObject *f(PyObject *self) { Py_RETURN_NONE; }\n';
  const hits = lintCSource(c);
  assert.equal(hits.length, 1);
  assert.equal(hits[0]!.code, 'PB103');
  assert.equal(c.slice(hits[0]!.span.start, hits[0]!.span.end), '#include "Python.h"');
  assert.deepEqual(lintCSource('#include <stdio.h>\nint main(void) { return 0; }\n'), []);
  assert.deepEqual(lintCSource('#include <Python.h> // noqa: PB103\nPyObject *x;\n'), []);
  assert.deepEqual(lintCSource(c, { ignore: ['PB1'] }), []);
});

const MIXED = `from pypy.interpreter.mixedmodule import MixedModule


class Module(MixedModule):
    interpleveldefs = {"f": "interp_f.f"}
    appleveldefs = {}
`;

test('PB104 flags a MixedModule outside pypy/module/', async () => {
  const hits = only(await check(MIXED, {}, 'file:///home/me/myext/moduledef.py'), 'PB104');
  assert.deepEqual(hits.map((h) => [h.line, h.text, h.severity]), [[4, 'Module', 'warning']]);
  assert.equal(hits[0]!.finding.guideSection, 'rpython-mixed-modules');
});

test('PB104 stays silent inside a PyPy source tree', async () => {
  assert.deepEqual(codes(await check(MIXED, {}, 'file:///src/pypy/pypy/module/_demo/moduledef.py')), []);
  assert.deepEqual(codes(await check(MIXED, {}, 'file:///C:/src/pypy/pypy/module/_demo/moduledef.py')), []);
});

test('PB103 is silent on C that cffi owns: a generated _cffi module, a set_source body using no C-API', () => {
  const generated = '#define _CFFI_\n#include <Python.h>\nstatic PyObject *_cffi_f(PyObject *self, PyObject *arg) { return NULL; }\n';
  assert.deepEqual(lintCSource(generated), []);
  const body = '#include <Python.h>\n#include <zlib.h>\nint helper(int x) { return x * 2; }\n';
  assert.deepEqual(lintCSource(body), []);
  const ext = '#include <Python.h>\nstatic PyMethodDef methods[] = {{NULL}};\n';
  assert.deepEqual(lintCSource(ext).map((f) => f.code), ['PB103']);
});
