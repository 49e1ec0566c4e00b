"""A union viewing an int as bytes, and a bit-field register layout."""
import ctypes
from ctypes import Structure, Union, c_ubyte, c_uint32, c_uint, sizeof


class Word(Union):
    _fields_ = [("value", c_uint32), ("octets", c_ubyte * 4)]


class Flags(Structure):
    _fields_ = [
        ("ready", c_uint, 1),
        ("mode", c_uint, 3),
        ("channel", c_uint, 4),
        ("count", c_uint, 8),
    ]


w = Word()
w.value = 0x01020304
print("union size", sizeof(Word), [w.octets[i] for i in range(4)])
w.octets[0] = 0xFF
print(hex(w.value))

f = Flags()
f.ready = 1
f.mode = 5
f.channel = 9
f.count = 200
print("flags size", sizeof(Flags), f.ready, f.mode, f.channel, f.count)
f.mode = 2
print("mode after update", f.mode, "channel untouched", f.channel)
raw = c_uint32.from_address(ctypes.addressof(f))
print("packed word", hex(raw.value))
