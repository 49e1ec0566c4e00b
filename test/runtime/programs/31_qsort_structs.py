"""Sorting an array of structs with qsort; the comparator reads POINTER(Point) arguments."""
import ctypes
import ctypes.util
from ctypes import CFUNCTYPE, POINTER, Structure, c_int, c_size_t, c_void_p, sizeof


class Point(Structure):
    _fields_ = [("x", c_int), ("y", c_int)]

    # no methods: a plain record type


CMP = CFUNCTYPE(c_int, POINTER(Point), POINTER(Point))
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.qsort.argtypes = [c_void_p, c_size_t, c_size_t, CMP]
libc.qsort.restype = None


def by_distance(pa, pb):
    a, b = pa.contents, pb.contents
    da = a.x * a.x + a.y * a.y
    db = b.x * b.x + b.y * b.y
    if da != db:
        return da - db
    return a.x - b.x


cmp_distance = CMP(by_distance)
points = (Point * 5)(Point(3, 4), Point(1, 1), Point(0, 5), Point(-1, 0), Point(2, -2))
libc.qsort(points, len(points), sizeof(Point), cmp_distance)
print([(p.x, p.y) for p in points])
