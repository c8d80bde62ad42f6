#!/usr/bin/env bash
# emit-dbt's tests render profiles with real Jinja2 + PyYAML (dbt's own engine). Use the
# python3 on PATH when it has them, else install Debian's packages for /usr/bin/python3.
set -euo pipefail
if python3 -c 'import jinja2, yaml' 2>/dev/null; then exit 0; fi
if /usr/bin/python3 -c 'import jinja2, yaml' 2>/dev/null; then exit 0; fi
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-jinja2 python3-yaml >/dev/null
else
  echo "python3 with jinja2 and yaml is required for the dbt rendering tests" >&2
  exit 1
fi
