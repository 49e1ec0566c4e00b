# found by test/fuzz (seed 13100642, errno): strtol is made by a prototype without use_errno in the package, so
# ctypes.get_errno() never sees its ERANGE although the library has use_errno=True; ffi.errno would
import ctypes
from fuzzpkg import native as nat

import errno

def case_1():
    nat.strtol(b"99999999999999999999999", None, 10)
    print(ctypes.get_errno() == errno.ERANGE)

case_1()
