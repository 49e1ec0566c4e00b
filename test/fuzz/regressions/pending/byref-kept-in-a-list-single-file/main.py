# found while extending the converters (session 11, issue #12): byref() and pointer() of a cell kept in a list
# and tested with isinstance(…, ctypes._Pointer): the list held cffi cells, isinstance said False (still so; the
# statements now carry TODOs, but frexp stays cffi and is handed the ctypes objects)
import ctypes
from ctypes import byref, pointer, c_int, c_double, POINTER

libm = ctypes.CDLL("libm.so.6")
libm.frexp.argtypes = [c_double, POINTER(c_int)]
libm.frexp.restype = c_double

e = c_int()
refs = [byref(e), pointer(e)]
for r in refs:
    print(libm.frexp(12.5, r), e.value)
print(len(refs), isinstance(refs[1], ctypes._Pointer))
