# found while extending the converters (session 11, issue #12): `p.contents = c_int(7)` re-points a ctypes pointer;
# the per-file engine wrote `p[0] = ffi.new("int *", 7)`, a TypeError, with no TODO
import ctypes
from ctypes import byref, pointer, c_int, c_double, POINTER

libm = ctypes.CDLL("libm.so.6")
libm.frexp.argtypes = [c_double, POINTER(c_int)]
libm.frexp.restype = c_double

e = c_int()
p = pointer(e)
print(libm.frexp(8.0, p))
p.contents = c_int(7)
print(e.value, p[0])
