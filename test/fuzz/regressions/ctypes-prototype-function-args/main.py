# found by test/fuzz (qsort-ints, bsearch): qsort made by a prototype applied to (name, lib) stays ctypes; so do its arguments
import ctypes
import ctypes.util
libc = ctypes.CDLL(ctypes.util.find_library("c"))
CMPFUNC = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
QSORT_PROTO = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, CMPFUNC)
qsort = QSORT_PROTO(("qsort", libc))
@CMPFUNC
def cmp_ints(a, b):
    x = ctypes.cast(a, ctypes.POINTER(ctypes.c_int))[0]
    y = ctypes.cast(b, ctypes.POINTER(ctypes.c_int))[0]
    return (x > y) - (x < y)
arr = (ctypes.c_int * 5)(4, -2, 9, 0, 3)
qsort(arr, len(arr), ctypes.sizeof(ctypes.c_int), cmp_ints)
print(list(arr))
key = ctypes.c_int(9)
arr2 = (ctypes.c_int * 3)(5, 1, 3)
qsort(arr2, 3, 4, CMPFUNC(lambda a, b: ctypes.cast(a, ctypes.POINTER(ctypes.c_int))[0] - ctypes.cast(b, ctypes.POINTER(ctypes.c_int))[0]))
print(list(arr2), key.value)
