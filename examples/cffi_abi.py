"""cffi in ABI in-line mode: the guide's recommended way, with a few mistakes left in."""
from cffi import FFI

ffi = FFI()
ffi.cdef("""
    size_t strlen(const char *s);
    int snprintf(char *buf, size_t n, const char *fmt, ...);
    time_t time(time_t *t);
    struct point { int x; int y; ...; };
""")
lib = ffi.dlopen(None)

print(lib.strlen(b"hello"))
buf = ffi.new("char[]", 32)
lib.snprintf(buf, 32, b"%d apples", 3)  # the variadic part needs cdata: ffi.cast("int", 3)
n = ffi.new("int", 5)  # ffi.new needs a pointer or array type
p = ffi.cast("int *", ffi.new("int[4]"))  # the array is freed at once
print(lib.strcpy)  # strcpy is not declared in the cdef
print(lib.time(None))  # pass ffi.NULL for a pointer
