# found by test/fuzz (package): libraries loaded in a class body of fuzzpkg.native
import ctypes as ct
from fuzzpkg.native import Native, crc32
print(Native.libc.strlen(b"abcd"), crc32(0, b"hello", 5))
