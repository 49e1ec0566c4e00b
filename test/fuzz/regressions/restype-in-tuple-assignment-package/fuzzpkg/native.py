from ctypes import *

libm = CDLL("libm.so.6")
libm.lround.argtypes, libm.lround.restype = [c_double], c_long
