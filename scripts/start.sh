#!/usr/bin/env bash
# `npm start`: installs what is missing, builds what is stale (see --if-stale in scripts/build.mjs and
# scripts/build-demo.mjs), then starts the dev authorization server and the demo app. The demo at / needs only dist/,
# so the React and Vue demos (/react/, /vue/) are bundled while the servers start; their line follows the banner.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
node scripts/build.mjs --if-stale
node scripts/build-demo.mjs --if-stale &
exec node demo/start.mjs
