from ctypes import *

class Native:
    libc = CDLL("libc.so.6", use_errno=True)

strtol = CFUNCTYPE(c_long, c_char_p, POINTER(c_char_p), c_int)(("strtol", Native.libc))
