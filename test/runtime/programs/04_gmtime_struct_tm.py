"""Broken-down UTC time with struct tm, gmtime_r and strftime."""
import ctypes
import ctypes.util
from ctypes import POINTER, Structure, byref, c_char_p, c_int, c_long, sizeof


class tm(Structure):
    _fields_ = [
        ("tm_sec", c_int),
        ("tm_min", c_int),
        ("tm_hour", c_int),
        ("tm_mday", c_int),
        ("tm_mon", c_int),
        ("tm_year", c_int),
        ("tm_wday", c_int),
        ("tm_yday", c_int),
        ("tm_isdst", c_int),
        ("tm_gmtoff", c_long),
        ("tm_zone", c_char_p),
    ]


libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.gmtime_r.argtypes = [POINTER(c_long), POINTER(tm)]
libc.gmtime_r.restype = POINTER(tm)
libc.strftime.argtypes = [c_char_p, ctypes.c_size_t, c_char_p, POINTER(tm)]
libc.strftime.restype = ctypes.c_size_t

print("sizeof(struct tm) =", sizeof(tm))

for stamp in (0, 86400 * 365 + 3600 * 5, 1700000000):
    t = c_long(stamp)
    out = tm()
    res = libc.gmtime_r(byref(t), byref(out))
    r = res.contents
    print(stamp, r.tm_year + 1900, r.tm_mon + 1, r.tm_mday, r.tm_hour, r.tm_min, r.tm_wday, out.tm_zone)
    text = ctypes.create_string_buffer(64)
    n = libc.strftime(text, 64, b"%Y-%m-%d %H:%M:%S %a", byref(out))
    print(n, text.value)
