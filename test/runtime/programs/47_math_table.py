"""A table of libm results, bound with ctypes."""
import ctypes
import ctypes.util
from ctypes import c_double, c_long

libm = ctypes.CDLL(ctypes.util.find_library("m"))

libm.sin.argtypes = [c_double]
libm.sin.restype = c_double
libm.cos.argtypes = [c_double]
libm.cos.restype = c_double
libm.exp.argtypes = [c_double]
libm.exp.restype = c_double
libm.log.argtypes = [c_double]
libm.log.restype = c_double
libm.sqrt.argtypes = [c_double]
libm.sqrt.restype = c_double
libm.erf.argtypes = [c_double]
libm.erf.restype = c_double
libm.floor.argtypes = [c_double]
libm.floor.restype = c_double
libm.hypot.argtypes = [c_double, c_double]
libm.hypot.restype = c_double
libm.fmod.argtypes = [c_double, c_double]
libm.fmod.restype = c_double
libm.lround.argtypes = [c_double]
libm.lround.restype = c_long
libm.copysign.argtypes = [c_double, c_double]
libm.copysign.restype = c_double

print("%-6s %10s %10s %10s %10s" % ("x", "sin", "cos", "exp", "erf"))
for x in (0.0, 0.5, 1.0, 2.0):
    print("%-6.2f %10.6f %10.6f %10.6f %10.6f" % (x, libm.sin(x), libm.cos(x), libm.exp(x), libm.erf(x)))
print("log(e) = %.6f, sqrt(2) = %.6f" % (libm.log(libm.exp(1.0)), libm.sqrt(2.0)))
print(libm.hypot(3.0, 4.0), libm.fmod(10.0, 3.0), libm.floor(-2.5))
print([libm.lround(v) for v in (2.5, -2.5, 0.49)], libm.copysign(3.0, -0.0))
