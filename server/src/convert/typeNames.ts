/**
 * C types as the converter sees them, built from ctypes type expressions, and their spelling in cdef
 * declarations and in `ffi.new`/`ffi.cast` type strings.
 */

export type CType =
  | { k: 'prim'; ctypes: string; c: string }
  | { k: 'ptr'; to: CType }
  | { k: 'array'; of: CType; n: number }
  /** `c`: the C spelling when it is not `struct name` (API mode: the header's `struct tm` for a class `TM`, or a typedef `div_t`). */
  | { k: 'struct'; name: string; union: boolean; c?: string }
  | { k: 'func'; proto: string; ret: CType; args: CType[] }
  | { k: 'void' };

/** ctypes primitive type name → C spelling (LP64 Linux, the same sizes on CPython and PyPy). */
export const PRIMITIVES: Readonly<Record<string, string>> = {
  c_bool: '_Bool',
  c_char: 'char',
  c_wchar: 'wchar_t',
  c_byte: 'signed char',
  c_ubyte: 'unsigned char',
  c_short: 'short',
  c_ushort: 'unsigned short',
  c_int: 'int',
  c_uint: 'unsigned int',
  c_long: 'long',
  c_ulong: 'unsigned long',
  c_longlong: 'long long',
  c_ulonglong: 'unsigned long long',
  c_int8: 'int8_t',
  c_int16: 'int16_t',
  c_int32: 'int32_t',
  c_int64: 'int64_t',
  c_uint8: 'uint8_t',
  c_uint16: 'uint16_t',
  c_uint32: 'uint32_t',
  c_uint64: 'uint64_t',
  c_size_t: 'size_t',
  c_ssize_t: 'ssize_t',
  c_float: 'float',
  c_double: 'double',
  c_longdouble: 'long double',
  c_char_p: 'char *',
  c_wchar_p: 'wchar_t *',
  c_void_p: 'void *',
};

export function prim(ctypesName: string): CType | undefined {
  const c = PRIMITIVES[ctypesName];
  return c === undefined ? undefined : { k: 'prim', ctypes: ctypesName, c };
}

export const isPrim = (t: CType | undefined, ...names: string[]): boolean =>
  t?.k === 'prim' && names.includes(t.ctypes);

/** Pointer-like in ctypes' eyes: a function with this parameter accepts None, byref() and addresses. */
export function isPointerLike(t: CType): boolean {
  return t.k === 'ptr' || t.k === 'func' || isPrim(t, 'c_char_p', 'c_wchar_p', 'c_void_p');
}

const SIZES: Readonly<Record<string, number>> = {
  _Bool: 1, char: 1, 'signed char': 1, 'unsigned char': 1, short: 2, 'unsigned short': 2, int: 4, 'unsigned int': 4, long: 8, 'unsigned long': 8,
  'long long': 8, 'unsigned long long': 8, int8_t: 1, int16_t: 2, int32_t: 4, int64_t: 8, uint8_t: 1, uint16_t: 2, uint32_t: 4, uint64_t: 8,
  size_t: 8, ssize_t: 8, float: 4, double: 8, wchar_t: 4, 'char *': 8, 'wchar_t *': 8, 'void *': 8,
};

/** The size of a C primitive on LP64 Linux, or undefined. */
export function primSize(c: string): number | undefined {
  return SIZES[c];
}

/** Is x a value of the integer C type c (LP64 sizes)? Unknown types: no. A store that fits needs no truncation. */
export function fitsCInteger(c: string, x: number): boolean {
  const size = SIZES[c];
  if (!size || !Number.isSafeInteger(x) || c === '_Bool' || c === 'float' || c === 'double' || c.endsWith('*')) return false;
  const bits = 8 * size;
  return c.startsWith('unsigned') || c.startsWith('uint') || c === 'size_t' ? x >= 0 && x < 2 ** bits : x >= -(2 ** (bits - 1)) && x < 2 ** (bits - 1);
}

export function isIntegral(t: CType): boolean {
  return t.k === 'prim' && !['c_float', 'c_double', 'c_longdouble', 'c_char_p', 'c_wchar_p', 'c_void_p', 'c_char', 'c_wchar'].includes(t.ctypes);
}

export function isFloating(t: CType): boolean {
  return isPrim(t, 'c_float', 'c_double', 'c_longdouble');
}

/** The C declarator of `name` with type `t` (`int x`, `char *p`, `double v[3]`, `int (*cb)(int)`); name may be ''. */
export function declare(t: CType, name: string): string {
  return render(t, name).trim();
}

function render(t: CType, inner: string): string {
  switch (t.k) {
    case 'prim':
      return t.c.endsWith('*') ? `${t.c}${inner}` : `${t.c} ${inner}`;
    case 'void':
      return `void ${inner}`;
    case 'struct':
      return `${t.c ?? `${t.union ? 'union' : 'struct'} ${t.name}`} ${inner}`;
    case 'ptr': {
      const needsParens = t.to.k === 'array' || t.to.k === 'func';
      return render(t.to, needsParens ? `(*${inner})` : `*${inner}`);
    }
    case 'array':
      return render(t.of, `${inner}[${t.n}]`);
    case 'func': {
      const params = t.args.length ? t.args.map((a) => declare(a, '')).join(', ') : 'void';
      return render(t.ret, `(*${inner})(${params})`);
    }
  }
}

/** A type string for ffi.new / ffi.cast / ffi.sizeof: `int`, `char *`, `struct S`, `int[6]`. */
export function typeString(t: CType): string {
  return declare(t, '').replace(/ \[/g, '[');
}

/** The callback signature string for ffi.callback: `int(int *, int *)`. */
export function callbackSignature(ret: CType, args: CType[]): string {
  const params = args.map((a) => declare(a, '')).join(', ');
  return `${declare(ret, '')}(${params})`;
}

export function sameType(a: CType, b: CType): boolean {
  return declare(a, 'x') === declare(b, 'x');
}
