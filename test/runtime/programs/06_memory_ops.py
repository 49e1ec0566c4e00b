"""memmove, memset and string_at on string buffers."""
import ctypes
from ctypes import create_string_buffer, memmove, memset, string_at, addressof

buf = create_string_buffer(b"abcdef", 10)
print(len(buf), buf.value, buf.raw)

memmove(buf, b"XYZ", 3)
print(buf.value)

memset(buf, ord("-"), 2)
print(buf.raw)

tail = create_string_buffer(b"!!")
memmove(buf, tail, 2)
print(buf.raw)

print(string_at(buf))
print(string_at(buf, 8))
print(string_at(addressof(buf), 10))

zeros = create_string_buffer(6)
memset(zeros, 0x41, 5)
print(zeros.value, zeros.raw)
