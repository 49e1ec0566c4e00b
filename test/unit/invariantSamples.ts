/** Programs the output-invariant tests share (unit: test/unit/outputInvariant.test.ts; CLI: test/cli/convertInvariant.test.ts). */

/** A real cause: the struct class is deleted (cffi declares it) while `div_t._fields_` still reads the ctypes class. */
export const FIELDS_READ = [
  'import ctypes',
  'libc = ctypes.CDLL(None)',
  'class div_t(ctypes.Structure):',
  '    _fields_ = [("quot", ctypes.c_int), ("rem", ctypes.c_int)]',
  'libc.div.argtypes = [ctypes.c_int, ctypes.c_int]',
  'libc.div.restype = div_t',
  'r = libc.div(7, 2)',
  'print(r.quot, r.rem, div_t._fields_[0][0], ctypes.sizeof(div_t))',
  '',
].join('\n');
