from ctypes import *
from ctypes.util import find_library

libc = cdll.LoadLibrary(find_library("c"))
