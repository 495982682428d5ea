#!/usr/bin/env bash
# Installs what the build, tests, demo and bench need on a fresh Debian 12 machine (root),
# skipping what is already there: the Debian packages of scripts/programs.list, the npm
# packages, and qjs. Then checks that every listed program is there (scripts/check-programs.sh).
# Safe to run with no stdin and CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

mapfile -t packages < <(awk '!/^#/ && NF >= 2 && $2 != "-" { print $2 }' scripts/programs.list | sort -u)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-deps: installing ${missing[*]}" >&2
  # Package services (shadowsocks-libev) cannot start here: keep maintainer scripts from trying.
  policy=/usr/sbin/policy-rc.d
  created_policy=
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created_policy=1; fi
  trap '[ -n "$created_policy" ] && rm -f "$policy"' EXIT
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ensure-deps: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

scripts/ensure-qjs.sh >/dev/null
scripts/check-programs.sh
