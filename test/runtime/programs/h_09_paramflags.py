"""A prototype with paramflags: frexp's out-parameter returned as part of a tuple."""
import ctypes
import ctypes.util
from ctypes import CFUNCTYPE, POINTER, c_double, c_int

libm = ctypes.CDLL(ctypes.util.find_library("m"))

prototype = CFUNCTYPE(c_double, c_double, POINTER(c_int))
frexp = prototype(("frexp", libm), ((1, "x"), (2, "exponent")))

print(frexp(8.0))
print(frexp(x=0.1))
