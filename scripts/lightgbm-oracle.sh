#!/usr/bin/env bash
# Builds LightGBM 4.1 (CLI and lib_lightgbm.so) from the npm package lightgbm@1.0.27 into a cache outside the repo and prints the CLI's path.
#
# Layout of ${FANFARE_CACHE:-$HOME/.cache/fanfare}/lightgbm-4.1/:
#   lightgbm          the CLI, our parity oracle
#   lib_lightgbm.so   the C API, for the prediction benchmark
#   include/          the C API headers (LightGBM/c_api.h)
#   source/           LightGBM's sources as the package ships them, with examples/
#
# The package's own install script (cmake-js, a Node addon) is never run: we only `npm pack` the
# tarball and untar it. Its dependencies/LightGBM carries the git submodules LightGBM needs
# (external_libs/fmt, fast_double_parser, eigen, compute), so a plain cmake build works offline.
# Idempotent: exits at once when the CLI and the library exist. Safe to run concurrently (flock).
set -euo pipefail

PACKAGE="lightgbm@1.0.27"
CACHE_ROOT="${FANFARE_CACHE:-$HOME/.cache/fanfare}"
DEST="$CACHE_ROOT/lightgbm-4.1"
JOBS="${FANFARE_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"

done_already() { [[ -x "$DEST/lightgbm" && -f "$DEST/lib_lightgbm.so" ]]; }

if done_already; then
  echo "$DEST/lightgbm"
  exit 0
fi

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/lightgbm-4.1.lock"
flock 9
# Another run may have finished the build while we waited for the lock.
if done_already; then
  echo "$DEST/lightgbm"
  exit 0
fi

for tool in npm tar cmake make g++; do
  command -v "$tool" >/dev/null || { echo "lightgbm-oracle: '$tool' is required but not installed" >&2; exit 1; }
done

WORK="$(mktemp -d "$CACHE_ROOT/lightgbm-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "lightgbm-oracle: fetching $PACKAGE (without running its install script)" >&2
(cd "$WORK" && npm pack --silent "$PACKAGE" >/dev/null)
tar -xzf "$WORK"/lightgbm-*.tgz -C "$WORK"
SRC="$WORK/package/dependencies/LightGBM"

for need in external_libs/fmt/include/fmt/format.h \
            external_libs/fast_double_parser/include/fast_double_parser.h \
            external_libs/eigen/Eigen/Dense \
            external_libs/compute/include/boost/compute.hpp \
            examples/binary_classification/binary.train; do
  [[ -f "$SRC/$need" ]] || { echo "lightgbm-oracle: $PACKAGE lacks $need" >&2; exit 1; }
done

echo "lightgbm-oracle: building LightGBM $(cat "$SRC/VERSION.txt") with $JOBS jobs" >&2
cmake -S "$SRC" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_CLI=ON \
  -DUSE_OPENMP=ON -DUSE_MPI=OFF -DUSE_GPU=OFF -DUSE_CUDA=OFF -DINSTALL_HEADERS=OFF >&2
cmake --build "$WORK/build" --target lightgbm _lightgbm -j "$JOBS" >&2

# LightGBM writes its outputs into its source directory.
[[ -x "$SRC/lightgbm" && -f "$SRC/lib_lightgbm.so" ]] || { echo "lightgbm-oracle: build produced no binary" >&2; exit 1; }

STAGE="$WORK/stage"
mkdir -p "$STAGE"
mv "$SRC/lightgbm" "$SRC/lib_lightgbm.so" "$STAGE/"
cp -r "$SRC/include" "$STAGE/include"
mv "$SRC" "$STAGE/source"
rm -rf "$DEST"
mv "$STAGE" "$DEST"
echo "$DEST/lightgbm"
