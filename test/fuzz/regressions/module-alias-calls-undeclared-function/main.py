# found by test/fuzz (package, seed 2600101 of the module-alias case): the module reached through an alias,
# mod1 = _nat1, and abs called only through it without argtypes; the plan declared nothing for it (AttributeError)
from fuzzpkg import native as _nat1

print("-- module-alias")
def case_1():
    mod1 = _nat1
    print(mod1.libc.abs(-305))


case_1()
