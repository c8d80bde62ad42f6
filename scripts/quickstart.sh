#!/usr/bin/env bash
# The main job on the offline quickstart (README "Quick start", command 1): validate the
# manifest and its secrets, then resolve the references three ways — exec, get, DuckDB apply.
set -euo pipefail
cd "$(dirname "$0")/../examples/quickstart"
floe() { node ../../apps/floe/bin/run.cjs "$@"; }

# git does not keep file modes: the file provider refuses group/world-readable secret files.
chmod 600 secrets/* 2>/dev/null || true
set -a; . ./quickstart.env; set +a

echo "== floe secrets validate"
floe secrets validate
echo
echo "== floe secrets list"
floe secrets list
echo
echo "== floe secrets exec (the child sees values; its output is masked)"
floe secrets exec -- node -e 'for (const k of Object.keys(process.env).filter((k) => /^(WAREHOUSE|API|DBT_ENV_SECRET)_/.test(k)).sort()) console.log(`${k}=${process.env[k]}`)'
echo
echo "== floe secrets get warehouse/password (masked)"
floe secrets get warehouse/password
echo
echo "== floe secrets apply duckdb (temporary secrets, verified through duckdb_secrets())"
floe secrets apply duckdb -c "SELECT name, type, persistent, scope FROM duckdb_secrets()"
echo
echo "== floe secrets emit dbt (profiles.yml references env vars, never values)"
floe secrets emit dbt
