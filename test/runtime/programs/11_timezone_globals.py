"""The timezone and daylight globals that tzset() fills in."""
import ctypes
import ctypes.util
import os

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.tzset.argtypes = []
libc.tzset.restype = None

timezone = ctypes.c_long.in_dll(libc, "timezone")
daylight = ctypes.c_int.in_dll(libc, "daylight")


def zone_info(tz):
    os.environ["TZ"] = tz
    libc.tzset()
    return timezone.value, daylight.value


for tz in ["UTC0", "EST5EDT", "JST-9", "NZST-12NZDT"]:
    offset, dst = zone_info(tz)
    print("%-12s offset %6d s  (%+.1f h)  daylight %d" % (tz, offset, -offset / 3600.0, dst))
