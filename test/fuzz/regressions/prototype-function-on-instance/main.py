# found by test/fuzz (string-buffers): self.strcat made by a prototype applied to (name, lib), called as native.strcat
from ctypes import CDLL, CFUNCTYPE, c_char_p, create_string_buffer
class Native:
    def __init__(self):
        self.libc = CDLL("libc.so.6")
        self.libc.strcpy.restype = c_char_p
        strcat_proto = CFUNCTYPE(c_char_p, c_char_p, c_char_p)
        self.strcat = strcat_proto(("strcat", self.libc))
native = Native()
buf = create_string_buffer(b"init", 32)
print(native.libc.strcpy(buf, b"kappa"))
native.strcat(buf, b"-tail")
print(buf.value)
