#!/usr/bin/env bash
# The server kit of the release tarball: a static qjs and a static mpwan-relay per server
# architecture, so the tarball's server/setup runs on a fresh Debian/Ubuntu VPS that has no
# compiler (and whatever libc). Writes build/kit/<arch>/qjs and build/kit/<arch>/mpwan-relay.
#   scripts/build-kit.sh [x86_64|aarch64]...     (default: both)
# qjs: the Debian trixie quickjs source that scripts/ensure-qjs.sh fetches, compiled with
#   -static. It takes ~15 s per architecture, so it is cached in .cache/kit/<arch>/ (ignored
#   by git), keyed by source version, compiler version and flags.
# mpwan-relay: `make -C src/relay LDFLAGS=-static`, whose own dependencies keep it incremental.
# The other architecture's compiler is Debian's cross gcc, installed with apt-get if missing.
set -euo pipefail
shopt -s inherit_errexit # a failing step inside $(...) stops the build too
cd "$(dirname "$0")/.."
log() { echo "build-kit: $*" >&2; }

ARCHES=("$@")
[ ${#ARCHES[@]} -gt 0 ] || ARCHES=(x86_64 aarch64)

# qjs as upstream's Makefile builds it (its QJS_OBJS and CFLAGS_OPT), without the Makefile: that
# one would rebuild repl.c with a host qjsc when cross-compiling; the shipped repl.c is used.
QJS_SOURCES=(qjs.c repl.c quickjs.c dtoa.c libregexp.c libunicode.c cutils.c quickjs-libc.c)
QJS_CFLAGS="-O2 -fwrapv -D_GNU_SOURCE"

triplet() {
  case $1 in
    x86_64) echo x86_64-linux-gnu ;;
    aarch64) echo aarch64-linux-gnu ;;
    *) log "no server kit for '$1' (x86_64 or aarch64)"; exit 2 ;;
  esac
}
debian_arch() { case $1 in x86_64) echo amd64 ;; aarch64) echo arm64 ;; esac; }

# The C compiler for arch: gcc on a machine of that architecture, else Debian's cross gcc.
compiler_for() {
  local arch=$1 t pkgs
  t=$(triplet "$arch")
  if [ "$(uname -m)" = "$arch" ]; then echo gcc; return; fi
  if ! command -v "$t-gcc" >/dev/null 2>&1; then
    pkgs=("gcc-${t//_/-}" "libc6-dev-$(debian_arch "$arch")-cross")
    log "installing the $arch cross compiler: ${pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null 2>&1 \
      || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; }
  fi
  echo "$t-gcc"
}

# .cache/kit/<arch>/qjs, built unless the cached one has the same key.
static_qjs() {
  local arch=$1 cc=$2 src cache key out
  src=$(scripts/ensure-qjs.sh --source)
  [ -f "$src/repl.c" ] || { log "no quickjs source ready in '$src'"; exit 1; }
  cache=.cache/kit/$arch
  key="$(basename "$src") $("$cc" -dumpmachine) $("$cc" -dumpfullversion) $QJS_CFLAGS -static"
  if [ -x "$cache/qjs" ] && [ "$(cat "$cache/qjs.key" 2>/dev/null)" = "$key" ]; then
    echo "qjs cached"; return
  fi
  rm -rf "$cache/obj" "$cache/qjs" "$cache/qjs.key"
  mkdir -p "$cache/obj"
  local version
  version=$(cat "$src/VERSION")
  # quickjs.c is most of the time: compile the files in parallel.
  printf '%s\n' "${QJS_SOURCES[@]}" | xargs -P "$(nproc)" -I{} \
    "$cc" $QJS_CFLAGS "-DCONFIG_VERSION=\"$version\"" -c -o "$cache/obj/{}.o" "$src/{}"
  # glibc warns that dlopen in a static program needs its shared libraries at run time: qjs only
  # uses it to load native modules, which mpwan has none of. Shown only when the link fails.
  if ! out=$("$cc" -static -s -o "$cache/qjs" "$cache"/obj/*.o -lm -ldl -lpthread 2>&1); then
    echo "$out" >&2; exit 1
  fi
  echo "$key" > "$cache/qjs.key"
  echo "qjs built"
}

mkdir -p .cache/kit
exec 9>.cache/kit/.lock
flock 9
for arch in "${ARCHES[@]}"; do
  start=$SECONDS
  cc=$(compiler_for "$arch")
  out=build/kit/$arch
  mkdir -p "$out"
  how=$(static_qjs "$arch" "$cc")
  install -m 0755 ".cache/kit/$arch/qjs" "$out/qjs"
  make -s -C src/relay CC="$cc" LDFLAGS=-static OUT="$PWD/$out" >/dev/null
  log "$arch: $how, mpwan-relay made ($((SECONDS - start)) s)"
done
