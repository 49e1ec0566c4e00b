/**
 * Generates a flat binding-heavy Python file of about `lines` lines: the shape of ctypesgen output and of
 * pyglet's GL bindings (long runs of top-level Structure definitions, argtypes/restype assignments and
 * calls), plus a cffi section of many cdef calls (one per header, as large cffi projects do).
 *
 * `undeclaredEvery`: one function in that many is called with neither argtypes nor restype, with a float
 * argument and its result decoded (PB205 and PB204: the rules fire only where the default conversion is
 * wrong), and (when more than 2) one in that many has argtypes but no restype and its result is read with
 * `string_at` (PB204); generated bindings declare everything, so the realistic file uses 50, the stress
 * variant 2 (two findings every other struct, a diagnostic every few lines).
 */
export function bindingFile(lines = 10_000, undeclaredEvery = 50): string {
  const out: string[] = [
    '"""Generated bindings (benchmark input)."""',
    'import ctypes',
    'from ctypes import POINTER, Structure, c_char_p, c_double, c_int, c_uint, c_void_p',
    'from cffi import FFI',
    '',
    '_lib = ctypes.CDLL(None)',
    'ffi = FFI()',
    '',
  ];
  const cdef: string[] = [];
  for (let i = 0; out.length < lines * 0.8; i++) {
    out.push(`class struct_s${i}(Structure):`, `    _fields_ = [("a", c_int), ("b", c_double), ("next", c_void_p)]`, '');
    if (i % undeclaredEvery === 1) {
      // PB205 (a float without argtypes) and PB204 (the int result is decoded as a string)
      out.push(`value_${i} = _lib.func_${i}(${i}, 2.5).decode()  # no argtypes, no restype`, '');
    } else if (i % undeclaredEvery === 2 % undeclaredEvery && undeclaredEvery > 2) {
      // PB204: the result is read as a C string
      out.push(`_lib.func_${i}.argtypes = [c_double, c_void_p]`, `result_${i} = ctypes.string_at(_lib.func_${i}(1.0, None))  # no restype`, '');
    } else {
      out.push(
        `_lib.func_${i}.argtypes = [c_int, POINTER(struct_s${i}), c_char_p]`,
        `_lib.func_${i}.restype = c_uint`,
        `result_${i} = _lib.func_${i}(${i}, None, b"x")`,
        '',
      );
    }
  }
  for (let j = 0; cdef.length + out.length < lines - 8; j++) {
    cdef.push(`    int cf_${j}(int a, const char *b, double c);`, `    struct cs_${j} { int x; double y; };`);
  }
  // cffi projects split big declarations into many cdef calls (one per header or feature)
  for (let k = 0; k < cdef.length; k += 60) out.push('ffi.cdef("""', ...cdef.slice(k, k + 60), '""")', '');
  out.push('lib = ffi.dlopen(None)', 'print(lib.cf_1(1, b"x", 2.0))', '');
  return out.join('\n');
}
