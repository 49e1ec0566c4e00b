# ctypes.get_errno() reads ctypes' own copy of errno, which a library loaded without use_errno=True never
# updates: close(-1) leaves it 0. ffi.errno is C's errno (EBADF here).
import ctypes
libc = ctypes.CDLL("libc.so.6")
libc.close.argtypes = [ctypes.c_int]
libc.close.restype = ctypes.c_int
ctypes.set_errno(0)
print(libc.close(-1), ctypes.get_errno())
