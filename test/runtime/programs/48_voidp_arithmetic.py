"""A void * result used as a Python int: offsets by subtraction, and `is None` for NULL."""
import ctypes
import ctypes.util
from ctypes import c_int, c_size_t, c_void_p

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.memchr.argtypes = [c_void_p, c_int, c_size_t]
libc.memchr.restype = c_void_p

buf = ctypes.create_string_buffer(b"comma,separated,values")
start = ctypes.addressof(buf)


def offsets(ch):
    found = []
    pos = start
    end = start + len(buf.value)
    while True:
        hit = libc.memchr(pos, ord(ch), end - pos)
        if hit is None:
            return found
        found.append(hit - start)
        pos = hit + 1


print(offsets(","), offsets("a"), offsets("z"))
