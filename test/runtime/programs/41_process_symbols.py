"""Symbols of the running process (CDLL(None)) and a library loaded RTLD_GLOBAL."""
import ctypes
import ctypes.util

libm = ctypes.CDLL(ctypes.util.find_library("m"), mode=ctypes.RTLD_GLOBAL)
libm.cbrt.argtypes = [ctypes.c_double]
libm.cbrt.restype = ctypes.c_double

process = ctypes.CDLL(None)
process.strlen.argtypes = [ctypes.c_char_p]
process.strlen.restype = ctypes.c_size_t
process.atoi.argtypes = [ctypes.c_char_p]
process.atoi.restype = ctypes.c_int

print(process.strlen(b"from the process image"))
print(process.atoi(b"  314xyz"))
print(libm.cbrt(27.0), libm.cbrt(-8.0))
