"""Raising OSError from failing libc calls with an errcheck function."""
import ctypes
import ctypes.util
import errno
import os
from ctypes import c_char_p, c_int, c_uint

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def check_minus_one(result, func, args):
    if result == -1:
        err = ctypes.get_errno()
        raise OSError(err, "%r: %s" % (args, os.strerror(err)))
    return result


libc.mkdir.argtypes = [c_char_p, c_uint]
libc.mkdir.restype = c_int
libc.mkdir.errcheck = check_minus_one
libc.rmdir.argtypes = [c_char_p]
libc.rmdir.restype = c_int
libc.rmdir.errcheck = check_minus_one
libc.access.argtypes = [c_char_p, c_int]
libc.access.restype = c_int


def try_call(label, fn, *args):
    try:
        print(label, "->", fn(*args))
    except OSError as e:
        print(label, "failed:", errno.errorcode[e.errno], e.strerror)


try_call("rmdir missing", libc.rmdir, b"/nonexistent/pb/dir")
try_call("mkdir under missing parent", libc.mkdir, b"/nonexistent/pb/dir", 0o755)
try_call("mkdir /", libc.mkdir, b"/", 0o755)
print("access / ->", libc.access(b"/", os.F_OK))
