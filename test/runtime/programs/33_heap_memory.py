"""Managing C heap memory: malloc, realloc, posix_memalign and free."""
import ctypes
import ctypes.util
from ctypes import POINTER, byref, c_int, c_size_t, c_void_p, cast, sizeof

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.argtypes = [c_size_t]
libc.malloc.restype = c_void_p
libc.realloc.argtypes = [c_void_p, c_size_t]
libc.realloc.restype = c_void_p
libc.free.argtypes = [c_void_p]
libc.free.restype = None
libc.posix_memalign.argtypes = [POINTER(c_void_p), c_size_t, c_size_t]
libc.posix_memalign.restype = c_int


class IntVector:
    """A growable int array living in malloc'd memory."""

    def __init__(self, capacity=2):
        self.capacity = capacity
        self.size = 0
        self.raw = libc.malloc(capacity * sizeof(c_int))
        self.items = cast(self.raw, POINTER(c_int))

    def append(self, value):
        if self.size == self.capacity:
            self.capacity *= 2
            self.raw = libc.realloc(self.raw, self.capacity * sizeof(c_int))
            self.items = cast(self.raw, POINTER(c_int))
        self.items[self.size] = value
        self.size += 1

    def to_list(self):
        return [self.items[i] for i in range(self.size)]

    def close(self):
        libc.free(self.raw)
        self.raw = None


vec = IntVector()
for i in range(10):
    vec.append(i * i)
print(vec.to_list(), "capacity", vec.capacity)
vec.close()

block = c_void_p()
rc = libc.posix_memalign(byref(block), 64, 256)
addr = block.value
print("posix_memalign", rc, "aligned:", addr % 64 == 0)
ctypes.memset(addr, 0x5A, 256)
print(ctypes.string_at(addr, 4))
libc.free(addr)
