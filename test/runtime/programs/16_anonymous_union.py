"""A tagged value: a struct with an anonymous union member (_anonymous_)."""
from ctypes import Structure, Union, c_double, c_int, c_char, sizeof

INT, REAL, CHAR = 0, 1, 2


class _Payload(Union):
    _fields_ = [("i", c_int), ("d", c_double), ("c", c_char)]


class Value(Structure):
    _anonymous_ = ("u",)
    _fields_ = [("kind", c_int), ("u", _Payload)]


def make(kind, x):
    v = Value()
    v.kind = kind
    if kind == INT:
        v.i = x
    elif kind == REAL:
        v.d = x
    else:
        v.c = x
    return v


def describe(v):
    if v.kind == INT:
        return "int %d" % v.i
    if v.kind == REAL:
        return "real %.3f" % v.d
    return "char %r" % v.c


print("sizeof Value", sizeof(Value), "offset of u", Value.u.offset)
for v in [make(INT, 42), make(REAL, 2.5), make(CHAR, b"z")]:
    print(describe(v))
