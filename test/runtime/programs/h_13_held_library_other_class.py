"""Two classes keep something in self._lib: the other one is handed a stand-in (a test double), so self._lib is not one library."""
import ctypes
import ctypes.util


class Native:
    def __init__(self):
        self._lib = ctypes.CDLL(ctypes.util.find_library("c"))
        self._lib.labs.argtypes = [ctypes.c_long]
        self._lib.labs.restype = ctypes.c_long

    def magnitude(self, v):
        return self._lib.labs(v)


class Recorder:
    """Records what the code hands to labs instead of calling C."""

    def labs(self, v):
        return "labs(%s(%d))" % (type(v).__name__, v.value)


class Loose:
    def __init__(self, lib):
        self._lib = lib

    def magnitude(self, v):
        return self._lib.labs(ctypes.c_long(v))


print(Native().magnitude(-5))
print(Loose(Recorder()).magnitude(-7))
