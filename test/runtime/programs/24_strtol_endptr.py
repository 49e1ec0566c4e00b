"""Parsing numbers with strtol/strtod: char ** end pointers and ERANGE in errno."""
import ctypes
import ctypes.util
import errno
from ctypes import POINTER, byref, c_char_p, c_double, c_int, c_long

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.strtol.argtypes = [c_char_p, POINTER(c_char_p), c_int]
libc.strtol.restype = c_long
libc.strtod.argtypes = [c_char_p, POINTER(c_char_p)]
libc.strtod.restype = c_double


def parse_int(text, base=10):
    end = c_char_p()
    ctypes.set_errno(0)
    value = libc.strtol(text, byref(end), base)
    err = ctypes.get_errno()
    return value, end.value, errno.errorcode.get(err, "OK") if err else "OK"


for text, base in [(b"123abc", 10), (b"  -42", 10), (b"ff", 16), (b"0x1A rest", 0), (b"777", 8), (b"nothing", 10), (b"99999999999999999999999", 10)]:
    print(text, base, parse_int(text, base))

end = c_char_p()
print(libc.strtod(b"2.5e3 meters", byref(end)), end.value)
print(libc.strtod(b"3.25", None))
