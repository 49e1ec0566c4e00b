"""Wrong Python arguments are rejected before the C call."""
import ctypes
import ctypes.util

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.strlen.argtypes = [ctypes.c_char_p]
libc.strlen.restype = ctypes.c_size_t
libc.abs.argtypes = [ctypes.c_int]
libc.abs.restype = ctypes.c_int


def safe_strlen(value):
    try:
        return libc.strlen(value)
    except ctypes.ArgumentError:
        return "rejected %s" % type(value).__name__


print(safe_strlen(b"bytes are fine"))
print(safe_strlen("text is not bytes"))
print(safe_strlen(3.5))
print(safe_strlen(b"encoded text".decode("ascii").encode("ascii")))
try:
    libc.abs("12")
except ctypes.ArgumentError:
    print("abs rejected a str")
print(libc.abs(-12))
