# found while extending the project engine (session 11, issue #12): `cast(a, POINTER(c_int)).contents.value` in a
# comparator became `ffi.cast("int *", …).contents.value` (AttributeError inside the callback, which cffi prints
# and answers 0: qsort left the array unsorted), with no TODO
import ctypes
from ctypes import POINTER, c_int
from fuzzpkg.native import libc, CMP


def descending(a, b):
    x = ctypes.cast(a, POINTER(c_int)).contents.value
    pb = ctypes.cast(b, POINTER(c_int))
    y = pb.contents.value
    return (x < y) - (x > y)


arr = (c_int * 6)(4, -2, 9, 0, 3, 7)
down = CMP(descending)
libc.qsort(arr, 6, 4, down)
print(list(arr))
