# found by test/fuzz (seed 16700595, callbacks-in-list): qsort has no argtypes (declared from the header, with
# int (*)(const void *, const void *)) and gets callbacks of another prototype through a loop over a list, which
# the conversion does not follow; another prototype of the file (int(int, int)) could not be cast to it
import ctypes as ct

CMPFUNC = ct.CFUNCTYPE(ct.c_int, ct.POINTER(ct.c_int), ct.POINTER(ct.c_int))

class Native:
    def __init__(self):
        self.libc = ct.CDLL("libc.so.6", mode=ct.RTLD_GLOBAL)

native = Native()

PAIROP1 = ct.CFUNCTYPE(ct.c_int, ct.c_int, ct.c_int)
ops1 = [PAIROP1(lambda a, b: a + b), PAIROP1(lambda a, b: a - b)]

def _asc1(a, b):
    return (a[0] > b[0]) - (a[0] < b[0])

def _desc1(a, b):
    return (a[0] < b[0]) - (a[0] > b[0])

cmps1 = [CMPFUNC(_asc1), CMPFUNC(_desc1)]

print([op(9, 1) for op in ops1])
arr1 = (ct.c_int * 5)(3, 5, 4, 1, 1)
for cmp1 in cmps1:
    native.libc.qsort(arr1, ct.c_size_t(5), ct.c_size_t(ct.sizeof(ct.c_int)), cmp1)
    print(list(arr1))
native.libc.qsort(arr1, ct.c_size_t(3), ct.c_size_t(ct.sizeof(ct.c_int)), cmps1[0])
print(list(arr1))
