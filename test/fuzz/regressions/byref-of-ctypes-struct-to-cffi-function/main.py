# found by test/fuzz (seed 8300470, struct-memory): byref() of a Structure that stays ctypes handed to memcmp, declared in the package
import ctypes as ct
from fuzzpkg.native import libc

class Pair1(ct.Structure):
    _fields_ = [("a", ct.c_int), ("b", ct.c_uint16), ("c", ct.c_char * 2)]

src1 = Pair1(69, 32, b"ok")
print(libc.memcmp(ct.byref(src1), ct.byref(src1), ct.sizeof(Pair1)))
