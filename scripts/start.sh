#!/usr/bin/env bash
# `npm start`: installs what is missing, builds the SDK, starts the dev authorization server and the demo app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npm run --silent build
node scripts/build-demo.mjs
exec node demo/start.mjs
