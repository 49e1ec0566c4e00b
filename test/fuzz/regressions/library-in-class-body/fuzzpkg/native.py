import ctypes as ct
from ctypes.util import find_library


class Native:
    libc = ct.CDLL(find_library("c"))
    libz = ct.CDLL("libz.so.1")

crc32 = Native.libz.crc32
crc32.restype = ct.c_ulong
crc32.argtypes = [ct.c_ulong, ct.c_char_p, ct.c_uint]
Native.libc.strlen.argtypes = [ct.c_char_p]
Native.libc.strlen.restype = ct.c_size_t
