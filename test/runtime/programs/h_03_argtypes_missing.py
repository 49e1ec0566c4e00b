"""Functions called with no argtypes, and not in any table: ctypes guesses the C types from the Python values."""
import ctypes
import ctypes.util

libc = ctypes.CDLL(ctypes.util.find_library("c"))

# strverscmp (GNU) and ffs are called bare: ints become C int, bytes become char *.
versions = [b"lib-1.10", b"lib-1.9", b"lib-1.2.3", b"lib-1.2"]
ordered = sorted(versions, key=lambda v: [libc.strverscmp(v, w) > 0 for w in versions].count(True))
print(ordered)
print([libc.ffs(n) for n in (0, 1, 8, 12, 1 << 20)])
