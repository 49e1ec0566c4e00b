# after test/fuzz seed 16700595 (callbacks-in-list): qsort has no argtypes (declared from the header, with
# int (*)(const void *, const void *)) and gets callbacks through a loop over a list and a list item; every
# prototype of the file differs from the parameter only in pointer types, so each is cast (None stays NULL)
import ctypes as ct

CMPFUNC = ct.CFUNCTYPE(ct.c_int, ct.POINTER(ct.c_int), ct.POINTER(ct.c_int))
libc = ct.CDLL("libc.so.6")

def _asc1(a, b):
    return (a[0] > b[0]) - (a[0] < b[0])

def _desc1(a, b):
    return (a[0] < b[0]) - (a[0] > b[0])

cmps1 = [CMPFUNC(_asc1), CMPFUNC(_desc1)]
arr1 = (ct.c_int * 5)(3, 5, 4, 1, 1)
for cmp1 in cmps1:
    libc.qsort(arr1, ct.c_size_t(5), ct.c_size_t(ct.sizeof(ct.c_int)), cmp1)
    print(list(arr1))
libc.qsort(arr1, ct.c_size_t(3), ct.c_size_t(ct.sizeof(ct.c_int)), cmps1[0])
print(list(arr1))
libc.qsort(arr1, ct.c_size_t(0), ct.c_size_t(ct.sizeof(ct.c_int)), None)
print(list(arr1))
