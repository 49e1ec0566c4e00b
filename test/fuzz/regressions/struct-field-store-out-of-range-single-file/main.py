# found in session 11 (issue #12) while checking the project engine's array fields against the per-file engine (`convert FILE`):
# `p.x = 2 ** 40 + 3`, `p.v[1] = n`, `arr[1].x = …` stayed as they were; ctypes truncates, cffi raised OverflowError (now `_c_integer`)
import ctypes

libc = ctypes.CDLL("libc.so.6")
libc.labs.argtypes = [ctypes.c_long]
libc.labs.restype = ctypes.c_long


class P(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("v", ctypes.c_uint8 * 2), ("ok", ctypes.c_bool)]


p = P()
p.x = 2 ** 40 + 3
n = 2 ** 33 + 1
p.v[1] = n
p.v[0] = -1
p.ok = 5
arr = (P * 2)()
arr[1].x = 2 ** 34 + 2
arr[0].x = 7
nums = (ctypes.c_short * 3)()
nums[2] = 70000
print(p.x, list(p.v), p.ok, arr[1].x, arr[0].x, list(nums), libc.labs(-4))
try:
    p.x = 1.5
except TypeError:
    print("TypeError")
