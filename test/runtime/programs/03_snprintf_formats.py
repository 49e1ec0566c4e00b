"""Formatting numbers with the variadic snprintf, one literal format per call."""
import ctypes
import ctypes.util

libc = ctypes.CDLL(ctypes.util.find_library("c"))
snprintf = libc.snprintf
snprintf.restype = ctypes.c_int

buf = ctypes.create_string_buffer(64)

n = snprintf(buf, 64, b"%d items", 42)
print(n, buf.value)

n = snprintf(buf, 64, b"big=%ld", ctypes.c_long(1 << 40))
print(n, buf.value)

n = snprintf(buf, 64, b"size=%zu", ctypes.c_size_t(123456789))
print(n, buf.value)

n = snprintf(buf, 64, b"pi=%.4f e=%f", ctypes.c_double(3.14159265), ctypes.c_double(2.718281828))
print(n, buf.value)

n = snprintf(buf, 64, b"[%s|%5s|%-5s]", b"ab", b"cd", b"ef")
print(n, buf.value)

n = snprintf(buf, 64, b"%x %o %lld", 255, 8, ctypes.c_longlong(-(1 << 50)))
print(n, buf.value)

# Truncation: the return value is the length that would have been written.
small = ctypes.create_string_buffer(8)
n = snprintf(small, 8, b"%s-%d", b"truncated", 12345)
print(n, small.value, small.raw)
