"""A small zlib binding: a class wrapping compress, uncompress, crc32 and adler32."""
import ctypes
import ctypes.util
from ctypes import POINTER, byref, c_char_p, c_int, c_uint, c_ulong

Z_OK = 0
Z_BUF_ERROR = -5


class ZlibError(Exception):
    pass


class Zlib:
    def __init__(self):
        self._lib = ctypes.CDLL(ctypes.util.find_library("z"))
        lib = self._lib
        lib.zlibVersion.argtypes = []
        lib.zlibVersion.restype = c_char_p
        lib.compressBound.argtypes = [c_ulong]
        lib.compressBound.restype = c_ulong
        lib.compress2.argtypes = [c_char_p, POINTER(c_ulong), c_char_p, c_ulong, c_int]
        lib.compress2.restype = c_int
        lib.uncompress.argtypes = [c_char_p, POINTER(c_ulong), c_char_p, c_ulong]
        lib.uncompress.restype = c_int
        lib.crc32.argtypes = [c_ulong, c_char_p, c_uint]
        lib.crc32.restype = c_ulong
        lib.adler32.argtypes = [c_ulong, c_char_p, c_uint]
        lib.adler32.restype = c_ulong

    def version(self):
        return self._lib.zlibVersion().decode("ascii")

    def compress(self, data, level=6):
        dest_len = c_ulong(self._lib.compressBound(len(data)))
        dest = ctypes.create_string_buffer(dest_len.value)
        rc = self._lib.compress2(dest, byref(dest_len), data, len(data), level)
        if rc != Z_OK:
            raise ZlibError("compress2 failed: %d" % rc)
        return dest.raw[: dest_len.value]

    def decompress(self, data, size):
        dest_len = c_ulong(size)
        dest = ctypes.create_string_buffer(size)
        rc = self._lib.uncompress(dest, byref(dest_len), data, len(data))
        if rc != Z_OK:
            raise ZlibError("uncompress failed: %d" % rc)
        return dest.raw[: dest_len.value]

    def crc32(self, data, start=0):
        return self._lib.crc32(start, data, len(data))

    def adler32(self, data, start=1):
        return self._lib.adler32(start, data, len(data))


z = Zlib()
print("version looks like 1.x:", z.version().startswith("1."))
text = b"The quick brown fox jumps over the lazy dog. " * 20
packed = z.compress(text, 9)
print(len(text), "->", len(packed), "bytes")
unpacked = z.decompress(packed, len(text))
print("round trip ok:", unpacked == text)
print("crc32  %08x" % z.crc32(b"hello world"))
print("adler32 %08x" % z.adler32(b"hello world"))
print("incremental crc equal:", z.crc32(b" world", z.crc32(b"hello")) == z.crc32(b"hello world"))
try:
    z.decompress(packed, 10)
except ZlibError as e:
    print("too small:", e)
