# reduced from fuzz seed 400309: fabs's restype is set twice, so fabs stays on the ctypes handle; the c_double
# built in its call must stay a ctypes value too (it became ffi.new("double *", …): ArgumentError)
from ctypes import CDLL, c_double

libm = CDLL("libm.so.6")
libm.trunc.restype = c_double


def case():
    libm.fabs.restype = c_double
    print("fabs", repr(libm.fabs(c_double(-8.125))))


case()
libm.fabs.restype = c_double
print("fabs", repr(libm.fabs(c_double(-8.125))))
print("trunc", repr(libm.trunc(c_double(-3.75))))
