# found by test/fuzz (package): argtypes and restype set in one tuple assignment crashed the project engine
from fuzzpkg.native import libm
print(libm.lround(2.5), libm.lround(-3.5))
