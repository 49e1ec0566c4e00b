"""Buffered stdio on a temporary file: FILE * handles as c_void_p."""
import ctypes
import ctypes.util
from ctypes import c_char_p, c_int, c_long, c_size_t, c_void_p, create_string_buffer

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.tmpfile.argtypes = []
libc.tmpfile.restype = c_void_p
libc.fwrite.argtypes = [c_void_p, c_size_t, c_size_t, c_void_p]
libc.fwrite.restype = c_size_t
libc.fread.argtypes = [c_void_p, c_size_t, c_size_t, c_void_p]
libc.fread.restype = c_size_t
libc.fputs.argtypes = [c_char_p, c_void_p]
libc.fputs.restype = c_int
libc.fgets.argtypes = [c_char_p, c_int, c_void_p]
libc.fgets.restype = c_char_p
libc.ftell.argtypes = [c_void_p]
libc.ftell.restype = c_long
libc.rewind.argtypes = [c_void_p]
libc.rewind.restype = None
libc.fclose.argtypes = [c_void_p]
libc.fclose.restype = c_int
libc.fprintf.argtypes = [c_void_p, c_char_p]  # the fixed part; the rest is variadic
libc.fprintf.restype = c_int

fp = libc.tmpfile()
print("opened:", fp is not None)
data = b"first line\n"
print("fwrite", libc.fwrite(data, 1, len(data), fp))
libc.fputs(b"second line\n", fp)
print("fprintf", libc.fprintf(fp, b"%s=%d\n", b"answer", 42))
print("position", libc.ftell(fp))

libc.rewind(fp)
line = create_string_buffer(64)
while libc.fgets(line, 64, fp) is not None:
    print("read", line.value)

libc.rewind(fp)
chunk = create_string_buffer(5)
got = libc.fread(chunk, 1, 5, fp)
print(got, chunk.raw)
print("fclose", libc.fclose(fp))
