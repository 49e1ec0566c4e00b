"""A variable of a library that stays ctypes (loaded twice): in_dll must stay ctypes with it, not become ffi.addressof."""
import ctypes
import ctypes.util

libc = ctypes.CDLL(ctypes.util.find_library("c"))
if libc.abs(-1) != 1:
    libc = ctypes.CDLL("libc.so.6")
libc.abs.argtypes = [ctypes.c_int]
libc.abs.restype = ctypes.c_int
opterr = ctypes.c_int.in_dll(libc, "opterr")
print(opterr.value, libc.abs(-2))
opterr.value = 0
print(ctypes.c_int.in_dll(libc, "opterr").value)
opterr.value = 1
