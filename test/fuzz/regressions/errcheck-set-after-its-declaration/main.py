# found by hand (package): errcheck set after a def was lost (the converted function printed 42, not 420)
from fuzzpkg import native
print(native.atoi(b"42"))
