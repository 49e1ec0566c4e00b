import ctypes

libc = ctypes.CDLL("libc.so.6")
