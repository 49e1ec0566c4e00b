"""An instance attribute holding the library is bound again (closed: set to None), so it is not one library."""
import ctypes
import ctypes.util


class Handle:
    def __init__(self):
        self._lib = ctypes.CDLL(ctypes.util.find_library("c"))
        self._lib.strlen.argtypes = [ctypes.c_char_p]
        self._lib.strlen.restype = ctypes.c_size_t

    def close(self):
        self._lib = None

    def length(self, s):
        if self._lib is None:
            return -1
        return self._lib.strlen(s)


h = Handle()
print(h.length(b"before"))
h.close()
print(h.length(b"after!"))
