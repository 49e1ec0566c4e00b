"""sizeof, alignment and field offsets of types and of instances."""
import ctypes
from ctypes import Structure, Union, alignment, c_char, c_double, c_int16, c_int64, c_uint8, sizeof


class Sample(Structure):
    _fields_ = [("flag", c_uint8), ("value", c_double), ("code", c_int16)]


class Either(Union):
    _fields_ = [("whole", c_int64), ("bytes", c_uint8 * 8)]


class Frame(Structure):
    _fields_ = [("samples", Sample * 3), ("either", Either), ("name", c_char * 5)]


s = Sample(1, 2.0, 3)
frame = Frame()
arr = (c_int16 * 7)()

print("types", sizeof(Sample), sizeof(Either), sizeof(Frame))
print("instances", sizeof(s), sizeof(frame), sizeof(arr), sizeof(frame.either))
print("alignment", alignment(Sample), alignment(Either), alignment(c_int16), alignment(s))
print("offsets", Sample.flag.offset, Sample.value.offset, Sample.code.offset)
print("frame offsets", Frame.either.offset, Frame.name.offset, Frame.name.size)
