import ctypes

libc = ctypes.CDLL("libc.so.6")
labs = libc.labs
labs.argtypes = [ctypes.c_long]
labs.restype = ctypes.c_long
