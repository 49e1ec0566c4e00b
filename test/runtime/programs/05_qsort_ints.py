"""Sorting a C array of ints with qsort and a Python comparator."""
import ctypes
from ctypes import CFUNCTYPE, POINTER, c_int, c_size_t, c_void_p, sizeof
from ctypes.util import find_library

libc = ctypes.CDLL(find_library("c"))

CMPFUNC = CFUNCTYPE(c_int, POINTER(c_int), POINTER(c_int))

libc.qsort.argtypes = [c_void_p, c_size_t, c_size_t, CMPFUNC]
libc.qsort.restype = None

calls = 0


@CMPFUNC
def ascending(a, b):
    global calls
    calls += 1
    return a[0] - b[0]


@CMPFUNC
def descending(a, b):
    return b.contents.value - a.contents.value


values = (c_int * 8)(5, 3, 9, 1, 7, 2, 8, 4)
libc.qsort(values, len(values), sizeof(c_int), ascending)
print(values[:], "first", values[0], "last", values[-1], "called", calls > 0)

libc.qsort(values, len(values), sizeof(c_int), descending)
print(list(values))
print(values[2:5], values[-3])
