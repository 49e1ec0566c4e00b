import ctypes

libc = ctypes.CDLL("libc.so.6")


def declare(lib, name, restype, argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = argtypes
    return fn


strerror = declare(libc, "strerror", ctypes.c_char_p, [ctypes.c_int])
