"""Parsing a big-endian wire header with BigEndianStructure (no cffi equivalent)."""
import ctypes
from ctypes import BigEndianStructure, c_uint8, c_uint16, c_uint32


class PacketHeader(BigEndianStructure):
    _pack_ = 1
    _fields_ = [("version", c_uint8), ("flags", c_uint8), ("length", c_uint16), ("sequence", c_uint32)]


wire = bytes([2, 0x81, 0x01, 0x00, 0x00, 0x00, 0x30, 0x39])
hdr = PacketHeader.from_buffer_copy(wire)
print(ctypes.sizeof(PacketHeader), hdr.version, hex(hdr.flags), hdr.length, hdr.sequence)

reply = PacketHeader(version=2, flags=0, length=16, sequence=12346)
print(bytes(reply).hex())
