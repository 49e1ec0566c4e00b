"""Floating-point helpers from libm, including out-parameters."""
import ctypes
from ctypes import byref, c_double, c_int
from ctypes.util import find_library

libm = ctypes.cdll.LoadLibrary(find_library("m"))

libm.pow.argtypes = [c_double, c_double]
libm.pow.restype = c_double
libm.frexp.argtypes = [c_double, ctypes.POINTER(c_int)]
libm.frexp.restype = c_double
libm.modf.argtypes = [c_double, ctypes.POINTER(c_double)]
libm.modf.restype = c_double
libm.ldexp.argtypes = [c_double, c_int]
libm.ldexp.restype = c_double


def split_float(x):
    exp = c_int()
    mant = libm.frexp(x, byref(exp))
    return mant, exp.value


def int_and_frac(x):
    whole = c_double()
    frac = libm.modf(x, byref(whole))
    return whole.value, frac


print(libm.pow(2.0, 10.0))
print(libm.pow(10.0, -2.0))
for value in (1.0, 6.0, 1024.5, -0.375):
    m, e = split_float(value)
    print(value, "=", m, "* 2 **", e, "->", libm.ldexp(m, e))
print(int_and_frac(3.75))
print(int_and_frac(-2.5))
