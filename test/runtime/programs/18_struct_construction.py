"""Constructing structs: positional and keyword arguments, nested and array fields."""
import ctypes
from ctypes import Structure, c_char, c_char_p, c_double, c_int


class Point(Structure):
    _fields_ = [("x", c_int), ("y", c_int)]


class Record(Structure):
    _fields_ = [
        ("id", c_int),
        ("name", c_char * 12),
        ("label", c_char_p),
        ("scores", c_double * 3),
        ("origin", Point),
    ]


empty = Record()
print(empty.id, empty.name, empty.label, list(empty.scores), empty.origin.x)

r = Record(7, b"gadget", None, (1.5, 2.5, 3.5), Point(3, 4))
print(r.id, r.name, r.label, list(r.scores), (r.origin.x, r.origin.y))

k = Record(id=9, name=b"widget", origin=Point(y=-1))
print(k.id, k.name, k.label, k.scores[1], k.origin.x, k.origin.y)

k.scores[1] = 9.75
k.origin.x = 12
k.name = b"renamed"
print(k.name, list(k.scores), k.origin.x)
print(ctypes.sizeof(Record), Record.scores.offset, Record.origin.offset)
