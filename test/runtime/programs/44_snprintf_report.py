"""Formatting a small report line by line with snprintf and sprintf."""
import ctypes
import ctypes.util
from ctypes import c_double, c_int, c_long, c_size_t, create_string_buffer

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.snprintf.restype = c_int
libc.sprintf.restype = c_int

ITEMS = [(b"bolts", 120, 0.05), (b"nuts", 75, 0.04), (b"washers", 1500, 0.01)]


def line(name, qty, price):
    buf = create_string_buffer(80)
    libc.snprintf(buf, len(buf), b"%-10s %6d x %7.3f = %9.2f", name, qty, c_double(price), c_double(qty * price))
    return buf.value.decode()


def footer(count, total_bytes):
    buf = create_string_buffer(80)
    n = libc.snprintf(buf, 80, b"%zu items, %ld bytes, %c%c", c_size_t(count), c_long(total_bytes), ord("o"), ord("k"))
    return n, buf.value


for item in ITEMS:
    print(line(*item))
print(footer(len(ITEMS), 1 << 33))

tag = create_string_buffer(32)
width = libc.sprintf(tag, b"#%04d/%s", 7, b"end")
print(width, tag.value)
