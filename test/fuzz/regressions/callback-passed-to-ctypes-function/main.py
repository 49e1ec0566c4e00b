# A callback decorated with its prototype and handed to a C function the converter cannot declare (lfind:
# no argtypes, not in the built-in table): the function stays ctypes, so the callback must stay a ctypes one.
from ctypes import CDLL, CFUNCTYPE, POINTER, addressof, byref, c_int, c_size_t, c_void_p, cast, sizeof

libc = CDLL("libc.so.6")
libc.abs.argtypes = [c_int]
libc.abs.restype = c_int
libc.lfind.restype = c_void_p

CMPFUNC = CFUNCTYPE(c_int, c_void_p, c_void_p)


@CMPFUNC
def differs(a, b):
    return cast(a, POINTER(c_int))[0] != cast(b, POINTER(c_int))[0]


data = (c_int * 4)(5, 7, 9, 11)
key = c_int(9)
count = c_size_t(4)
hit = libc.lfind(byref(key), data, byref(count), sizeof(c_int), differs)
print((hit - addressof(data)) // sizeof(c_int), libc.abs(-3))
