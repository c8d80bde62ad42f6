#!/usr/bin/env bash
# emit-dbt's tests render profiles with real Jinja2 + PyYAML (dbt's own engine). They use the
# first python3 on PATH (or /usr/bin/python3) that has both; install Debian's packages for
# /usr/bin/python3 when none has them.
set -euo pipefail
IFS=: read -r -a dirs <<< "${PATH}"
for py in "${dirs[@]/%//python3}" /usr/bin/python3; do
  if [ -x "$py" ] && "$py" -c 'import jinja2, yaml' 2>/dev/null; then exit 0; fi
done
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-jinja2 python3-yaml >/dev/null
else
  echo "python3 with jinja2 and yaml is required for the dbt rendering tests" >&2
  exit 1
fi
