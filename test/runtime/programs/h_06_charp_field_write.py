"""Assigning Python bytes to a char * struct field (ctypes keeps them alive; cffi needs an owner)."""
import ctypes
import ctypes.util
from ctypes import POINTER, Structure, c_char_p, c_int, c_size_t


class Entry(Structure):
    _fields_ = [("key", c_char_p), ("value", c_int)]


libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.strlen.argtypes = [c_char_p]
libc.strlen.restype = c_size_t

entries = (Entry * 3)()
for i, word in enumerate([b"alpha", b"be", b"gamma-ray"]):
    entries[i].key = word
    entries[i].value = libc.strlen(word)

entries[1].key = b"beta"
print([(e.key, e.value) for e in entries])
