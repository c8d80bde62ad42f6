#!/usr/bin/env bash
# floe as users install it (issue 12): pack, publish to a local verdaccio on 127.0.0.1, install
# in fresh folders outside the workspace (project npm/pnpm, global, npx), check, and print sizes
# and startup ratios. Needs a build (run after `pnpm run build`).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node scripts/install-test/run.mjs
