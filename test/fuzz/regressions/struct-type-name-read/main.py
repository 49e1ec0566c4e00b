# found by test/fuzz (struct-by-value): the class name of a struct returned by value is printed
import ctypes
libc = ctypes.CDLL(None)
class ldiv_t(ctypes.Structure):
    _fields_ = [("quot", ctypes.c_long), ("rem", ctypes.c_long)]
ldiv = libc.ldiv
ldiv.restype = ldiv_t
ldiv.argtypes = [ctypes.c_long, ctypes.c_long]
l3 = ldiv(-38000114, 4)
print(l3.quot, l3.rem, type(l3).__name__)
