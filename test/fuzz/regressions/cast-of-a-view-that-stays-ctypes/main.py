# found by test/fuzz (seed 9700323, cast-bytes): a from_buffer view handed to a ctypes prototype stays ctypes; its cast(…).value must too
import ctypes

libc = ctypes.cdll.LoadLibrary(None)
STRLEN_PROTO = ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.c_char_p)
strlen = STRLEN_PROTO(("strlen", libc))
libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
libc.memset.restype = ctypes.c_void_p

ba1 = bytearray(b"kappa\0")
view1 = (ctypes.c_char * len(ba1)).from_buffer(ba1)
libc.memset(view1, 99, 2)
print(bytes(ba1), strlen(view1), ctypes.cast(view1, ctypes.c_char_p).value)
