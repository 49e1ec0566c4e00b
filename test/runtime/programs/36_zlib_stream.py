"""Streaming compression with zlib's z_stream: deflate and inflate in chunks."""
import ctypes
import ctypes.util
from ctypes import POINTER, Structure, byref, c_char_p, c_int, c_ubyte, c_uint, c_ulong, c_void_p, cast, sizeof

Z_OK, Z_STREAM_END, Z_NO_FLUSH, Z_FINISH = 0, 1, 0, 4


class z_stream(Structure):
    _fields_ = [
        ("next_in", POINTER(c_ubyte)),
        ("avail_in", c_uint),
        ("total_in", c_ulong),
        ("next_out", POINTER(c_ubyte)),
        ("avail_out", c_uint),
        ("total_out", c_ulong),
        ("msg", c_char_p),
        ("state", c_void_p),
        ("zalloc", c_void_p),
        ("zfree", c_void_p),
        ("opaque", c_void_p),
        ("data_type", c_int),
        ("adler", c_ulong),
        ("reserved", c_ulong),
    ]


zlib = ctypes.CDLL(ctypes.util.find_library("z"))
zlib.zlibVersion.argtypes = []
zlib.zlibVersion.restype = c_char_p
zlib.deflateInit_.argtypes = [POINTER(z_stream), c_int, c_char_p, c_int]
zlib.deflateInit_.restype = c_int
zlib.deflate.argtypes = [POINTER(z_stream), c_int]
zlib.deflate.restype = c_int
zlib.deflateEnd.argtypes = [POINTER(z_stream)]
zlib.deflateEnd.restype = c_int
zlib.inflateInit_.argtypes = [POINTER(z_stream), c_char_p, c_int]
zlib.inflateInit_.restype = c_int
zlib.inflate.argtypes = [POINTER(z_stream), c_int]
zlib.inflate.restype = c_int
zlib.inflateEnd.argtypes = [POINTER(z_stream)]
zlib.inflateEnd.restype = c_int

VERSION = zlib.zlibVersion()
CHUNK = 64


def deflate_all(data, level=9):
    strm = z_stream()
    assert zlib.deflateInit_(byref(strm), level, VERSION, sizeof(z_stream)) == Z_OK
    src = ctypes.create_string_buffer(data, len(data))
    strm.next_in = cast(src, POINTER(c_ubyte))
    strm.avail_in = len(data)
    out = ctypes.create_string_buffer(CHUNK)
    pieces = []
    while True:
        strm.next_out = cast(out, POINTER(c_ubyte))
        strm.avail_out = CHUNK
        rc = zlib.deflate(byref(strm), Z_FINISH)
        pieces.append(out.raw[: CHUNK - strm.avail_out])
        if rc == Z_STREAM_END:
            break
    total = strm.total_out
    zlib.deflateEnd(byref(strm))
    return b"".join(pieces), total


def inflate_all(blob):
    strm = z_stream()
    assert zlib.inflateInit_(byref(strm), VERSION, sizeof(z_stream)) == Z_OK
    src = ctypes.create_string_buffer(blob, len(blob))
    strm.next_in = cast(src, POINTER(c_ubyte))
    strm.avail_in = len(blob)
    out = ctypes.create_string_buffer(CHUNK)
    pieces = []
    rc = Z_OK
    while rc != Z_STREAM_END:
        strm.next_out = cast(out, POINTER(c_ubyte))
        strm.avail_out = CHUNK
        rc = zlib.inflate(byref(strm), Z_NO_FLUSH)
        pieces.append(out.raw[: CHUNK - strm.avail_out])
    zlib.inflateEnd(byref(strm))
    return b"".join(pieces), len(pieces)


text = b"".join(b"line %03d: the same words again and again\n" % i for i in range(40))
blob, total = deflate_all(text)
print("sizeof z_stream", sizeof(z_stream), "in", len(text), "out", len(blob), total == len(blob))
back, chunks = inflate_all(blob)
print("inflated", len(back), "in", chunks, "chunks, equal:", back == text)
