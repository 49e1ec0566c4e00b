"""Callbacks that receive strings: sorting words with qsort over a char * array."""
import ctypes
import ctypes.util
from ctypes import CFUNCTYPE, POINTER, c_char_p, c_int, c_size_t, c_void_p, sizeof

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.strcmp.argtypes = [c_char_p, c_char_p]
libc.strcmp.restype = c_int

SORTFUNC = CFUNCTYPE(c_int, POINTER(c_char_p), POINTER(c_char_p))
libc.qsort.argtypes = [c_void_p, c_size_t, c_size_t, SORTFUNC]
libc.qsort.restype = None

# A per-line handler type, as a C API that reports lines would declare it.
LINE_HANDLER = CFUNCTYPE(c_int, c_char_p, c_int)

log = []


@SORTFUNC
def by_length_then_alpha(a, b):
    sa, sb = a[0], b[0]
    if len(sa) != len(sb):
        return len(sa) - len(sb)
    return libc.strcmp(sa, sb)


@LINE_HANDLER
def on_line(text, number):
    log.append("%d:%s" % (number, text.decode()))
    return len(text)


words = [b"pear", b"fig", b"banana", b"kiwi", b"apple", b"date"]
arr = (c_char_p * len(words))(*words)
libc.qsort(arr, len(arr), sizeof(c_char_p), by_length_then_alpha)
print(list(arr))

total = 0
for i, w in enumerate(arr):
    total += on_line(w, i + 1)
print(total, log)
