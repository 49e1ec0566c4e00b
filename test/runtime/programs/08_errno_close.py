"""errno after failing system calls, with use_errno=True."""
import ctypes
import ctypes.util
import errno
import os

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.close.argtypes = [ctypes.c_int]
libc.close.restype = ctypes.c_int
libc.chdir.argtypes = [ctypes.c_char_p]
libc.chdir.restype = ctypes.c_int
libc.strerror.argtypes = [ctypes.c_int]
libc.strerror.restype = ctypes.c_char_p

ctypes.set_errno(0)
print("errno before:", ctypes.get_errno())

rc = libc.close(-1)
err = ctypes.get_errno()
print("close(-1) ->", rc, err, errno.errorcode[err], libc.strerror(err))

rc = libc.chdir(b"/nonexistent/pb-runtime-dir")
err = ctypes.get_errno()
print("chdir ->", rc, errno.errorcode[err], os.strerror(err))

ctypes.set_errno(errno.EAGAIN)
print("after set_errno:", ctypes.get_errno() == errno.EAGAIN)
