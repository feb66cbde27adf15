#!/usr/bin/env bash
# Usage: deb_package.sh BUILD_DIR
# Builds the Debian packages from BUILD_DIR (cpack -G DEB), installs them with apt-get as a
# user would, runs the installed /usr/bin/pt2run without LD_LIBRARY_PATH, builds the README's
# program against the installed libpt2run-dev, then removes the packages again.
# Needs root and apt (CI runs as root); exits 77 (skipped) otherwise, or when pt2run's packages
# are already installed here (the test would replace and then remove them).
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
packages=(libpt2run0 libpt2run-dev pt2run)
[ "$(id -u)" = 0 ] || { echo "SKIP: installing .deb files needs root"; exit 77; }
command -v apt-get >/dev/null && command -v dpkg-shlibdeps >/dev/null ||
  { echo "SKIP: needs apt-get and dpkg-dev"; exit 77; }
for p in "${packages[@]}" libpt2run-cuda0; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    echo "SKIP: $p is already installed on this machine"; exit 77
  fi
done
work=$(mktemp -d)
cleanup() {
  DEBIAN_FRONTEND=noninteractive apt-get purge -y "${packages[@]}" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
(cd "$build" && cpack -G DEB -B "$work/debs" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; echo "FAIL: cpack -G DEB"; exit 1; }
version=$(sed -n 's/^#define PT2RUN_VERSION_STRING "\(.*\)"$/\1/p' "$here/../../include/pt2run/version.h")
arch=$(dpkg --print-architecture)
debs=()
for p in "${packages[@]}"; do
  f="$work/debs/${p}_${version}_${arch}.deb"
  [ -f "$f" ] || { ls "$work/debs"; echo "FAIL: cpack made no $(basename "$f")"; exit 1; }
  debs+=("$f")
done
# Dependencies are computed: each package names the Debian packages its files link to.
dpkg-deb -f "$work/debs/libpt2run0_${version}_${arch}.deb" Depends | grep -q "libopenblas0" ||
  { echo "FAIL: libpt2run0 does not depend on libopenblas0"; exit 1; }
dpkg-deb -f "$work/debs/pt2run_${version}_${arch}.deb" Depends | grep -q "libpt2run0 (= $version)" ||
  { echo "FAIL: pt2run does not depend on libpt2run0 (= $version)"; exit 1; }
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${debs[@]}" >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log"; echo "FAIL: apt-get install"; exit 1; }
[ -x /usr/bin/pt2run ] || { echo "FAIL: the pt2run package installed no /usr/bin/pt2run"; exit 1; }
"$here/installed_cli.sh" /usr/bin/pt2run
"$here/readme_consumer.sh"
echo "deb ok: ${packages[*]} $version installed, used and removed"
