"""cffi API out-of-line mode: the build script (run by setup.py through cffi_modules)."""
from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef(r"""
    struct passwd { char *pw_name; unsigned pw_uid; ...; };
    struct passwd *getpwuid(unsigned uid);
    #define EBADF ...
""")
ffibuilder.set_source("_pwd_cffi", r"""
    #include <sys/types.h>
    #include <pwd.h>
    #include <errno.h>
""")

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
