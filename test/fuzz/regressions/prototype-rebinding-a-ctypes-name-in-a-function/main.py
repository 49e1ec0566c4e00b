# reduced by hand from fuzz seed 1200728 (--seed 12): a function binds `memset` for itself, so its calls are not ctypes.memset
from ctypes import *

libc = CDLL("libc.so.6")
libc.strlen.argtypes = [c_char_p]
libc.strlen.restype = c_size_t


def case():
    memset_proto = CFUNCTYPE(c_void_p, c_void_p, c_int, c_size_t)
    memset = memset_proto(("memset", libc))
    dst = create_string_buffer(8)
    memset(dst, 99, 3)
    print(dst.raw, libc.strlen(b"abc"))


case()
