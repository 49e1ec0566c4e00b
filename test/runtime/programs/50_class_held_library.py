"""A wrapper class holding libc in a class attribute, reached as self._lib, cls._lib, Strings._lib and obj._lib."""
import ctypes
import ctypes.util


class Strings:
    _lib = ctypes.CDLL(ctypes.util.find_library("c"))
    _lib.strlen.argtypes = [ctypes.c_char_p]
    _lib.strlen.restype = ctypes.c_size_t
    _lib.strncmp.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
    _lib.strncmp.restype = ctypes.c_int

    def __init__(self, prefix):
        self.prefix = prefix

    def length(self, s):
        return self._lib.strlen(s)

    def starts(self, s):
        n = self._lib.strlen(self.prefix)
        return self._lib.strncmp(s, self.prefix, n) == 0

    @classmethod
    def total(cls, words):
        return sum(cls._lib.strlen(w) for w in words)


Strings._lib.labs.argtypes = [ctypes.c_long]
Strings._lib.labs.restype = ctypes.c_long
Strings._lib.atoi.argtypes = [ctypes.c_char_p]
Strings._lib.atoi.restype = ctypes.c_int


class Numbers(Strings):
    """A subclass reads the inherited holder."""

    def parse(self, s):
        return self._lib.atoi(s)


s = Strings(b"py")
for w in [b"", b"pypy", b"cpython", b"python"]:
    print(w, s.length(w), s.starts(w))
print(Strings.total([b"a", b"bb", b"ccc"]))
print(Strings._lib.labs(-42), s._lib.labs(7))
n = Numbers(b"")
print(n.parse(b"123"), n.parse(b"-9x"), n.length(b"four"))
