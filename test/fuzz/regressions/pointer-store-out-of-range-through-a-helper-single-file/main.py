# found while extending the converters (session 11, issue #12): a pointer() handed through a helper and stored
# through out of range: ctypes truncates, cffi raised OverflowError with no TODO; the store stays ctypes now, and
# so does the helper's frexp, handed the ctypes pointer through its parameter
import ctypes
from ctypes import byref, pointer, c_int, c_double, POINTER

libm = ctypes.CDLL("libm.so.6")
libm.frexp.argtypes = [c_double, POINTER(c_int)]
libm.frexp.restype = c_double


def call(x, out):
    libm.frexp(x, out)
    return out


e = c_int()
p = call(8.0, pointer(e))
print(e.value, p.contents.value, p[0], bool(p))
p[0] = 2**33 + 5
print(e.value)
