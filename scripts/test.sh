#!/usr/bin/env bash
# `npm test`: installs what is missing, builds (always fresh), lints, checks the package (publint and
# @arethetypeswrong/cli on the packed tarball), the docs and the API reports, then runs every test: unit, integration
# and type tests (vitest), the built files (test/dist), and the browser tests (Playwright in Chromium).
# Prints one closing line "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh || exit 1
node scripts/ensure-chromium.mjs || exit 1
node scripts/ensure-dot.mjs || exit 1
npm run --silent build || exit 1
node scripts/build-demo.mjs || exit 1
# Types of the SDK, its tests and the e2e specs (strict).
npx tsc -p tsconfig.test.json || exit 1
# The docs' examples (examples/, the code of docs/react.md, vue.md, testing.md) against the BUILT package as an app
# imports it: through package.json exports, and under moduleResolution node through typesVersions (which needs the
# package in node_modules: a link to this checkout).
ln -sfn .. node_modules/pkce-spa
npx tsc -p examples/tsconfig.json || exit 1
npx tsc -p examples/tsconfig.node10.json || exit 1
npm run --silent lint || exit 1
node scripts/check-package.mjs || exit 1
status=0
checks=()
# The docs: every TypeScript sample compiles; the reference builds from the JSDoc without a warning (into the
# git-ignored docs/reference/); the public signatures match the API reports in api/ (`npm run api` updates them).
node scripts/check-docs.mjs || checks+=("docs samples")
npx typedoc --logLevel Warn || checks+=("typedoc")
node scripts/api-report.mjs || checks+=("api report")
mkdir -p reports
rm -f reports/vitest.json reports/playwright.json
npx vitest run --reporter=default --reporter=json --outputFile.json=reports/vitest.json || status=1
PLAYWRIGHT_JSON_OUTPUT_NAME=reports/playwright.json npx playwright test --reporter=list,json || status=1
if [ ${#checks[@]} -gt 0 ]; then
  echo "checks failed: ${checks[*]} (see their output above)"
  status=1
fi
node scripts/summarize-tests.mjs reports/vitest.json reports/playwright.json || status=1
exit $status
