from . import libc


def check(x):
    # labs has no argtypes: only this module calls it, through the package's re-export
    return libc.abs(x), libc.labs(x)
