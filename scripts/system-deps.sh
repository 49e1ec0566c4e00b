#!/usr/bin/env bash
# Installs, from Debian, what the tests need and npm cannot bring: PyPy, CPython's cffi, a C compiler with
# zlib's header (prototype table check), Chromium and code-server's build needs (real-editor tests),
# pre-commit and git (the pre-commit hook test), real binding packages and their headers (workspace tests),
# pycodestyle (a conversion may add no PEP 8 warning).
set -euo pipefail
need=()
have_pkg() { dpkg -s "$1" >/dev/null 2>&1; }
for p in pypy3 pypy3-dev python3-cffi python3-dev gcc zlib1g-dev chromium libkrb5-dev ripgrep pre-commit git python3-magic python3-libarchive-c python3-pysodium python3-pyinotify python3-pyudev libmagic-dev libarchive-dev libsodium-dev python3-pycodestyle; do have_pkg "$p" || need+=("$p"); done
if ((${#need[@]})); then
  echo "system-deps: installing ${need[*]}"
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
/usr/bin/python3 -c 'import cffi' || { echo "system-deps: /usr/bin/python3 has no cffi" >&2; exit 1; }
command -v pypy3 >/dev/null || { echo "system-deps: pypy3 missing" >&2; exit 1; }
