"""A C-style operations table: struct fields holding function pointers."""
import ctypes
import ctypes.util
from ctypes import CFUNCTYPE, POINTER, Structure, c_int, c_size_t, c_void_p, sizeof

COMPARE = CFUNCTYPE(c_int, POINTER(c_int), POINTER(c_int))
DESCRIBE = CFUNCTYPE(c_int, c_int)


class SortOps(Structure):
    _fields_ = [("compare", COMPARE), ("weight", DESCRIBE)]


libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.qsort.argtypes = [c_void_p, c_size_t, c_size_t, COMPARE]
libc.qsort.restype = None


def ascending(a, b):
    return a[0] - b[0]


def by_weight(a, b):
    return weight(a[0]) - weight(b[0]) or a[0] - b[0]


def weight(n):
    return bin(n).count("1")


ascending_cb = COMPARE(ascending)
by_weight_cb = COMPARE(by_weight)
weight_cb = DESCRIBE(weight)

OPS = {"ascending": SortOps(ascending_cb, weight_cb), "popcount": SortOps(by_weight_cb, weight_cb)}

for name, ops in OPS.items():
    data = (c_int * 8)(12, 7, 1, 8, 3, 16, 5, 2)
    libc.qsort(data, len(data), sizeof(c_int), ops.compare)
    print(name, list(data), [ops.weight(x) for x in data[:3]])
