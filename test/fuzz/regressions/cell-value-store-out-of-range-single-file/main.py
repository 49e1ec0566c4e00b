# found in session 10 (issue #12) beside the project engine's fix (fixture cell-value-store-out-of-range): the
# per-file engine (`convert FILE`) turns the out-parameter cell's `e.value = 2**32 + 7` into `e[0] = 2**32 + 7`
# and `e.value += 2**33` into `e[0] += 2**33`; ctypes truncates, cffi raised OverflowError (now `_c_integer`)
import ctypes

libm = ctypes.CDLL("libm.so.6")
frexp = libm.frexp
frexp.argtypes = [ctypes.c_double, ctypes.POINTER(ctypes.c_int)]
frexp.restype = ctypes.c_double
e = ctypes.c_int()
e.value = 2**32 + 7
print(e.value)
e.value += 2**33
print(frexp(8.0, ctypes.byref(e)), e.value)
