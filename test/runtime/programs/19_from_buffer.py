"""Sharing and copying memory with Python buffers: from_buffer, from_buffer_copy, memoryview."""
import ctypes
from ctypes import Structure, c_uint16, c_uint32, c_uint8


class Pixel(Structure):
    _fields_ = [("r", c_uint8), ("g", c_uint8), ("b", c_uint8), ("a", c_uint8)]


data = bytearray(range(16))
shared = (c_uint32 * 4).from_buffer(data)
print([hex(v) for v in shared])
shared[0] = 0xAABBCCDD
print(data[:4].hex())

copy = (c_uint16 * 8).from_buffer_copy(bytes(data))
copy[1] = 0
print(list(copy)[:4], data[2:4].hex())

px = Pixel.from_buffer_copy(b"\x10\x20\x30\xff")
print(px.r, px.g, px.b, px.a)
print(bytes(px), memoryview(px).tobytes())

live = Pixel.from_buffer(data)
live.g = 0x99
print(data[0:4].hex(), live.r)
