"""C++ through cppyy (Cling): works on PyPy through the built-in _cppyy module."""
import sys

import cppyy

if "_cppyy" not in sys.builtin_module_names and hasattr(sys, "pypy_version_info"):
    raise SystemExit("this PyPy has no _cppyy: run <pypy> -mpip install cppyy")

cppyy.cppdef("""
int add(int a, int b) { return a + b; }
""")
print(cppyy.gbl.add(1, 2))
