#!/usr/bin/env bash
# Checks that every program (and file) in scripts/programs.list is there, after
# scripts/ensure-deps.sh installed them: names each missing one and the Debian package that
# brings it, so a fresh machine fails here in seconds instead of in a test minutes later.
set -euo pipefail
cd "$(dirname "$0")/.."
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
missing=()
while read -r program package _; do
  case "$program" in ''|'#'*) continue ;; esac
  if [ "${program#/}" != "$program" ]; then
    [ -e "$program" ] && continue
  else
    command -v "$program" >/dev/null 2>&1 && continue
  fi
  if [ "$package" = - ]; then missing+=("$program (not from apt: see scripts/programs.list)")
  else missing+=("$program (Debian package $package)"); fi
done < scripts/programs.list
if [ ${#missing[@]} -gt 0 ]; then
  echo "check-programs: missing after scripts/ensure-deps.sh:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  echo "install them (apt-get install PACKAGE) or fix scripts/programs.list" >&2
  exit 1
fi
