#!/usr/bin/env bash
# Installs the npm dependencies exactly as locked (npm ci) when node_modules is missing or older than the lock file.
# A lock file that is newer but has the same contents (a `touch`, a `git checkout` of another branch and back) installs
# nothing: its checksum from the last install is kept in node_modules/.pkce-spa-lock.
set -euo pipefail
cd "$(dirname "$0")/.."
installed=node_modules/.package-lock.json
[ -f "$installed" ] && ! [ package-lock.json -nt "$installed" ] && exit 0
checksum=$(cksum <package-lock.json)
if [ -f "$installed" ] && [ "$(cat node_modules/.pkce-spa-lock 2>/dev/null)" = "$checksum" ]; then
  touch "$installed"
  exit 0
fi
npm ci --no-audit --no-fund
echo "$checksum" >node_modules/.pkce-spa-lock
