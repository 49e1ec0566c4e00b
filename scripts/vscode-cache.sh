#!/bin/bash
# Idempotent set-up of a real VS Code for the end-to-end tests, offline except npm + Debian apt:
# code-server (= VS Code server + web workbench) from npm, Debian's Chromium, playwright-core to drive it.
# Everything lands under $PYPY_BINDINGS_CACHE (default ~/.cache/pypy-bindings). Keep that path short:
# VS Code's unix sockets live under it and their paths must stay under 108 characters.
# Prints the cache directory as its last line.
set -euo pipefail
CACHE=${PYPY_BINDINGS_CACHE:-${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}/.cache/pypy-bindings}
CS_VERSION=4.100.3          # = VS Code 1.100.3, the newest code-server whose engines.node is 20
PLAYWRIGHT_VERSION=1.65.1   # driver only: it launches /usr/bin/chromium, never downloads a browser
RG_PKG_VERSION=1.15.11      # the @vscode/ripgrep that code-server 4.100.3 depends on
RG_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
mkdir -p "$CACHE/tmp"
T0=$(date +%s)
stamp() { echo "[vscode-cache] $1 ($(( $(date +%s) - T0 ))s)"; }

# 1. Debian packages: the browser, Kerberos headers (code-server's native 'kerberos' module), ripgrep
need=()
for p in chromium libkrb5-dev ripgrep; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if ((${#need[@]})); then
  stamp "apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  stamp "apt packages installed"
fi

# 2. code-server from npm (node-gyp builds native modules: ~45-60 s, ~300 MB, once)
CSDIR=$CACHE/cs-$CS_VERSION
if [ ! -x "$CSDIR/node_modules/.bin/code-server" ]; then
  stamp "installing code-server $CS_VERSION into $CSDIR"
  mkdir -p "$CSDIR" "$CACHE/tmp/rgseed"
  [ -f "$CSDIR/package.json" ] || (cd "$CSDIR" && npm init -y >/dev/null)
  # @vscode/ripgrep's postinstall downloads rg from GitHub; pre-seed its download cache with Debian's rg.
  RGC=$CACHE/tmp/vscode-ripgrep-cache-$RG_PKG_VERSION
  mkdir -p "$RGC"
  cp /usr/bin/rg "$CACHE/tmp/rgseed/rg"
  tar czf "$RGC/$RG_ASSET" -C "$CACHE/tmp/rgseed" rg
  # code-server's postinstall refuses root without unsafe-perm; node-pty runs `npx node-gyp` (needs yes without a TTY).
  if ! (cd "$CSDIR" && TMPDIR=$CACHE/tmp npm_config_unsafe_perm=true npm_config_yes=true \
        npm install "code-server@$CS_VERSION" --no-audit --no-fund --loglevel=error >"$CACHE/cs-install.log" 2>&1); then
    tail -50 "$CACHE/cs-install.log"
    echo "[vscode-cache] code-server install failed; full log: $CACHE/cs-install.log" >&2
    exit 1
  fi
  stamp "code-server installed"
fi

# 3. playwright-core, the browser driver
if [ ! -f "$CACHE/drv/node_modules/playwright-core/package.json" ]; then
  stamp "installing playwright-core $PLAYWRIGHT_VERSION"
  mkdir -p "$CACHE/drv"
  [ -f "$CACHE/drv/package.json" ] || (cd "$CACHE/drv" && npm init -y >/dev/null)
  (cd "$CACHE/drv" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install "playwright-core@$PLAYWRIGHT_VERSION" \
     --no-audit --no-fund --loglevel=error)
  stamp "playwright-core installed"
fi

stamp "ready"
echo "$CACHE"
