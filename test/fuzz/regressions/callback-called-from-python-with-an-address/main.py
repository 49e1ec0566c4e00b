# found while extending the project engine (session 11, issue #12): a CFUNCTYPE callback called from Python with
# int addresses, as ctypes allows for c_void_p parameters; converted, it is a cffi callback, which takes cdata only
# (TypeError inside the comparator that calls it, printed by cffi, answered 0: qsort left the array unsorted)
import ctypes
from ctypes import POINTER, c_int
from fuzzpkg.native import libc, CMP


@CMP
def ascending(a, b):
    x = ctypes.cast(a, POINTER(c_int))[0]
    y = ctypes.cast(b, POINTER(c_int))[0]
    return (x > y) - (x < y)


def descending(a, b):
    return -ascending(a, b)


arr = (c_int * 6)(4, -2, 9, 0, 3, 7)
down = CMP(descending)
libc.qsort(arr, 6, 4, down)
print(list(arr))
libc.qsort(arr, 6, 4, ascending)
print(list(arr))
