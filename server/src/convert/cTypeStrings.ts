/** Reads C type spellings (from the prototype table) back into the converter's CType, coarsely. */
import { type CType, PRIMITIVES } from './typeNames';

const BY_C = new Map<string, string>(Object.entries(PRIMITIVES).map(([k, v]) => [v, k]));
BY_C.set('signed int', 'c_int');
BY_C.set('unsigned', 'c_uint');
BY_C.set('long int', 'c_long');
BY_C.set('unsigned long int', 'c_ulong');
BY_C.set('bool', 'c_bool');
for (const t of ['time_t', 'clock_t', 'off_t', 'intptr_t', 'ptrdiff_t']) BY_C.set(t, 'c_long');
for (const t of ['uintptr_t']) BY_C.set(t, 'c_ulong');
for (const t of ['pid_t']) BY_C.set(t, 'c_int');
for (const t of ['uid_t', 'gid_t', 'mode_t', 'useconds_t', 'uLong', 'uInt']) BY_C.set(t, t.startsWith('uLong') ? 'c_ulong' : 'c_uint');

/** `const char *` → c_char_p, `double` → c_double, `int *` → POINTER(c_int), `struct tm *` → pointer to an opaque struct. */
export function cTypeFromString(s: string): CType {
  if (/\(\s*\*\s*\)/.test(s)) return { k: 'func', proto: '', ret: { k: 'void' }, args: [] };
  let t = s.replace(/\bconst\b|\bvolatile\b|\brestrict\b/g, ' ').replace(/\s+/g, ' ').trim();
  let stars = 0;
  while (t.endsWith('*')) {
    stars++;
    t = t.slice(0, -1).trim();
  }
  let base: CType;
  const ct = BY_C.get(t);
  if (t === 'void') base = { k: 'void' };
  else if (ct) base = { k: 'prim', ctypes: ct, c: t };
  else if (/^(struct|union) \w+$/.test(t)) base = { k: 'struct', name: t.split(' ')[1]!, union: t.startsWith('union') };
  else base = { k: 'prim', ctypes: 'c_int', c: t }; // an opaque typedef: treated as a value type
  if (stars && base.k === 'prim' && (base.ctypes === 'c_char' || base.ctypes === 'c_wchar' )) {
    stars--;
    base = { k: 'prim', ctypes: base.ctypes === 'c_char' ? 'c_char_p' : 'c_wchar_p', c: `${t} *` };
  } else if (stars && base.k === 'void') {
    stars--;
    base = { k: 'prim', ctypes: 'c_void_p', c: 'void *' };
  }
  for (; stars > 0; stars--) base = { k: 'ptr', to: base };
  return base;
}
