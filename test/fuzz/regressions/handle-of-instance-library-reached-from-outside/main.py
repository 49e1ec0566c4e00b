# found by test/fuzz (seed 700111, char-p-results): a prototype applied to (name, native.libm) stays ctypes, so it needs the ctypes handle of self.libm, reached as native.libm_ctypes
from ctypes import CDLL, CFUNCTYPE, c_double
class Native:
    def __init__(self):
        self.libm = CDLL("libm.so.6")
        self.libm.sqrt.argtypes = [c_double]
        self.libm.sqrt.restype = c_double
native = Native()
def case():
    proto = CFUNCTYPE(c_double, c_double)
    cbrt = proto(("cbrt", native.libm))
    print(native.libm.sqrt(4.0), cbrt(27.0))
case()
