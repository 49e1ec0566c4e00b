"""C arrays: construction, indexing, slicing, nested arrays and ARRAY()."""
import ctypes
from ctypes import c_double, c_int, c_short, sizeof

Vec5 = c_int * 5
v = Vec5(1, 2, 3)
print(len(v), v[:], v[-1], v[-5])
v[3] = 40
v[-1] = 50
print(list(v), v[1:4], v[::2], sum(v))

matrix = ((c_double * 3) * 2)((1.0, 2.0, 3.0), (4.0, 5.0, 6.0))
print(sizeof(matrix), [list(row) for row in matrix], matrix[1][2])

Shorts = ctypes.ARRAY(c_short, 4)
s = Shorts(*range(-2, 2))
print(list(s), sizeof(s), s[-2])

for i, x in enumerate(v):
    if x > 2:
        print("first above two at", i)
        break
