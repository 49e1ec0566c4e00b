"""An exception raised inside a qsort comparator is printed, and sorting goes on."""
import ctypes
import ctypes.util
import sys
from ctypes import CFUNCTYPE, POINTER, c_int, c_size_t, c_void_p, sizeof

libc = ctypes.CDLL(ctypes.util.find_library("c"))
CMP = CFUNCTYPE(c_int, POINTER(c_int), POINTER(c_int))
libc.qsort.argtypes = [c_void_p, c_size_t, c_size_t, CMP]
libc.qsort.restype = None

ties = []


@CMP
def strict_compare(a, b):
    if a[0] == b[0]:
        ties.append(a[0])
        raise ValueError("tie on %d" % a[0])
    return a[0] - b[0]


# Two equal elements: whatever the failed comparison returns, the result is the same.
pair = (c_int * 2)(7, 7)
libc.qsort(pair, 2, sizeof(c_int), strict_compare)
sys.stderr.flush()
print("sorted:", list(pair), "ties seen:", ties)

distinct = (c_int * 4)(4, 1, 3, 2)
libc.qsort(distinct, 4, sizeof(c_int), strict_compare)
print("sorted:", list(distinct), "ties seen:", len(ties))
