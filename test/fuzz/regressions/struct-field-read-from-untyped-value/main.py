# found by test/fuzz (qsort-structs): a char-array field read from a value the converter cannot type
import ctypes
class Item(ctypes.Structure):
    _fields_ = [("key", ctypes.c_int), ("name", ctypes.c_char * 8)]
items = (Item * 3)(Item(3, b"n3"), Item(1, b"n1"), Item(2, b"n2"))
print([(it.key, it.name) for it in items])
def first(xs):
    return xs[0]
print(first(list(items)).name)
