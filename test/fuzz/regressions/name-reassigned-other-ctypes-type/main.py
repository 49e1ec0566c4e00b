# found by test/fuzz (int-types): one name holds c_int64 then c_ushort; .value must keep working
import ctypes
x1 = ctypes.c_int64(33796)
print("c_int64", x1.value, ctypes.sizeof(ctypes.c_int64), ctypes.sizeof(x1))
x1 = ctypes.c_ushort(18109)
print("c_ushort", x1.value, ctypes.sizeof(x1))
