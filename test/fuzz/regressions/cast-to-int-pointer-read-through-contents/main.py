# found while converting test/fuzz qsort-r-context (seed 121103669 without its Order struct): cast(a, POINTER(c_int)).contents.value in a callback became ffi.cast("int *", …).contents.value, an AttributeError the callback swallowed
from ctypes import CFUNCTYPE, POINTER, Structure, byref, c_int, c_size_t, c_void_p, cast
from fuzzpkg.native import libc

CMPFUNC_R = CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p)
libc.qsort_r.argtypes = (c_void_p, c_size_t, c_size_t, CMPFUNC_R, c_void_p)
libc.qsort_r.restype = None


@CMPFUNC_R
def by_order2(a, b, context):
    x = cast(a, POINTER(c_int)).contents.value
    y = cast(b, POINTER(c_int))[0]
    return (x > y) - (x < y)


def case():
    data2 = (c_int * 5)(4, 8, 1, 9, 3)
    libc.qsort_r(data2, 5, 4, by_order2, None)
    print(list(data2))


case()
