"""The fixed-size and platform C types: sizes, ranges and round trips through libc."""
import ctypes
import ctypes.util
from ctypes import (
    c_bool, c_byte, c_char, c_double, c_float, c_int, c_int8, c_int16, c_int32, c_int64,
    c_long, c_longlong, c_short, c_size_t, c_ssize_t, c_ubyte, c_uint, c_uint8, c_uint16,
    c_uint32, c_uint64, c_ulong, c_ulonglong, c_ushort, c_void_p, c_char_p, sizeof,
)

print("bool", sizeof(c_bool), "char", sizeof(c_char), "byte", sizeof(c_byte), sizeof(c_ubyte))
print("short", sizeof(c_short), sizeof(c_ushort), "int", sizeof(c_int), sizeof(c_uint))
print("long", sizeof(c_long), sizeof(c_ulong), "long long", sizeof(c_longlong), sizeof(c_ulonglong))
print("fixed", sizeof(c_int8), sizeof(c_uint8), sizeof(c_int16), sizeof(c_uint16),
      sizeof(c_int32), sizeof(c_uint32), sizeof(c_int64), sizeof(c_uint64))
print("size_t", sizeof(c_size_t), "ssize_t", sizeof(c_ssize_t), "float", sizeof(c_float),
      "double", sizeof(c_double), "pointers", sizeof(c_void_p), sizeof(c_char_p))

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.abs.argtypes = [c_int]
libc.abs.restype = c_int
libc.labs.argtypes = [c_long]
libc.labs.restype = c_long
libc.llabs.argtypes = [c_longlong]
libc.llabs.restype = c_longlong

print(libc.abs(-2147483647), libc.labs(-(2 ** 62)), libc.llabs(-(2 ** 63 - 1)))

small = c_byte(-128)
big = c_uint64(2 ** 64 - 1)
ratio = c_float(0.5)
letter = c_char(b"q")
print(small.value, big.value, ratio.value, letter.value)

counter = c_uint16(65534)
counter.value += 1
print("uint16 at its maximum", counter.value)
flag = c_bool(False)
print("bool", flag.value)
flag.value = True
print("bool", flag.value, c_int32(-5).value, c_ushort(65535).value)
