from ctypes import *

libc = CDLL("libc.so.6")
