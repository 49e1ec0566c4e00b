# found while planning declaring helpers handed a held library (session 11): getattr(lib, name) in the helper is
# the library's one function object, so libc.strerror called elsewhere has the restype the helper set (bytes);
# the plan converted strerror only and libc.strerror became a call without argtypes (an int), with no TODO
# (the package sorts after main: planned in that order, main's check for a use without argtypes ran before the
# helper's declaration was known)
from native_pkg.native import libc, strerror

print(strerror(2), libc.strerror(2))
