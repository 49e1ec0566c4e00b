"""Ordinary Python with look-alike names: no diagnostics expected."""


class Library:
    def new(self, kind):
        return {"kind": kind}

    def cast(self, value):
        return int(value)


lib = Library()
item = lib.new("book")
print(item, lib.cast("3"))
