# found while extending the converters (session 11, issue #12): a byref() returned by a helper and read as the
# CArgObject it is (`r._obj`) became the cffi cell: AttributeError, with no TODO (still so)
import ctypes
from ctypes import byref, pointer, c_int, c_double, POINTER

libm = ctypes.CDLL("libm.so.6")
libm.frexp.argtypes = [c_double, POINTER(c_int)]
libm.frexp.restype = c_double

e = c_int()


def ref():
    return byref(e)


r = ref()
print(libm.frexp(8.0, r), e.value, r._obj.value)
