# found by test/fuzz (seed 300171, qsort-r-context, shrunk): Order1 is built in a statement that stays ctypes
from ctypes import *

libc = CDLL("libc.so.6")
CMPFUNC_R = CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p)

class Order1(Structure):
    _fields_ = [("sign", c_int)]

def by_order1(a, b, context):
    pass
    y = cast(b, POINTER(c_int))[0]
    return sign * ((x > y) - (x < y))
by_order1 = CMPFUNC_R(by_order1)

order1 = Order1(sign=-1)
data1 = (c_int * 5)(4, 8, 1, 9, 3)
libc.qsort_r(data1, 5, 4, by_order1, cast(pointer(order1), c_void_p))
