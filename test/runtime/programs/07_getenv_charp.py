"""Environment variables through libc: char * results that may be NULL."""
import ctypes
import ctypes.util

libc = ctypes.CDLL(ctypes.util.find_library("c"))

libc.getenv.argtypes = [ctypes.c_char_p]
libc.getenv.restype = ctypes.c_char_p
libc.setenv.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
libc.setenv.restype = ctypes.c_int
libc.unsetenv.argtypes = [ctypes.c_char_p]
libc.unsetenv.restype = ctypes.c_int


def show(name):
    value = libc.getenv(name)
    if value is None:
        print(name, "is not set")
    else:
        print(name, "=", value)


show(b"PB_RUNTIME_DEMO")
print("setenv", libc.setenv(b"PB_RUNTIME_DEMO", b"value42", 1))
show(b"PB_RUNTIME_DEMO")
print("setenv (no overwrite)", libc.setenv(b"PB_RUNTIME_DEMO", b"other", 0))
show(b"PB_RUNTIME_DEMO")
print("unsetenv", libc.unsetenv(b"PB_RUNTIME_DEMO"))
show(b"PB_RUNTIME_DEMO")
