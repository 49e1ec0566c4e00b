/** The ctypes spelling of a C type written in a prototype (`const char *` → `c_char_p`), for restype/argtypes completion. */
import { cTypedefs } from '../data/cPrototypes';
import { CTYPES_PRIMITIVES } from '../analysis/ctypesNames';

/** C spelling → ctypes name; the first ctypes name listed for a C type wins (`c_int` over `c_int32`). */
const BY_C = new Map<string, string>();
for (const [ctypes, c] of Object.entries(CTYPES_PRIMITIVES)) if (!BY_C.has(c) && ctypes !== 'py_object') BY_C.set(c, ctypes);
for (const [alias, c] of [['signed', 'int'], ['unsigned', 'unsigned int'], ['signed int', 'int'], ['long int', 'long'], ['unsigned long int', 'unsigned long'], ['short int', 'short'], ['bool', '_Bool'], ['long long int', 'long long']] as const) {
  BY_C.set(alias, BY_C.get(c)!);
}

/** `ctypes.c_size_t`, `ctypes.POINTER(ctypes.c_int)`, `None` (void), or undefined when ctypes has no such type. */
export function ctypesFor(cType: string, prefix: string, asResult = false): string | undefined {
  const t = cType.replace(/\b(const|volatile|restrict|__restrict)\b/g, '').replace(/\s+/g, ' ').replace(/\s*\*/g, ' *').trim();
  if (t === 'void') return asResult ? 'None' : undefined;
  const direct = BY_C.get(t);
  if (direct) return prefix + direct;
  const stars = /^(.*?)((?: \*)+)$/.exec(t);
  if (stars) {
    const base = stars[1]!.trim();
    const depth = stars[2]!.split('*').length - 1;
    if (depth === 1 && (base === 'void' || base === 'FILE' || /^(struct|union) /.test(base))) return prefix + 'c_void_p';
    const inner = ctypesFor(depth === 1 ? base : `${base}${' *'.repeat(depth - 1)}`, prefix);
    return inner ? `${prefix}POINTER(${inner})` : depth === 1 ? undefined : prefix + 'c_void_p';
  }
  const def = cTypedefs().get(t);
  return def !== undefined && def !== t ? ctypesFor(def, prefix, asResult) : undefined;
}
