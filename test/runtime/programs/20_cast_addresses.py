"""Pointer casts, addresses and from_address."""
import ctypes
from ctypes import POINTER, addressof, c_char, c_int, c_uint8, c_void_p, cast

numbers = (c_int * 4)(10, 20, 30, 40)
as_bytes = cast(numbers, POINTER(c_uint8))
print([as_bytes[i] for i in range(8)])

addr = cast(numbers, c_void_p).value
print(addr == addressof(numbers))

third = c_int.from_address(addr + 2 * ctypes.sizeof(c_int))
print(third.value)
third.value = 33
print(list(numbers))

ip = cast(addr, POINTER(c_int))
print(ip[3])

text = ctypes.create_string_buffer(b"pointer")
ch = cast(text, POINTER(c_char))
print(ch[0], ch[3])
