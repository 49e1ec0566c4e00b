# found while extending the project engine (session 10, issue #12): an out-parameter cell's `.value` set to an
# integer out of its C type's range, and `+=` past it; ctypes truncates, the cell became `e[0] = …` and cffi raised
# OverflowError
import ctypes
from fuzzpkg.native import frexp

e = ctypes.c_int()
e.value = 2**32 + 7
print(e.value)
e.value += 2**33
print(e.value)
e.value -= 3
print(frexp(8.0, ctypes.byref(e)), e.value)
