# found while writing test/cli/convertProjectStructPointers.test.ts (session 11): an array of a Structure that stays ctypes (an item kept in a name) handed to memset, which the package converted: TypeError at run time, no TODO
from ctypes import Structure, c_int, sizeof
from fuzzpkg.native import memset


class Item(Structure):
    _fields_ = [("key", c_int)]


items = (Item * 2)(Item(1), Item(2))
memset(items, 0, sizeof(Item))
first = items[0]
print(first.key)
