"""A wrapper that looks functions up by a computed name (getattr(self._lib, prefix + name)): cffi declares names, not patterns."""
import ctypes
import ctypes.util


class Maths:
    def __init__(self):
        self._lib = ctypes.CDLL(ctypes.util.find_library("m"))
        for name in ("sqrt", "cbrt"):
            fn = getattr(self._lib, name)
            fn.argtypes = [ctypes.c_double]
            fn.restype = ctypes.c_double

    def call(self, name, x):
        return getattr(self._lib, name)(x)


m = Maths()
print(m.call("sqrt", 16.0), m.call("cbrt", 27.0))
