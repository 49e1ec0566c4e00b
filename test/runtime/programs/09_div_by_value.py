"""Structs returned by value: div, ldiv and lldiv."""
import ctypes
import ctypes.util
from ctypes import Structure, c_int, c_long, c_longlong


class div_t(Structure):
    _fields_ = [("quot", c_int), ("rem", c_int)]


class ldiv_t(Structure):
    _fields_ = [("quot", c_long), ("rem", c_long)]


class lldiv_t(Structure):
    _fields_ = [("quot", c_longlong), ("rem", c_longlong)]


libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.div.argtypes = [c_int, c_int]
libc.div.restype = div_t
libc.ldiv.argtypes = [c_long, c_long]
libc.ldiv.restype = ldiv_t
libc.lldiv.argtypes = [c_longlong, c_longlong]
libc.lldiv.restype = lldiv_t

for a, b in [(17, 5), (-17, 5), (100, 7)]:
    r = libc.div(a, b)
    print("div", a, b, r.quot, r.rem)

r = libc.ldiv(10 ** 12 + 7, 1000)
print("ldiv", r.quot, r.rem)
r = libc.lldiv(-(10 ** 15), 7)
print("lldiv", r.quot, r.rem)
