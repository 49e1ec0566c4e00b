"""Character classification with ctype.h functions."""
import ctypes
import ctypes.util
from ctypes import c_int

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.isalpha.argtypes = [c_int]
libc.isalpha.restype = c_int
libc.isdigit.argtypes = [c_int]
libc.isdigit.restype = c_int
libc.isspace.argtypes = [c_int]
libc.isspace.restype = c_int
libc.isupper.argtypes = [c_int]
libc.isupper.restype = c_int
libc.ispunct.argtypes = [c_int]
libc.ispunct.restype = c_int
libc.isxdigit.argtypes = [c_int]
libc.isxdigit.restype = c_int
libc.toupper.argtypes = [c_int]
libc.toupper.restype = c_int
libc.tolower.argtypes = [c_int]
libc.tolower.restype = c_int

CHECKS = {
    "alpha": libc.isalpha,
    "digit": libc.isdigit,
    "space": libc.isspace,
    "upper": libc.isupper,
    "punct": libc.ispunct,
    "xdigit": libc.isxdigit,
}


def classify(ch):
    return [name for name, test in CHECKS.items() if test(ord(ch))]


for ch in "aZ5 _f\t":
    print(repr(ch), classify(ch))

shout = "".join(chr(libc.toupper(ord(c))) for c in "make me loud!")
print(shout, "".join(chr(libc.tolower(ord(c))) for c in shout))
print(libc["isdigit"](ord("7")) != 0, getattr(libc, "isalpha")(ord("7")) != 0)
