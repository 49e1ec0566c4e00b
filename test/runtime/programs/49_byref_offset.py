"""byref(obj, offset) counts bytes; cffi pointer arithmetic counts items."""
import ctypes
import ctypes.util
from ctypes import byref, c_int, c_size_t, c_void_p, sizeof

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.memset.argtypes = [c_void_p, c_int, c_size_t]
libc.memset.restype = c_void_p

values = (c_int * 6)(1, 2, 3, 4, 5, 6)
libc.memset(byref(values, 2 * sizeof(c_int)), 0, 2 * sizeof(c_int))
print(list(values))

text = ctypes.create_string_buffer(b"abcdefgh")
libc.memset(byref(text, 3), ord("*"), 2)
print(text.value)
