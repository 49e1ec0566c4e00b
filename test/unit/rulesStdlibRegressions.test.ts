import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, codes, only } from './rulesHelpers';

// Shapes found while checking the CPython standard library and site-packages for false positives.

test('PB304 does not judge Windows predefined pointer typedefs (trio: ffi.new("PULONG"))', async () => {
  const src = 'import cffi\nffi = cffi.FFI()\nffi.cdef("int f(void);")\nn = ffi.new("PULONG")\nm = ffi.new("LPVOID")\nbad = ffi.new("uint32_t")\n';
  assert.deepEqual(only(await check(src), 'PB304').map((h) => h.text), ['"uint32_t"']);
});

test('PB305 is silent when the ffi is handed to a helper that may add cdefs (numpy: parse_distributions_h(ffi, ...))', async () => {
  const src = 'import cffi\nffi = cffi.FFI()\nffi.cdef("typedef double x_t;")\nparse_header(ffi, "inc")\nlib = ffi.dlopen("libfoo.so")\nlib.from_the_header(1)\n';
  assert.deepEqual(codes(await check(src)), []);
  const without = 'import cffi\nffi = cffi.FFI()\nffi.cdef("typedef double x_t;")\nlib = ffi.dlopen("libfoo.so")\nlib.from_the_header(1)\n';
  assert.deepEqual(codes(await check(without)), ['PB305']);
});

test('PB202 is silent when the file visibly guards refcounts (numpy.testing HAS_REFCOUNT, hasattr(sys, "getrefcount"))', async () => {
  const guardedImport = 'import sys, ctypes\nfrom numpy.testing import HAS_REFCOUNT\nif HAS_REFCOUNT:\n    print(sys.getrefcount(ctypes))\n';
  assert.deepEqual(codes(await check(guardedImport)), []);
  const guardedHasattr = 'import sys, ctypes\nif hasattr(sys, "getrefcount"):\n    print(sys.getrefcount(ctypes))\n';
  assert.deepEqual(codes(await check(guardedHasattr)), []);
});

test('PB103 is silent inside distutils/setuptools themselves, not in a project setup.py', async () => {
  const src = 'from distutils.extension import Extension\next = Extension(name, sources)\n';
  assert.deepEqual(codes(await check(src, {}, 'file:///usr/lib/python3.11/distutils/command/build_ext.py')), []);
  assert.deepEqual(codes(await check(src, {}, 'file:///home/me/proj/setup.py')), ['PB103']);
});
