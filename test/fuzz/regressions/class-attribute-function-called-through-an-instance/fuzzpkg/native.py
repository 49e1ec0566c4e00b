import ctypes

libc = ctypes.CDLL("libc.so.6")


class W:
    f = libc.strlen
    f.argtypes = [ctypes.c_char_p]
    f.restype = ctypes.c_size_t
