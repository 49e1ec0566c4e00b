// The single-file converter's last check (convert/check/outputGate.ts): an output that would use a cffi library
// as ctypes code uses one is not offered. The programs are shrunk reproducers from the converter fuzzer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, convertText } from '../../server/src/convert/convertFile';

const HELPER_AND_ATTRIBUTE = [
  'import ctypes',
  '',
  'def declare(lib, name, restype, argtypes):',
  '    fn = getattr(lib, name)',
  '    fn.restype = restype',
  '    return fn',
  '',
  'class Native:',
  '    def __init__(self):',
  '        self.libc = ctypes.CDLL("libc.so.6", use_errno=True)',
  '        self.strtol = declare(self.libc, "strtol", ctypes.c_long, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int])',
  '',
  'native = Native()',
  'end1 = ctypes.c_char_p()',
  'print(native.strtol(b"112750zz", ctypes.byref(end1), 8), end1.value)',
  '',
].join('\n');

const HELPER_AT_MODULE_LEVEL = [
  'import ctypes',
  '',
  'libc = ctypes.CDLL("libc.so.6")',
  '',
  'def declare(name, restype):',
  '    fn = getattr(libc, name)',
  '    fn.restype = restype',
  '    return fn',
  '',
  'labs = declare("labs", ctypes.c_long)',
  'print(labs(-5))',
  '',
].join('\n');

test('a library stored in an attribute and declared through a helper: not converted, with the reason', async () => {
  const r = await convertText(HELPER_AND_ATTRIBUTE);
  assert.deepEqual(r.edits, []);
  assert.ok(r.leftForHuman.some((l) => /^not converted: /.test(l.reason)), JSON.stringify(r.leftForHuman));
});

test('a helper that sets restype on what would be a cffi function: not converted', async () => {
  const r = await convertText(HELPER_AT_MODULE_LEVEL);
  const out = applyEdits(HELPER_AT_MODULE_LEVEL, r.edits);
  // either the converter handles the helper itself, or the gate refuses: never a cffi function given a restype
  if (r.edits.length) assert.doesNotMatch(out, /\.restype =/);
  else assert.ok(r.leftForHuman.some((l) => /not converted:/.test(l.reason)), JSON.stringify(r.leftForHuman));
});

test('a plain binding still converts', async () => {
  const src = 'import ctypes\nlibc = ctypes.CDLL("libc.so.6")\nlibc.labs.argtypes = [ctypes.c_long]\nlibc.labs.restype = ctypes.c_long\nprint(libc.labs(-5))\n';
  const r = await convertText(src);
  const out = applyEdits(src, r.edits);
  assert.match(out, /long labs\(long\);/);
  assert.doesNotMatch(out, /argtypes|restype/);
});
