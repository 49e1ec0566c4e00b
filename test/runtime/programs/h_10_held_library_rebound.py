"""Two holders of one class attribute: a subclass binds _lib to another library, so self._lib is not one library."""
import ctypes
import ctypes.util


class Base:
    _lib = ctypes.CDLL(ctypes.util.find_library("c"))
    _lib.abs.argtypes = [ctypes.c_int]
    _lib.abs.restype = ctypes.c_int

    def magnitude(self, v):
        return self._lib.abs(v)


class Other(Base):
    _lib = ctypes.CDLL(ctypes.util.find_library("m"))
    _lib.fabs.argtypes = [ctypes.c_double]
    _lib.fabs.restype = ctypes.c_double

    def magnitude(self, v):
        return self._lib.fabs(v)


print(Base().magnitude(-3), Other().magnitude(-2.5))
