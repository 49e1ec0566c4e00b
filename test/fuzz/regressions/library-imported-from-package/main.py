# found by test/fuzz (package): the library is loaded in fuzzpkg.native and declared here
import ctypes
from fuzzpkg.native import libc
import fuzzpkg.native as nat
memcmp = libc["memcmp"]
memcmp.argtypes = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)
memcmp.restype = ctypes.c_int
print(memcmp(b"abc", b"abd", 3) < 0)
strlen = getattr(nat.libc, "strlen")
strlen.argtypes = [ctypes.c_char_p]
strlen.restype = ctypes.c_size_t
print(strlen(b"hello"))
