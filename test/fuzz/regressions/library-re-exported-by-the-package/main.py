from fuzzpkg.api import check

print(check(-7))
