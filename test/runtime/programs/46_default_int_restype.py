"""Functions declared with argtypes only: ctypes assumes an int result."""
import ctypes
import ctypes.util

libc = ctypes.CDLL(ctypes.util.find_library("c"))

libc.atoi.argtypes = [ctypes.c_char_p]
libc.strcmp.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.abs.argtypes = [ctypes.c_int]
libc.toupper.argtypes = [ctypes.c_int]

print(libc.atoi(b"1234"), libc.atoi(b"-56abc"))
print(libc.strcmp(b"same", b"same"), libc.strcmp(b"a", b"b") < 0)
print(libc.abs(-99))
print(chr(libc.toupper(ord("q"))))
