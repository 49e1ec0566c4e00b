"""ctypes code that works on CPython but fails or misbehaves on PyPy."""
import sys
import ctypes
from ctypes import c_void_p, cast, py_object

libc = ctypes.CDLL(None)

# No restype: ctypes assumes C int, so the pointer returned by malloc is truncated to 32 bits.
buf = libc.malloc(64)
libc.free(buf)

# CPython internals that PyPy does not have.
incref = ctypes.pythonapi.Py_IncRef
print(sys.getrefcount(buf))

# id() is not an address on PyPy.
obj = [1, 2, 3]
same = cast(id(obj), py_object).value


class Flags(ctypes.Structure):
    _fields_ = [("ready", ctypes.c_uint, 1), ("mode", ctypes.c_uint, 3)]


raw = bytes(Flags(1, 5))  # raises on PyPy: bytes() of a bit-field structure
