import ctypes

libm = ctypes.CDLL("libm.so.6")
frexp = libm.frexp
frexp.argtypes = [ctypes.c_double, ctypes.POINTER(ctypes.c_int)]
frexp.restype = ctypes.c_double
