"""snprintf with a format string chosen at run time: the variadic types cannot be read from the code."""
import ctypes
import ctypes.util

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.snprintf.restype = ctypes.c_int

FORMATS = {"plain": b"%d", "padded": b"%08d", "hex": b"0x%x"}

out = ctypes.create_string_buffer(32)
for style in ("plain", "padded", "hex"):
    fmt = FORMATS[style]
    libc.snprintf(out, len(out), fmt, 48879)
    print(style, out.value)
