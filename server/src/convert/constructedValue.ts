/**
 * `c_T(v).value` read at once, the ctypes object made only to be read: the Python value ctypes gives, made
 * without ctypes. One rule for both engines (rewrite/attributes.ts, project/plan/values.ts); each hands in how
 * it renders the argument and quotes a C type string.
 */
import type { Node } from 'web-tree-sitter';
import { intLiteral, stringLiteral, unparen } from './syntax';
import { type CType, isFloating, isIntegral, isPrim } from './typeNames';

export function constructedValue(ct: CType, arg: Node | undefined, render: (n: Node) => string, q: (s: string) => string, ffi: string): string | undefined {
  if (ct.k !== 'prim') return undefined;
  if (!arg) {
    // a fresh ctypes value holds zero: 0, 0.0, False, b"\x00", None for the pointers
    if (ct.ctypes === 'c_bool') return 'False';
    if (isIntegral(ct)) return '0';
    if (isFloating(ct)) return '0.0';
    if (ct.ctypes === 'c_char') return 'b"\\x00"';
    if (ct.ctypes === 'c_wchar') return '"\\x00"';
    if (isPrim(ct, 'c_char_p', 'c_wchar_p', 'c_void_p')) return 'None';
    return undefined;
  }
  // ctypes truncates an int to the C type without a range check; so does ffi.cast
  if (ct.ctypes === 'c_bool') return `bool(${render(arg)})`;
  if (isIntegral(ct)) return `int(${ffi}.cast(${q(ct.c)}, ${render(arg)}))`;
  if (isFloating(ct)) return `float(${ffi}.cast(${q(ct.c)}, ${render(arg)}))`;
  const u = unparen(arg);
  if (isPrim(ct, 'c_char_p', 'c_wchar_p')) {
    if (u.type === 'none') return 'None';
    // the value reads up to the first NUL: only a literal without one comes back as written
    const lit = stringLiteral(u);
    return lit && lit.bytes === (ct.ctypes === 'c_char_p') && !lit.value.includes('\0') ? render(arg) : undefined;
  }
  if (ct.ctypes === 'c_char') {
    const lit = stringLiteral(u);
    if (lit?.bytes && lit.value.length === 1) return render(arg);
    const i = intLiteral(u);
    return i !== undefined && i >= 0 && i < 256 ? `bytes([${i}])` : undefined;
  }
  if (ct.ctypes === 'c_wchar') {
    // one character (a JavaScript length of 1: not a surrogate pair)
    const lit = stringLiteral(u);
    return lit && !lit.bytes && lit.value.length === 1 ? render(arg) : undefined;
  }
  return undefined;
}
