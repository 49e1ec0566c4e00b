/**
 * Generates a flat binding-heavy Python file of about `lines` lines: the shape of ctypesgen output and of
 * pyglet's GL bindings (long runs of top-level Structure definitions, argtypes/restype assignments and
 * calls), plus a cffi section of many cdef calls (one per header, as large cffi projects do).
 *
 * `undeclaredEvery`: one function in that many is called with neither argtypes nor restype (PB204/PB205),
 * and one in that many has argtypes but no restype; generated bindings declare everything, so the realistic
 * file uses 50, the stress variant 2 (a diagnostic every few lines).
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
      out.push(`value_${i} = _lib.func_${i}(${i})  # no argtypes, no restype`, '');
    } else if (i % undeclaredEvery === 2) {
      out.push(`_lib.func_${i}.argtypes = [c_double, c_void_p]`, `result_${i} = _lib.func_${i}(1.0, None)  # no restype`, '');
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
