"""Parsing a command line with getopt and its optind/opterr/optarg globals."""
import ctypes
import ctypes.util
from ctypes import POINTER, c_char_p, c_int

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.getopt.argtypes = [c_int, POINTER(c_char_p), c_char_p]
libc.getopt.restype = c_int

optind = c_int.in_dll(libc, "optind")
opterr = c_int.in_dll(libc, "opterr")
optarg = c_char_p.in_dll(libc, "optarg")

print("opterr default", opterr.value, "optind default", optind.value)
opterr.value = 0  # report unknown options ourselves

args = [b"prog", b"-v", b"-o", b"out.txt", b"-x", b"input1", b"input2"]
argv = (c_char_p * (len(args) + 1))(*args)

seen = []
while True:
    ch = libc.getopt(len(args), argv, b"+vo:")
    if ch == -1:
        break
    if ch == ord("o"):
        seen.append(("o", optarg.value))
    elif ch == ord("?"):
        seen.append(("unknown", None))
    else:
        seen.append((chr(ch), None))

print(seen)
print("first operand at", optind.value, argv[optind.value])
