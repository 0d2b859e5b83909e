#!/usr/bin/env bash
# `npm start`: installs what is missing, builds what is stale (the SDK, then the React/Vue demos; see --if-stale in
# scripts/build.mjs and scripts/build-demo.mjs), then starts the dev authorization server and the demo app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
node scripts/build.mjs --if-stale
node scripts/build-demo.mjs --if-stale
exec node demo/start.mjs
