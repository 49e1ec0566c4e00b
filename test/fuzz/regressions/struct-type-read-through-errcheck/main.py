# The type of a struct returned by value is read through an errcheck that returns its result: a cffi struct
# is not the ctypes class, so ldiv and ldiv_t stay ctypes while div converts.
import ctypes

libc = ctypes.CDLL("libc.so.6")
class div_t(ctypes.Structure):
    _fields_ = [("quot", ctypes.c_int), ("rem", ctypes.c_int)]
class ldiv_t(ctypes.Structure):
    _fields_ = [("quot", ctypes.c_long), ("rem", ctypes.c_long)]
libc.div.argtypes = [ctypes.c_int, ctypes.c_int]
libc.div.restype = div_t
libc.ldiv.argtypes = [ctypes.c_long, ctypes.c_long]
libc.ldiv.restype = ldiv_t
def _check_ldiv(result, func, arguments):
    return result
libc.ldiv.errcheck = _check_ldiv

q = libc.div(32, 5)
print(q.quot, q.rem)
l = libc.ldiv(-32000096, 5)
print(l.quot, l.rem, type(l).__name__)
