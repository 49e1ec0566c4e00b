"""A wrapper class that loads libc and libm in __init__ and declares their functions there (self._libc.f.argtypes)."""
import ctypes
import ctypes.util


class Native:
    def __init__(self):
        self._libc = ctypes.CDLL(ctypes.util.find_library("c"))
        self._libm = ctypes.CDLL(ctypes.util.find_library("m"))
        self._libc.strtol.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int]
        self._libc.strtol.restype = ctypes.c_long
        self._libc.toupper.argtypes = [ctypes.c_int]
        self._libc.toupper.restype = ctypes.c_int
        self._libm.pow.argtypes = [ctypes.c_double, ctypes.c_double]
        self._libm.pow.restype = ctypes.c_double
        self._libm.frexp.argtypes = [ctypes.c_double, ctypes.POINTER(ctypes.c_int)]
        self._libm.frexp.restype = ctypes.c_double

    def number(self, text, base):
        return self._libc.strtol(text, None, base)

    def upper(self, word):
        return bytes(self._libc.toupper(c) for c in word)

    def power(self, x, y):
        return self._libm.pow(x, y)

    def split(self, x):
        e = ctypes.c_int()
        m = self._libm.frexp(x, ctypes.byref(e))
        return m, e.value


native = Native()
print(native.number(b"ff", 16), native.number(b"-777", 8), native.number(b"12abc", 10))
print(native.upper(b"hello, pypy"))
print(native.power(2.0, 10.0), native.power(9.0, 0.5))
for x in (8.0, 0.375, -3.0):
    print(x, native.split(x))
print(native._libm.pow(3.0, 3.0))
