# found by test/fuzz (seed 15, cast-bytes): ctypes.cast of a bytes object, handed to strlen and read by .value
import ctypes

libc = ctypes.CDLL(None)


def case_2():
    raw2 = b"gamma"
    print(libc.strlen(ctypes.cast(raw2, ctypes.c_char_p)), ctypes.cast(raw2, ctypes.c_char_p).value)
    ub2 = ctypes.cast(raw2, ctypes.POINTER(ctypes.c_ubyte))
    print(ub2[0], ub2[1])

case_2()
