/**
 * The C functions generated programs call, with their C signatures written as ctypes types (from the C
 * headers and ctypes' documentation, not from the converter). A type is a ctypes name (`c_int`), `P:T` for
 * `POINTER(T)`, `T:Name` for a type the program defines (a Structure or a CFUNCTYPE), `null` for void.
 */
export type Lib = 'c' | 'm' | 'z';

export interface Sig {
  readonly lib: Lib;
  readonly res: string | null;
  readonly args: readonly string[];
  readonly variadic?: boolean;
  /** The result is an integer that C `int` holds for the values programs pass: restype may be left out. */
  readonly smallInt?: boolean;
}

const c = (res: string | null, args: string[], extra: Partial<Sig> = {}): Sig => ({ lib: 'c', res, args, ...extra });
const m = (res: string, args: string[]): Sig => ({ lib: 'm', res, args });
const z = (res: string | null, args: string[], extra: Partial<Sig> = {}): Sig => ({ lib: 'z', res, args, ...extra });

export const FUNCTIONS: Record<string, Sig> = {
  strlen: c('c_size_t', ['c_char_p'], { smallInt: true }),
  strcmp: c('c_int', ['c_char_p', 'c_char_p'], { smallInt: true }),
  strncmp: c('c_int', ['c_char_p', 'c_char_p', 'c_size_t'], { smallInt: true }),
  abs: c('c_int', ['c_int'], { smallInt: true }),
  labs: c('c_long', ['c_long']),
  llabs: c('c_longlong', ['c_longlong']),
  atoi: c('c_int', ['c_char_p'], { smallInt: true }),
  atol: c('c_long', ['c_char_p']),
  strtol: c('c_long', ['c_char_p', 'P:c_char_p', 'c_int']),
  strtoul: c('c_ulong', ['c_char_p', 'P:c_char_p', 'c_int']),
  strtod: c('c_double', ['c_char_p', 'P:c_char_p']),
  toupper: c('c_int', ['c_int'], { smallInt: true }),
  tolower: c('c_int', ['c_int'], { smallInt: true }),
  strchr: c('c_char_p', ['c_char_p', 'c_int']),
  strrchr: c('c_char_p', ['c_char_p', 'c_int']),
  strstr: c('c_char_p', ['c_char_p', 'c_char_p']),
  strcpy: c('c_char_p', ['c_char_p', 'c_char_p']),
  strcat: c('c_char_p', ['c_char_p', 'c_char_p']),
  strncpy: c('c_char_p', ['c_char_p', 'c_char_p', 'c_size_t']),
  memcmp: c('c_int', ['c_void_p', 'c_void_p', 'c_size_t'], { smallInt: true }),
  memcpy: c('c_void_p', ['c_void_p', 'c_void_p', 'c_size_t']),
  memset: c('c_void_p', ['c_void_p', 'c_int', 'c_size_t']),
  qsort: c(null, ['c_void_p', 'c_size_t', 'c_size_t', 'T:CMPFUNC']),
  bsearch: c('c_void_p', ['c_void_p', 'c_void_p', 'c_size_t', 'c_size_t', 'T:CMPFUNC']),
  qsort_r: c(null, ['c_void_p', 'c_size_t', 'c_size_t', 'T:CMPFUNC_R', 'c_void_p']),
  div: c('T:div_t', ['c_int', 'c_int']),
  ldiv: c('T:ldiv_t', ['c_long', 'c_long']),
  snprintf: c('c_int', ['c_char_p', 'c_size_t', 'c_char_p'], { variadic: true, smallInt: true }),
  sprintf: c('c_int', ['c_char_p', 'c_char_p'], { variadic: true, smallInt: true }),
  sscanf: c('c_int', ['c_char_p', 'c_char_p'], { variadic: true, smallInt: true }),
  getenv: c('c_char_p', ['c_char_p']),
  strerror: c('c_char_p', ['c_int']),
  close: c('c_int', ['c_int'], { smallInt: true }),
  malloc: c('c_void_p', ['c_size_t']),
  calloc: c('c_void_p', ['c_size_t', 'c_size_t']),
  free: c(null, ['c_void_p']),
  strdup: c('c_void_p', ['c_char_p']),
  gmtime_r: c('P:T:tm', ['P:c_long', 'P:T:tm']),
  timegm: c('c_long', ['P:T:tm']),
  wcslen: c('c_size_t', ['c_wchar_p'], { smallInt: true }),
  wcscpy: c('c_wchar_p', ['c_wchar_p', 'c_wchar_p']),
  srand: c(null, ['c_uint']),
  rand: c('c_int', [], { smallInt: true }),
  tzset: c(null, []),
  dup: c('c_int', ['c_int'], { smallInt: true }),
  inet_ntoa: c('c_char_p', ['T:in_addr']),
  inet_lnaof: c('c_uint32', ['T:in_addr']),
  inet_makeaddr: c('T:in_addr', ['c_uint32', 'c_uint32']),
  sqrt: m('c_double', ['c_double']),
  pow: m('c_double', ['c_double', 'c_double']),
  floor: m('c_double', ['c_double']),
  ceil: m('c_double', ['c_double']),
  fabs: m('c_double', ['c_double']),
  fmod: m('c_double', ['c_double', 'c_double']),
  atan2: m('c_double', ['c_double', 'c_double']),
  hypot: m('c_double', ['c_double', 'c_double']),
  ldexp: m('c_double', ['c_double', 'c_int']),
  copysign: m('c_double', ['c_double', 'c_double']),
  trunc: m('c_double', ['c_double']),
  cbrt: m('c_double', ['c_double']),
  frexp: m('c_double', ['c_double', 'P:c_int']),
  modf: m('c_double', ['c_double', 'P:c_double']),
  sqrtf: m('c_float', ['c_float']),
  powf: m('c_float', ['c_float', 'c_float']),
  lround: m('c_long', ['c_double']),
  zlibVersion: z('c_char_p', []),
  crc32: z('c_ulong', ['c_ulong', 'c_char_p', 'c_uint']),
  adler32: z('c_ulong', ['c_ulong', 'c_char_p', 'c_uint']),
  compressBound: z('c_ulong', ['c_ulong']),
  compress: z('c_int', ['c_char_p', 'P:c_ulong', 'c_char_p', 'c_ulong'], { smallInt: true }),
  uncompress: z('c_int', ['c_char_p', 'P:c_ulong', 'c_char_p', 'c_ulong'], { smallInt: true }),
};

/** ctypes types whose Python value must be wrapped (`c_double(x)`) when no argtypes convert it. */
export const NEEDS_WRAP = new Set(['c_size_t', 'c_long', 'c_ulong', 'c_longlong', 'c_ulonglong', 'c_double', 'c_float', 'c_uint']);

/** Every fixed-size c_* type with its size on LP64 Linux and a value range programs stay inside. */
export const INT_TYPES: readonly (readonly [string, number, boolean])[] = [
  ['c_byte', 1, true], ['c_ubyte', 1, false], ['c_short', 2, true], ['c_ushort', 2, false],
  ['c_int', 4, true], ['c_uint', 4, false], ['c_long', 8, true], ['c_ulong', 8, false],
  ['c_longlong', 8, true], ['c_ulonglong', 8, false], ['c_int8', 1, true], ['c_uint8', 1, false],
  ['c_int16', 2, true], ['c_uint16', 2, false], ['c_int32', 4, true], ['c_uint32', 4, false],
  ['c_int64', 8, true], ['c_uint64', 8, false], ['c_size_t', 8, false], ['c_ssize_t', 8, true],
];
