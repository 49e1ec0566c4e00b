"""A Structure subclass with methods, a property and an __init__ override (cdata cannot be subclassed)."""
import ctypes
import ctypes.util
import math
from ctypes import POINTER, Structure, c_double

libm = ctypes.CDLL(ctypes.util.find_library("m"))
libm.hypot.argtypes = [c_double, c_double]
libm.hypot.restype = c_double


class Vec2(Structure):
    _fields_ = [("x", c_double), ("y", c_double)]

    def __init__(self, x=0.0, y=0.0):
        super().__init__(x, y)

    @property
    def length(self):
        return libm.hypot(self.x, self.y)

    def scaled(self, k):
        return Vec2(self.x * k, self.y * k)

    def __repr__(self):
        return "Vec2(%g, %g)" % (self.x, self.y)


v = Vec2(3.0, 4.0)
print(v, v.length, v.scaled(0.5), v.scaled(2).length)
print(Vec2(), round(Vec2(1, 1).length, 6) == round(math.sqrt(2), 6))
