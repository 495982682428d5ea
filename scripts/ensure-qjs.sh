#!/usr/bin/env bash
# Prints the path of a usable qjs. Uses one on PATH, else the cached build, else builds it
# from Debian 13 (trixie)'s `quickjs` source package into .cache/qjs (ignored by git).
# The apt URI is copied from this machine's own Debian sources: no host name is written here.
#   scripts/ensure-qjs.sh --source   prints the unpacked source folder instead (fetched if
#                                    missing), ready for a plain compile: repl.c, which the
#                                    release leaves to qjsc, is generated. For scripts/build-kit.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="$PWD/.cache/qjs"
want_source=
[ "${1:-}" = --source ] && want_source=1

# The unpacked source folder, if one is there.
unpacked() {
  local d
  d=$(find "$cache/src" -mindepth 1 -maxdepth 1 -type d -name 'quickjs*' 2>/dev/null | head -n 1)
  [ -n "$d" ] && [ -f "$d/quickjs.c" ] && echo "$d"
}
# ... with repl.c generated.
ready_source() { local d; d=$(unpacked) && [ -f "$d/repl.c" ] && echo "$d"; }
usable() { [ -x "$cache/bin/qjs" ] && "$cache/bin/qjs" -e '' >/dev/null 2>&1; }

if [ -n "$want_source" ]; then
  d=$(ready_source) && { echo "$d"; exit 0; }
else
  if command -v qjs >/dev/null 2>&1; then command -v qjs; exit 0; fi
  if usable; then echo "$cache/bin/qjs"; exit 0; fi
fi

log() { echo "ensure-qjs: $*" >&2; }

# One build at a time: a second caller waits, then finds the cached binary.
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -n "$want_source" ]; then
  d=$(ready_source) && { echo "$d"; exit 0; }
elif usable; then
  echo "$cache/bin/qjs"; exit 0
fi

# The URI and keyring of the machine's Debian main archive (deb822 or one-line format).
debian_source() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    case "$f" in *mpwan-*) continue;; esac
    awk 'BEGIN{RS=""; FS="\n"}
      { uri=""; suites=""; key=""; comp="";
        for (i=1;i<=NF;i++) {
          if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, " "); uri=u[1] }
          if ($i ~ /^Suites:/) suites=$i
          if ($i ~ /^Components:/) comp=$i
          if ($i ~ /^Signed-By:/) { sub(/^Signed-By:[ \t]*/, "", $i); key=$i }
        }
        if (suites ~ /bookworm([ \t]|$)/ && comp ~ /main/ && uri != "") { print uri "|" key; exit } }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1=="deb" && / bookworm / && / main/ { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { print $i "|"; exit } }' "$f"
  done
}

# Downloads and unpacks the source package into $cache/src.
fetch_source() {
  local src uri key list want tarball
  src=$(debian_source | head -n 1)
  uri=${src%%|*}
  key=${src#*|}
  [ -n "$uri" ] || { log "no Debian bookworm 'main' entry in /etc/apt/sources*: cannot find a mirror for the quickjs source"; exit 1; }
  [ -n "$key" ] || key=/usr/share/keyrings/debian-archive-keyring.gpg

  list=/etc/apt/sources.list.d/mpwan-trixie-src.sources
  want=$(printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: %s\n' "$uri" "$key")
  if [ "$(cat "$list" 2>/dev/null)" != "$want" ]; then
    log "adding deb-src trixie ($uri) as $list"
    printf '%s\n' "$want" > "$list"
  fi
  log "fetching the quickjs source package"
  apt-get update -qq -o Dir::Etc::sourcelist="$list" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 >&2
  rm -rf "$cache/src"
  mkdir -p "$cache/src" "$cache/bin"
  (cd "$cache/src" && apt-get source --download-only -qq quickjs >&2 2>/dev/null) || {
    log "apt-get source quickjs failed (is dpkg-dev installed?)"; exit 1; }
  tarball=$(ls "$cache"/src/quickjs_*.orig.tar.* | head -n 1)
  tar -xf "$tarball" -C "$cache/src"
}

dir=$(unpacked) || { fetch_source; dir=$(unpacked); }
if [ -n "$want_source" ]; then
  # repl.c is compiled from repl.js by qjsc: upstream's Makefile builds a host qjsc for it.
  log "generating repl.c in $(basename "$dir") (builds a host qjsc, about 20 s)"
  make -s -C "$dir" -j"$(nproc)" repl.c >&2
  echo "$dir"
  exit 0
fi
log "building qjs from $(basename "$dir") (about 20 s)"
make -s -C "$dir" -j"$(nproc)" qjs >&2
mkdir -p "$cache/bin"
install -m 0755 "$dir/qjs" "$cache/bin/qjs"
echo "$cache/bin/qjs"
