# found in session 10 (issue #12) while checking 0eea4a4: a module with nothing to convert lost its
# `from ctypes import *` though it read c_voidp (an alias the star binds, missing from the names the plan knew),
# and the converted package raised NameError at import
from fuzzpkg.native import labs
from fuzzpkg.kinds import HANDLE

print(HANDLE.__name__, labs(-3))
