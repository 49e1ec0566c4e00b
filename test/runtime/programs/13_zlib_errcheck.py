"""Turning zlib status codes into exceptions with errcheck."""
import ctypes
from ctypes import POINTER, byref, c_char_p, c_int, c_ulong, create_string_buffer
from ctypes.util import find_library

zlib = ctypes.CDLL(find_library("z"))

MESSAGES = {-2: "stream error", -3: "data error", -4: "memory error", -5: "buffer error"}


class ZError(RuntimeError):
    def __init__(self, func, code):
        RuntimeError.__init__(self, "%s: %s (%d)" % (func, MESSAGES.get(code, "?"), code))
        self.code = code


def check_status(result, func, args):
    if result != 0:
        raise ZError(func.__name__, result)
    return result


zlib.compress.argtypes = [c_char_p, POINTER(c_ulong), c_char_p, c_ulong]
zlib.compress.restype = c_int
zlib.compress.errcheck = check_status

zlib.uncompress.argtypes = [c_char_p, POINTER(c_ulong), c_char_p, c_ulong]
zlib.uncompress.restype = c_int
zlib.uncompress.errcheck = check_status

source = b"abcabcabcabcabcabcabcabcabcabc-0123456789"
out = create_string_buffer(200)
out_len = c_ulong(200)
rc = zlib.compress(out, byref(out_len), source, len(source))
n = out_len.value
print("compressed", rc, n)
blob = out.raw[:n]

back = create_string_buffer(100)
back_len = c_ulong(100)
rc = zlib.uncompress(back, byref(back_len), blob, len(blob))
m = back_len.value
print("uncompressed", rc, m, back.raw[:m] == source)

for data in (b"definitely not zlib data", blob[:-4]):
    back_len = c_ulong(100)
    try:
        zlib.uncompress(back, byref(back_len), data, len(data))
    except ZError as e:
        print("error:", e, e.code)
