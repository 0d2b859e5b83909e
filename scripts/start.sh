#!/usr/bin/env bash
# `npm start`: installs the npm dependencies when the lock file changed (scripts/install.sh), then demo/start.mjs builds
# what is stale (nothing, when nothing changed), starts the dev authorization server and the demo app meanwhile, and
# prints the URLs once every one of them answers. No browser or Debian package is needed for this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec node demo/start.mjs
