import ctypes

libc = ctypes.CDLL(None)
atoi = libc.atoi
atoi.argtypes = [ctypes.c_char_p]
atoi.restype = ctypes.c_int


def _check(result, func, args):
    return result * 10


atoi.errcheck = _check
