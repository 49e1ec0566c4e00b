# found by test/fuzz (seed 13100621, struct-memory): byref() of a Structure that stays ctypes handed to memcmp,
# which main.py reaches through `from fuzzpkg.native import *` and the package converts
from ctypes import *
from fuzzpkg.native import *

class Pair1(Structure):
    _fields_ = [("a", c_int), ("b", c_uint16), ("c", c_char * 2)]

class Case1:
    def run(self):
        src1 = Pair1(971, 253, b"ok")
        print(memcmp(byref(src1), byref(src1), sizeof(Pair1)))

Case1().run()
