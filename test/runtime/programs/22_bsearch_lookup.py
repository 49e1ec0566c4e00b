"""Binary search over a sorted C array with bsearch and a Python comparator."""
import ctypes
from ctypes import CFUNCTYPE, POINTER, c_int, c_size_t, c_void_p, cast, sizeof
from ctypes.util import find_library

libc = ctypes.CDLL(find_library("c"))

COMPARE = CFUNCTYPE(c_int, c_void_p, c_void_p)
libc.bsearch.argtypes = [c_void_p, c_void_p, c_size_t, c_size_t, COMPARE]
libc.bsearch.restype = POINTER(c_int)


def compare_ints(pa, pb):
    a = cast(pa, POINTER(c_int))[0]
    b = cast(pb, POINTER(c_int))[0]
    return (a > b) - (a < b)


compare = COMPARE(compare_ints)

primes = (c_int * 10)(2, 3, 5, 7, 11, 13, 17, 19, 23, 29)


def contains(n):
    key = c_int(n)
    hit = libc.bsearch(ctypes.byref(key), primes, len(primes), sizeof(c_int), compare)
    if not hit:
        return False
    return hit.contents.value == n


for n in (2, 13, 29, 4, 30):
    print(n, "prime" if contains(n) else "not in table")
