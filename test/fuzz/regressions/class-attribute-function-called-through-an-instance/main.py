# found while reviewing local prototypes (session 11): a function declared in a class body is a class attribute;
# ctypes' function object is no descriptor, so W().f(b"abcd") calls strlen with one argument, but the converted
# _cffi_function is a Python function, which the instance binds: TypeError (2 arguments given), no TODO
from fuzzpkg.native import W

print(W.f(b"abc"), W().f(b"abcd"))
