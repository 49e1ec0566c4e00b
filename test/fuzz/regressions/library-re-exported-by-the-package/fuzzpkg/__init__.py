from .native import libc
