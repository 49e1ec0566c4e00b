import ctypes as ct

libc = ct.CDLL("libc.so.6", use_errno=True)
dup = ct.CFUNCTYPE(ct.c_int, ct.c_int)(("dup", libc))
