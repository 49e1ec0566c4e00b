from ctypes import *

HANDLE = c_voidp
