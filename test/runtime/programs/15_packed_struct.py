"""A packed record layout (_pack_ = 1) compared to the natural one."""
import ctypes
from ctypes import Structure, c_char, c_double, c_int, c_uint16, c_uint8, sizeof, alignment


class Natural(Structure):
    _fields_ = [("tag", c_uint8), ("id", c_int), ("weight", c_double)]


class Packed(Structure):
    _pack_ = 1
    _fields_ = [("tag", c_uint8), ("id", c_int), ("weight", c_double)]


class Header(Structure):
    _pack_ = 2
    _fields_ = [("magic", c_char * 3), ("version", c_uint8), ("length", c_int), ("flags", c_uint16)]


print("natural", sizeof(Natural), alignment(Natural), Natural.tag.offset, Natural.id.offset, Natural.weight.offset)
print("packed", sizeof(Packed), alignment(Packed), Packed.tag.offset, Packed.id.offset, Packed.weight.offset)
print("header", sizeof(Header), alignment(Header), Header.version.offset, Header.length.offset, Header.flags.offset)

p = Packed(7, 123456, 2.5)
print(p.tag, p.id, p.weight)
h = Header(b"PBH", 1, 4096, 0xBEEF)
print(h.magic, h.version, h.length, hex(h.flags))
