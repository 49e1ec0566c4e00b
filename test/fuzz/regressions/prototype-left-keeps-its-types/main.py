# found by test/fuzz (struct-by-value): a prototype applied to (name, lib) stays ctypes, so must the struct it returns
from ctypes import *
libc = CDLL("libc.so.6")
class div_t(Structure):
    _fields_ = [("quot", c_int), ("rem", c_int)]
DIV_PROTO = CFUNCTYPE(div_t, c_int, c_int)
c_div = DIV_PROTO(("div", libc))
q = c_div(38, 4)
print(q.quot, q.rem)
d = div_t(1, 2)
print(d.quot + d.rem)
