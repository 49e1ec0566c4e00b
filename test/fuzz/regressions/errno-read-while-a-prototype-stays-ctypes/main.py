# found by test/fuzz (seed 700050, errno): strtol stays ctypes (a prototype applied to a library symbol, no use_errno),
# so ctypes.get_errno() never sees its ERANGE; ffi.errno would, and would miss what use_errno calls report
import ctypes as ct
import errno
libc = ct.CDLL("libc.so.6", use_errno=True)
STRTOL_PROTO = ct.CFUNCTYPE(ct.c_long, ct.c_char_p, ct.POINTER(ct.c_char_p), ct.c_int)
strtol = STRTOL_PROTO(("strtol", libc))
libc.close.argtypes = [ct.c_int]
libc.close.restype = ct.c_int
ct.set_errno(0)
print(libc.close(-1), ct.get_errno() == errno.EBADF)
ct.set_errno(1)
strtol(b"99999999999999999999999", None, 10)
print(ct.get_errno() == errno.ERANGE)
