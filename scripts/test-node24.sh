#!/usr/bin/env bash
# The test suite again under Node 24 (CI runs Node 20 first): vitest's workers and every CLI
# the tests spawn use process.execPath, so they all run on the same Node 24 binary.
# Needs a build (`pnpm build`); extra arguments go to `vitest run` (e.g. a file).
set -euo pipefail
cd "$(dirname "$0")/.."
node24="$(bash scripts/node24.sh)"
echo "test suite on $("$node24" --version)"
PATH="$(dirname "$node24"):$PATH" exec "$node24" node_modules/vitest/vitest.mjs run "$@"
