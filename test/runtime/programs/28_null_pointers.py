"""Passing NULL (None) for pointer parameters, and NULL pointer results."""
import ctypes
import ctypes.util
from ctypes import POINTER, c_char_p, c_int, c_long, c_size_t, c_void_p

libc = ctypes.CDLL(ctypes.util.find_library("c"))

libc.time.argtypes = [POINTER(c_long)]
libc.time.restype = c_long
libc.memchr.argtypes = [c_void_p, c_int, c_size_t]
libc.memchr.restype = c_char_p  # the rest of the string, or None
libc.strchr.argtypes = [c_char_p, c_int]
libc.strchr.restype = c_char_p
libc.strtol.argtypes = [c_char_p, POINTER(c_char_p), c_int]
libc.strtol.restype = c_long
libc.snprintf.restype = c_int

now = libc.time(None)
print("time(NULL) is after 2020:", now > 1577836800)

haystack = ctypes.create_string_buffer(b"find the needle")
hit = libc.memchr(haystack, ord("n"), len(haystack))
miss = libc.memchr(haystack, ord("z"), len(haystack))
print("memchr", hit, "miss", miss)

print(libc.strchr(b"a=b", ord("=")), libc.strchr(b"ab", ord("=")))
print(libc.strtol(b"123", None, 10))

# snprintf(NULL, 0, ...) returns the length that would be needed.
need = libc.snprintf(None, 0, b"%d-%s", 12345, b"abc")
print("needed", need)

nothing = POINTER(c_int)()
print("NULL int pointer:", bool(nothing))
