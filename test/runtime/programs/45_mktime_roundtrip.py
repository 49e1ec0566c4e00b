"""Converting between calendar fields and timestamps: mktime and localtime_r under TZ=UTC0."""
import ctypes
import ctypes.util
import os
from ctypes import POINTER, Structure, byref, c_char_p, c_int, c_long


class TM(Structure):
    _fields_ = [
        ("tm_sec", c_int), ("tm_min", c_int), ("tm_hour", c_int), ("tm_mday", c_int),
        ("tm_mon", c_int), ("tm_year", c_int), ("tm_wday", c_int), ("tm_yday", c_int),
        ("tm_isdst", c_int), ("tm_gmtoff", c_long), ("tm_zone", c_char_p),
    ]


libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.tzset.argtypes = []
libc.tzset.restype = None
libc.mktime.argtypes = [POINTER(TM)]
libc.mktime.restype = c_long
libc.localtime_r.argtypes = [POINTER(c_long), POINTER(TM)]
libc.localtime_r.restype = POINTER(TM)
libc.memcpy.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
libc.memcpy.restype = ctypes.c_void_p
libc.memcmp.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
libc.memcmp.restype = c_int

os.environ["TZ"] = "UTC0"
libc.tzset()

when = TM(tm_year=2024 - 1900, tm_mon=1, tm_mday=29, tm_hour=12, tm_min=30, tm_isdst=-1)
stamp = libc.mktime(byref(when))
print("timestamp", stamp, "weekday", when.tm_wday, "yearday", when.tm_yday)

# mktime normalises out-of-range fields: 32 January is 1 February.
odd = TM(tm_year=124, tm_mon=0, tm_mday=32)
libc.mktime(byref(odd))
print("normalised", odd.tm_mon + 1, odd.tm_mday)

t = c_long(stamp + 86400)
back = TM()
libc.localtime_r(byref(t), byref(back))
print(back.tm_year + 1900, back.tm_mon + 1, back.tm_mday, back.tm_hour, back.tm_zone)

copy = TM()
libc.memcpy(byref(copy), byref(back), ctypes.sizeof(TM))
print("copy equal:", libc.memcmp(byref(copy), byref(back), ctypes.sizeof(TM)) == 0, copy.tm_mday)

days = (c_long * 3)(0, 86400, 172800)
stamps = (c_long * 3)()
libc.memcpy(byref(stamps), byref(days), ctypes.sizeof(days))
print(list(stamps))
