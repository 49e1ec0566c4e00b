# found by test/fuzz (scalar-types, in_dll): self.libc of an instance, used as native.libc outside the class
import ctypes
class Native:
    def __init__(self):
        self.libc = ctypes.CDLL(None)
        self.libc.abs.argtypes = [ctypes.c_int]
        self.libc.abs.restype = ctypes.c_int
native = Native()
iv = ctypes.c_int(-4)
iv.value += 1
print(iv.value, native.libc.abs(iv))
optind = ctypes.c_int.in_dll(native.libc, "optind")
print(optind.value >= 0)
