"""String length and comparison through libc."""
import ctypes
import ctypes.util

libc = ctypes.CDLL(ctypes.util.find_library("c"))

libc.strlen.argtypes = [ctypes.c_char_p]
libc.strlen.restype = ctypes.c_size_t

libc.strcmp.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.strcmp.restype = ctypes.c_int

libc.strncmp.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
libc.strncmp.restype = ctypes.c_int


def sign(n):
    return (n > 0) - (n < 0)


words = [b"", b"a", b"hello", b"hello, world", "caf\u00e9".encode("utf-8")]
for w in words:
    print(w, libc.strlen(w))

print(sign(libc.strcmp(b"apple", b"banana")))
print(sign(libc.strcmp(b"pear", b"pear")))
print(sign(libc.strcmp(b"zebra", b"yak")))
print(libc.strncmp(b"prefix-one", b"prefix-two", 7) == 0)
