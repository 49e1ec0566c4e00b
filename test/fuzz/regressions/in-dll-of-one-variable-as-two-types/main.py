# found in session 10 (issue #12) while checking 0eea4a4: two in_dll of one variable with two C types (legal in
# ctypes) became two `extern` lines in one cdef, and cffi raised FFIError at import
import ctypes
from fuzzpkg.native import libc

a = ctypes.c_int.in_dll(libc, "opterr")
b = ctypes.c_short.in_dll(libc, "opterr")
print(a.value, b.value)
b.value = 7
print(a.value)
b.value = 1
