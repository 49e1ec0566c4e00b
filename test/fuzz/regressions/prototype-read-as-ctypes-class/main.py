# found while building the output invariant: a CFUNCTYPE type became a cffi signature string while the program
# still reads it as the ctypes class (`CMP.__name__`, `isinstance(cb, CMP)`): AttributeError after conversion
import ctypes

libc = ctypes.CDLL(None)
CMP = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
libc.qsort.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, CMP]
libc.qsort.restype = None


def cmp(a, b):
    x = ctypes.cast(a, ctypes.POINTER(ctypes.c_int))[0]
    y = ctypes.cast(b, ctypes.POINTER(ctypes.c_int))[0]
    return x - y


arr = (ctypes.c_int * 3)(3, 1, 2)
cb = CMP(cmp)
libc.qsort(arr, 3, ctypes.sizeof(ctypes.c_int), cb)
print(list(arr), CMP.__name__, isinstance(cb, CMP))
