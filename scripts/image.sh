#!/usr/bin/env bash
# Usage: scripts/image.sh [--debs DIR] [--tag IMAGE] [--oci-archive FILE]
#
# Builds the OCI image of `pt2run serve` (docs/deploy.md) from Debian packages only; it pulls
# from no container registry:
#   1. pt2run's .deb files: built here (a release build, then cpack) unless --debs names a
#      folder holding libpt2run0_*.deb and pt2run_*.deb;
#   2. a root filesystem by mmdebstrap from Debian's archive: Debian 12's essential packages,
#      pt2run's and what they depend on, a user `pt2run` (uid 1000) and /mnt/models;
#   3. the image from scratch by buildah: that filesystem, the entrypoint below, port 8080,
#      user 1000, the volume /mnt/models.
# Tagged IMAGE (default localhost/pt2run:VERSION) in the local image store; --oci-archive FILE
# also writes it as an OCI archive (for `skopeo copy oci-archive:FILE docker://REGISTRY/...`).
# Needs root, or podman/buildah set up rootless; `scripts/setup.sh --image` installs the tools.
set -euo pipefail
cd "$(dirname "$0")/.."
debs="" tag="" archive=""
while [ $# -gt 0 ]; do
  case "$1" in
    --debs) debs=$(cd "$2" && pwd); shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --oci-archive) archive=$2; shift 2 ;;
    *) echo "usage: scripts/image.sh [--debs DIR] [--tag IMAGE] [--oci-archive FILE]" >&2; exit 2 ;;
  esac
done
version=$(sed -n 's/^#define PT2RUN_VERSION_STRING "\(.*\)"$/\1/p' include/pt2run/version.h)
tag=${tag:-localhost/pt2run:$version}
for tool in mmdebstrap buildah; do
  command -v "$tool" >/dev/null || { echo "image: $tool is missing: run scripts/setup.sh --image" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -z "$debs" ]; then
  echo "image: building pt2run's Debian packages (release)"
  scripts/setup.sh
  cmake --preset release -DPT2RUN_BUILD_TESTS=OFF -DPT2RUN_CUDA=OFF >/dev/null
  cmake --build --preset release
  debs="$work/debs"
  (cd build/release && cpack -G DEB -B "$debs" >/dev/null)
fi
arch=$(dpkg --print-architecture)
include=()
for p in libpt2run0 pt2run; do
  f="$debs/${p}_${version}_${arch}.deb"
  [ -f "$f" ] || { echo "image: no $f (cpack -G DEB makes it)" >&2; exit 1; }
  include+=("--include=$f")
done

# The serve command's fixed part; KServe's ServingRuntime (docs/deploy.md) appends its args.
entrypoint='["/usr/bin/pt2run", "serve", "--host", "0.0.0.0", "--port", "8080", "--repository", "/mnt/models"]'

echo "image: root filesystem from Debian 12 (mmdebstrap)"
# file-mirror-automount lets apt inside the new root see the local .deb files.
mmdebstrap --variant=essential --quiet \
  --hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount "${include[@]}" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  --customize-hook='echo "pt2run:x:1000:1000:pt2run serve:/nonexistent:/usr/sbin/nologin" >> "$1/etc/passwd"' \
  --customize-hook='echo "pt2run:x:1000:" >> "$1/etc/group"' \
  --customize-hook='mkdir -p "$1/mnt/models"' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  bookworm "$work/rootfs.tar"

echo "image: $tag (buildah, from scratch)"
container=$(buildah from scratch)
trap 'buildah rm "$container" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
buildah add --quiet "$container" "$work/rootfs.tar" / >/dev/null
buildah config --entrypoint "$entrypoint" --cmd '[]' --port 8080/tcp --user 1000:1000 --volume /mnt/models \
  --workingdir / \
  --label org.opencontainers.image.title=pt2run --label org.opencontainers.image.version="$version" \
  --label org.opencontainers.image.description="pt2run serve: PyTorch AOTInductor .pt2 packages over the KServe v2 protocol" \
  "$container"
buildah commit --quiet --rm "$container" "$tag" >/dev/null
trap 'rm -rf "$work"' EXIT
if [ -n "$archive" ]; then
  buildah push --quiet "$tag" "oci-archive:$archive:$tag" >/dev/null
  echo "image: wrote $archive"
fi
echo "image: built $tag ($(buildah images --format '{{.Size}}' "$tag" | head -1))"
