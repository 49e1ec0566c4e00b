import ctypes as ct
from ctypes.util import find_library

class Native:
    libc = ct.CDLL(find_library("c"))

dup = ct.CFUNCTYPE(ct.c_int)(("dup", Native.libc))
