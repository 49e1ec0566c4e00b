"""A small zlib binding written with ctypes, the way many projects start.

`pypy-bindings convert examples/ctypes_zlib.py` rewrites it as cffi (ABI in-line mode).
"""
import ctypes
import ctypes.util

_zlib = ctypes.CDLL(ctypes.util.find_library("z"))

_zlib.zlibVersion.argtypes = []
_zlib.zlibVersion.restype = ctypes.c_char_p

_zlib.compressBound.argtypes = [ctypes.c_ulong]
_zlib.compressBound.restype = ctypes.c_ulong

_zlib.compress.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_ulong), ctypes.c_char_p, ctypes.c_ulong]
_zlib.compress.restype = ctypes.c_int

_zlib.uncompress.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_ulong), ctypes.c_char_p, ctypes.c_ulong]
_zlib.uncompress.restype = ctypes.c_int

_zlib.crc32.argtypes = [ctypes.c_ulong, ctypes.c_char_p, ctypes.c_uint]
_zlib.crc32.restype = ctypes.c_ulong


class Zlib:
    """compress/decompress/crc32 over the C library."""

    def version(self):
        return _zlib.zlibVersion()

    def compress(self, data):
        size = ctypes.c_ulong(_zlib.compressBound(len(data)))
        out = ctypes.create_string_buffer(size.value)
        rc = _zlib.compress(out, ctypes.byref(size), data, len(data))
        if rc != 0:
            raise RuntimeError("compress failed: %d" % rc)
        return out.raw[: size.value]

    def decompress(self, data, original_size):
        size = ctypes.c_ulong(original_size)
        out = ctypes.create_string_buffer(original_size)
        rc = _zlib.uncompress(out, ctypes.byref(size), data, len(data))
        if rc != 0:
            raise RuntimeError("uncompress failed: %d" % rc)
        return out.raw[: size.value]

    def crc32(self, data):
        return _zlib.crc32(0, data, len(data))


if __name__ == "__main__":
    z = Zlib()
    payload = b"PyPy likes cffi. " * 20
    packed = z.compress(payload)
    print(len(payload), len(packed) < len(payload))
    print(z.decompress(packed, len(payload)) == payload)
    print(hex(z.crc32(payload)))
