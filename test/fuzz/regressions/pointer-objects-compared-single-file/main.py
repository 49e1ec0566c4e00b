# found while extending the converters (session 11, issue #12): two ctypes pointer objects to one cell are
# never equal; the per-file engine made both the cffi cell itself, so p == q became True, with no TODO
import ctypes
from ctypes import byref, pointer, c_int, c_double, POINTER

libm = ctypes.CDLL("libm.so.6")
libm.frexp.argtypes = [c_double, POINTER(c_int)]
libm.frexp.restype = c_double

e = c_int()
p = pointer(e)
q = pointer(e)
print(libm.frexp(8.0, p), e.value, p == q, p[0], q.contents.value)
