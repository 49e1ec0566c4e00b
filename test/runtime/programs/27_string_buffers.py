"""String buffers in all their forms, filled by libc's string functions."""
import ctypes
import ctypes.util
from ctypes import c_char_p, c_size_t, create_string_buffer

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.strcpy.argtypes = [c_char_p, c_char_p]
libc.strcpy.restype = c_char_p
libc.strcat.argtypes = [c_char_p, c_char_p]
libc.strcat.restype = c_char_p
libc.strncpy.argtypes = [c_char_p, c_char_p, c_size_t]
libc.strncpy.restype = c_char_p
libc.strlen.argtypes = [c_char_p]
libc.strlen.restype = c_size_t

sized = create_string_buffer(16)
print(len(sized), sized.raw)

init = create_string_buffer(b"hello")
print(len(init), init.value, init.raw)

padded = create_string_buffer(b"hi", 8)
print(len(padded), padded.raw)

print(libc.strcpy(sized, b"path"))
print(libc.strcat(sized, b"/to"))
libc.strcat(sized, b"/file")
print(sized.value, libc.strlen(sized))

sized.value = b"reset"
print(sized.value, sized.raw[:8])

legacy = ctypes.c_buffer(b"old-style")
print(len(legacy), legacy.value)

libc.strncpy(padded, b"abcdefghij", 7)
print(padded.raw, padded.value)
