/** Names the ctypes module exports that matter to the analysis (for `from ctypes import *`). */
export const CTYPES_PRIMITIVES: Record<string, string> = {
  c_bool: '_Bool', c_char: 'char', c_wchar: 'wchar_t', c_byte: 'signed char', c_ubyte: 'unsigned char',
  c_short: 'short', c_ushort: 'unsigned short', c_int: 'int', c_uint: 'unsigned int', c_long: 'long',
  c_ulong: 'unsigned long', c_longlong: 'long long', c_ulonglong: 'unsigned long long',
  c_int8: 'int8_t', c_uint8: 'uint8_t', c_int16: 'int16_t', c_uint16: 'uint16_t', c_int32: 'int32_t',
  c_uint32: 'uint32_t', c_int64: 'int64_t', c_uint64: 'uint64_t', c_size_t: 'size_t', c_ssize_t: 'ssize_t',
  c_float: 'float', c_double: 'double', c_longdouble: 'long double', c_char_p: 'char *', c_wchar_p: 'wchar_t *',
  c_void_p: 'void *', c_time_t: 'time_t', py_object: 'PyObject *',
};

export const CTYPES_LOADERS = new Set(['CDLL', 'WinDLL', 'OleDLL', 'PyDLL']);
export const CTYPES_LOADER_INSTANCES = new Set(['cdll', 'windll', 'oledll', 'pydll']);
export const CTYPES_STRUCT_BASES = new Set(['Structure', 'Union', 'BigEndianStructure', 'LittleEndianStructure', 'BigEndianUnion', 'LittleEndianUnion']);
export const CTYPES_PROTOTYPE_FACTORIES = new Set(['CFUNCTYPE', 'WINFUNCTYPE', 'PYFUNCTYPE']);

export const CTYPES_EXPORTS = new Set([
  ...Object.keys(CTYPES_PRIMITIVES), ...CTYPES_LOADERS, ...CTYPES_LOADER_INSTANCES, ...CTYPES_STRUCT_BASES,
  ...CTYPES_PROTOTYPE_FACTORIES, 'POINTER', 'pointer', 'byref', 'cast', 'sizeof', 'alignment', 'addressof',
  'create_string_buffer', 'create_unicode_buffer', 'c_buffer', 'string_at', 'wstring_at', 'memmove', 'memset',
  'get_errno', 'set_errno', 'get_last_error', 'set_last_error', 'pythonapi', 'resize', 'ARRAY', 'Array',
  'ArgumentError', 'RTLD_GLOBAL', 'RTLD_LOCAL', 'LibraryLoader', 'SetPointerType', 'DEFAULT_MODE', 'util',
  'wintypes', 'HRESULT', 'WinError', 'FormatError', 'GetLastError',
]);

/** The C spelling of a ctypes primitive, or undefined. */
export function cNameOfPrimitive(name: string): string | undefined {
  return CTYPES_PRIMITIVES[name];
}
