"""ctypes.pointer() aliases its target; a cffi ffi.new copies, so a human must decide."""
import ctypes
from ctypes import POINTER, Structure, c_int, pointer


class Counter(Structure):
    _fields_ = [("hits", c_int), ("misses", c_int)]


total = c_int(10)
p = pointer(total)
p.contents.value += 5
print(total.value, p[0])

c = Counter(1, 2)
pc = pointer(c)
pc.contents.hits = 100
print(c.hits, c.misses)

pp = pointer(p)
pp.contents.contents.value = 99
print(total.value)
