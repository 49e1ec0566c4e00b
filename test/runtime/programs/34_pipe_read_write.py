"""Raw file descriptors: pipe, write, read and close through libc."""
import ctypes
import ctypes.util
import os
from ctypes import POINTER, c_char_p, c_int, c_size_t, c_ssize_t, c_void_p, create_string_buffer

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.pipe.argtypes = [POINTER(c_int)]
libc.pipe.restype = c_int
libc.write.argtypes = [c_int, c_void_p, c_size_t]
libc.write.restype = c_ssize_t
libc.read.argtypes = [c_int, c_void_p, c_size_t]
libc.read.restype = c_ssize_t
libc.close.argtypes = [c_int]
libc.close.restype = c_int
libc.getpid.argtypes = []
libc.getpid.restype = c_int

print("getpid matches os.getpid:", libc.getpid() == os.getpid())

fds = (c_int * 2)()
print("pipe", libc.pipe(fds), fds[0] != fds[1])

message = b"through the pipe"
print("wrote", libc.write(fds[1], message, len(message)))

scratch = create_string_buffer(b"\xff" * 8)
print("wrote", libc.write(fds[1], ctypes.addressof(scratch), 3))

buf = create_string_buffer(64)
n = libc.read(fds[0], buf, 64)
print("read", n, buf.raw[:n])

libc.close(fds[1])
print("read at EOF", libc.read(fds[0], buf, 64))
libc.close(fds[0])
print("closed twice:", libc.close(fds[0]), ctypes.get_errno() == 9)
