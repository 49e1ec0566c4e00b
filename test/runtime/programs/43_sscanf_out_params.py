"""Reading values back from C: sscanf's pointer arguments and in/out parameters."""
import ctypes
import ctypes.util
from ctypes import byref, c_char_p, c_double, c_int, c_uint, c_long, create_string_buffer

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.sscanf.restype = c_int
libc.rand_r.argtypes = [ctypes.POINTER(c_uint)]
libc.rand_r.restype = c_int
libc.labs.argtypes = [c_long]
libc.labs.restype = c_long


def parse_record(line):
    ident = c_int()
    ratio = c_double()
    name = create_string_buffer(16)
    count = libc.sscanf(line, b"%d %lf %15s", byref(ident), byref(ratio), name)
    return count, ident.value, ratio.value, name.value


print(parse_record(b"42 0.125 widget"))
print(parse_record(b"7 oops"))
print(parse_record(b""))

hours, minutes = c_int(), c_int()
libc.sscanf(b"09:45", b"%d:%d", byref(hours), byref(minutes))
print(hours.value * 60 + minutes.value, "minutes")
hours.value = 10
print(hours.value)

# rand_r: the seed is an in/out parameter, so the sequence is reproducible.
seed = c_uint(2024)
first = [libc.rand_r(byref(seed)) % 100 for _ in range(5)]
seed.value = 2024
again = [libc.rand_r(byref(seed)) % 100 for _ in range(5)]
print(first == again, len(first))

distance = c_long(-250)
print(libc.labs(distance))
