#!/usr/bin/env bash
# Python software the tests drive (none of it written by floe):
# - Jinja2 + PyYAML: emit-dbt renders profiles with dbt's own engine (first python3 on PATH,
#   or /usr/bin/python3, that has both; Debian's packages are installed when none has them).
# - hvac (Debian python3-hvac, for /usr/bin/python3): the Vault client suite in testkit.
# - moto[server] + boto3 (the python3 on PATH): the AWS providers also run against moto_server,
#   and boto3 drives floe-sandbox. They cannot come from apt; without them the tests fail, so
#   this script stops here with a clear message rather than letting them fail later.
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
apt_updated=""
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-python-deps: apt-get is missing; install these for /usr/bin/python3: $*" >&2
    exit 1
  fi
  if [ -z "$apt_updated" ]; then
    $SUDO apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

has_jinja=""
IFS=: read -r -a dirs <<< "${PATH}"
for py in "${dirs[@]/%//python3}" /usr/bin/python3; do
  if [ -x "$py" ] && "$py" -c 'import jinja2, yaml' 2>/dev/null; then
    has_jinja=1
    break
  fi
done
[ -n "$has_jinja" ] || apt_install python3-jinja2 python3-yaml

if ! /usr/bin/python3 -c 'import hvac' 2>/dev/null; then apt_install python3-hvac; fi

moto_server="${FLOE_MOTO_SERVER:-moto_server}"
if ! command -v "$moto_server" >/dev/null 2>&1 || ! python3 -c 'import moto, boto3' 2>/dev/null; then
  cat >&2 <<'EOF'
ensure-python-deps: moto (with its server) and boto3 must be importable by the python3 on PATH,
and moto_server must be on PATH: the AWS providers are tested against moto_server 5.2.x and
boto3 drives floe-sandbox. Install them, e.g.
  python3 -m pip install "moto[server]==5.2.1" boto3
(or set FLOE_MOTO_SERVER to a moto_server executable). These tests are never skipped.
EOF
  exit 1
fi
