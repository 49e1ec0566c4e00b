"""Wide strings: create_unicode_buffer, wcslen, wcschr and wstring_at."""
import ctypes
import ctypes.util
from ctypes import c_size_t, c_wchar, c_wchar_p, create_unicode_buffer, sizeof, wstring_at

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.wcslen.argtypes = [c_wchar_p]
libc.wcslen.restype = c_size_t
libc.wcschr.argtypes = [c_wchar_p, c_wchar]
libc.wcschr.restype = c_wchar_p

greeting = create_unicode_buffer("h\u00e9llo")
print(len(greeting), sizeof(greeting), greeting.value, libc.wcslen(greeting))

blank = create_unicode_buffer(8)
print(len(blank), repr(blank.value))
blank.value = "ab\u03b1"
print(blank.value, libc.wcslen(blank))

print(libc.wcschr("key=value", "="))
print(libc.wcschr("no separator", "="))

print(wstring_at(greeting))
print(wstring_at(greeting, 3))
