"""long double values: an extended-precision accumulator kept in C memory.

(PyPy's ctypes cannot pass long double through foreign calls, so the math runs in Python and
the storage is C's.)"""
import ctypes
from ctypes import Structure, c_double, c_int, c_longdouble, sizeof
from ctypes.util import find_library

libm = ctypes.CDLL(find_library("m"))
libm.sqrt.argtypes = [c_double]
libm.sqrt.restype = c_double


class Accumulator(Structure):
    _fields_ = [("total", c_longdouble), ("count", c_int)]


def add(acc, x):
    acc.total = acc.total + x
    acc.count += 1


print("sizeof long double:", sizeof(c_longdouble), "accumulator:", sizeof(Accumulator))
acc = Accumulator()
for n in range(1, 5):
    add(acc, libm.sqrt(n))
print("sum of roots %.6f over %d" % (acc.total, acc.count))

samples = (c_longdouble * 4)(0.5, 1.25, 2.0, -3.5)
print(samples[1], samples[3] < samples[0])
samples[3] = samples[0] * 4
print(samples[3], len(samples))
