"""Tokenising a mutable buffer with strtok_r and its char ** save pointer."""
import ctypes
import ctypes.util
from ctypes import POINTER, byref, c_char_p, create_string_buffer

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.strtok_r.argtypes = [c_char_p, c_char_p, POINTER(c_char_p)]
libc.strtok_r.restype = c_char_p


def tokens(text, delims=b" ,;"):
    buf = create_string_buffer(text)
    state = c_char_p()
    out = []
    tok = libc.strtok_r(buf, delims, byref(state))
    while tok is not None:
        out.append(tok)
        tok = libc.strtok_r(None, delims, byref(state))
    return out


print(tokens(b"alpha, beta;gamma  delta"))
print(tokens(b";;;"))
print(tokens(b"key=value;other=thing", b";="))
