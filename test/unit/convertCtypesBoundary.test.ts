// No value crosses between ctypes and cffi (issue #12): what a function that stays ctypes receives stays ctypes,
// its ctypes handle is reached the way the library is, and a ctypes name the module binds again is the module's.
// Shrunk from silent changes the converter fuzzer found (docs/dev/fuzzing.md); the runtime proof is the fuzz
// regression fixtures (test/fuzz/regressions/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, convertText } from '../../server/src/convert/convertFile';

async function convert(lines: string[]): Promise<string> {
  const src = lines.join('\n') + '\n';
  const r = await convertText(src);
  return applyEdits(src, r.edits);
}

/** The converted line that contains `needle`. */
function lineWith(out: string, needle: string): string {
  const line = out.split('\n').find((l) => l.includes(needle));
  assert.ok(line, `no line with ${needle} in:\n${out}`);
  return line;
}

test('a value built in the call of a function that stays ctypes stays a ctypes value (seeds 100716, 400309)', async () => {
  const out = await convert([
    'from ctypes import CDLL, c_double',
    'libm = CDLL("libm.so.6")',
    'libm.trunc.restype = c_double',
    'libm.fabs.restype = c_double',
    'print(libm.fabs(c_double(-8.125)))',
    'libm.fabs.restype = c_double',
    'print(libm.trunc(c_double(-3.75)))',
  ]);
  assert.equal(lineWith(out, 'fabs(').trim(), 'print(libm_ctypes.fabs(c_double(-8.125)))');
  assert.match(out, /^from ctypes import .*\bc_double\b/m);
  // trunc has a signature: its argument is a plain Python float for cffi
  assert.equal(lineWith(out, 'trunc(-').trim(), 'print(libm.trunc(-3.75))');
});

test('a decorated callback handed to a function that stays ctypes stays a ctypes callback (seed 101001)', async () => {
  const out = await convert([
    'from ctypes import CDLL, CFUNCTYPE, c_int, c_void_p, c_size_t',
    'libc = CDLL("libc.so.6")',
    'CMP = CFUNCTYPE(c_int, c_void_p, c_void_p)',
    'libc.qsort.restype = None',
    '@CMP',
    'def cmp(a, b):',
    '    return 0',
    'data = (c_int * 3)(3, 1, 2)',
    'libc.qsort(data, c_size_t(3), c_size_t(4), cmp)',
    // set twice: one cdef signature cannot say it, so qsort stays on the ctypes handle
    'libc.qsort.restype = None',
    'libc.abs.argtypes = [c_int]',
    'print(libc.abs(-4))',
  ]);
  assert.match(out, /int abs\(int\);/);
  assert.doesNotMatch(out, /ffi\.callback/);
  assert.match(out, /^@CMP$/m);
  assert.equal(lineWith(out, 'qsort(data').trim(), 'libc_ctypes.qsort(data, c_size_t(3), c_size_t(4), cmp)');
});

test('the ctypes handle of a library kept on an instance is reached through the instance (seed 100631)', async () => {
  const out = await convert([
    'from ctypes import *',
    'class Native:',
    '    def __init__(self):',
    '        self.libc = CDLL(None)',
    'native = Native()',
    'proto = CFUNCTYPE(None, c_void_p, c_size_t, c_size_t, c_void_p)',
    'qsort = proto(("qsort", native.libc))',
    'print(native.libc.labs(-3))',
  ]);
  assert.match(out, /self\.libc_ctypes = CDLL\(None\)/);
  assert.equal(lineWith(out, 'qsort = ').trim(), 'qsort = proto(("qsort", native.libc_ctypes))');
});

test('a ctypes name the module binds again is the module\'s own from there on (seed 100725)', async () => {
  const out = await convert([
    'from ctypes import CDLL, CFUNCTYPE, c_char, c_int, c_size_t, c_void_p, create_string_buffer, memset',
    'libc = CDLL("libc.so.6")',
    'buf = create_string_buffer(8)',
    'memset(buf, 65, 2)',
    'print(buf.raw)',
    'MEMSET_PROTO = CFUNCTYPE(c_void_p, c_void_p, c_int, c_size_t)',
    'memset = MEMSET_PROTO(("memset", libc))',
    'def case():',
    '    dst = (c_char * 8)()',
    '    memset(dst, 107, 3)',
    '    print(bytes(dst))',
    'case()',
  ]);
  // before the rebinding memset is ctypes.memset, converted; after it, the prototype's: a ctypes function, left with its arguments
  assert.match(lineWith(out, 'b"\\x41"'), /ffi\.buffer\(/);
  assert.equal(lineWith(out, 'memset(dst').trim(), 'memset(dst, 107, 3)');
  assert.match(out, /^\s*dst = \(c_char \* 8\)\(\)$/m);
});

test('a ctypes name a function binds for itself is its own in the whole function (seed 1200728)', async () => {
  const out = await convert([
    'from ctypes import CDLL, CFUNCTYPE, c_char, c_int, c_size_t, c_void_p, create_string_buffer, memset',
    'libc = CDLL("libc.so.6")',
    'def case():',
    '    proto = CFUNCTYPE(c_void_p, c_void_p, c_int, c_size_t)',
    '    memset = proto(("memset", libc))',
    '    dst = (c_char * 8)()',
    '    memset(dst, 107, 3)',
    '    print(bytes(dst))',
    'def other(memset):',
    '    buf = create_string_buffer(4)',
    '    memset(buf, 65, 2)',
    'def module_one():',
    '    buf = create_string_buffer(4)',
    '    memset(buf, 66, 2)',
    '    print(buf.raw)',
    'case()',
    'other(print)',
    'module_one()',
  ]);
  // a local and a parameter named memset are not ctypes.memset; the module's import still is
  assert.equal(lineWith(out, 'memset(dst').trim(), 'memset(dst, 107, 3)');
  assert.equal(lineWith(out, 'memset(buf, 65').trim(), 'memset(buf, 65, 2)');
  assert.match(lineWith(out, 'b"\\x42"'), /ffi\.buffer\(/);
});

test('a fallback that binds a ctypes name to another ctypes type does not hide the name', async () => {
  const out = await convert([
    'import ctypes',
    'try:',
    '    from ctypes import c_ssize_t',
    'except ImportError:',
    '    c_ssize_t = ctypes.c_long',
    'libc = ctypes.CDLL("libc.so.6")',
    'libc.labs.argtypes = [c_ssize_t]',
    'libc.labs.restype = c_ssize_t',
    'print(libc.labs(-3))',
  ]);
  assert.match(out, /ssize_t labs\(ssize_t\);/);
  assert.doesNotMatch(out, /argtypes|restype/);
});
