import ctypes as ct
from ctypes.util import find_library

libc = ct.cdll.LoadLibrary(find_library("c"))
memcmp = libc.memcmp
memcmp.argtypes = [ct.c_void_p, ct.c_void_p, ct.c_size_t]
