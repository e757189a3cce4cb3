#!/usr/bin/env bash
# Packs the GPU benchmark for a lent GPU machine (no network, no Node.js; docs/gpu.md): writes the folder
# .gpu/ (gitignored) with
#   app.tar.xz  Node (this machine's binary, stripped), scripts/gpu/bench.ts bundled into bench.mjs (esbuild),
#               and onnxruntime-node's JS and linux-x64 native files: unpacked by run.sh into /tmp;
#   debs/       the Vulkan loader (libvulkan1) and libglvnd0 (NVIDIA's Vulkan driver links its libGLdispatch),
#               unpacked by run.sh only where the machine has no libvulkan.so.1;
#   run.sh      unpacks, points the Vulkan loader at NVIDIA's ICD and runs the benchmark.
# The device tool carries the whole working tree (tracked and untracked-not-ignored files) plus .gpu/, 64 MiB
# in all: the checkout alone is ~30 MiB, so the bundle is compressed hard and the total is checked here.
#
#   scripts/gpu/pack.sh [--out DIR] [--fast]     # --fast: xz -0 (for tests; no size check)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.gpu
level=(--x86 --lzma2=preset=9e)
fast=
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --fast) level=(-0); fast=1; shift ;;
    *) echo "pack.sh: unknown option $1 (known: --out DIR, --fast)" >&2; exit 2 ;;
  esac
done
limit=$((64 * 1024 * 1024))

node_bin=$(command -v node)
if [ "$("$node_bin" -p 'process.platform + "-" + process.arch')" != linux-x64 ]; then
  echo "pack.sh: $node_bin is not a linux-x64 Node; the GPU machine is x86-64 Linux" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out/debs"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# Node, without its debug info (99 → 86 MB before compression).
cp "$node_bin" "$stage/node"
strip "$stage/node" 2>/dev/null || true

# The benchmark in one file; onnxruntime-node stays a package (its binding loads its .node by a relative path).
# The banner gives bundled CommonJS code a `require`.
node_modules/.bin/esbuild scripts/gpu/bench.ts --bundle --platform=node --format=esm --target=node20 \
  --external:onnxruntime-node --log-level=warning --outfile="$stage/bench.mjs" \
  --banner:js="import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"

copy() { # copy PATH under node_modules/ into the stage, keeping its place
  mkdir -p "$stage/node_modules/$(dirname "$1")"
  cp -r "node_modules/$1" "$stage/node_modules/$1"
}
copy onnxruntime-node/package.json
copy onnxruntime-node/dist
copy onnxruntime-node/bin/napi-v6/linux/x64
copy onnxruntime-common/package.json
copy onnxruntime-common/dist/cjs
find "$stage/node_modules" -name '*.map' -delete

# --x86: the BCJ filter, which helps on machine code (Node and ONNX Runtime are most of the bytes).
tar -C "$stage" -cf - . | xz "${level[@]}" -T1 >"$out/app.tar.xz"

# The Vulkan loader and libglvnd (NVIDIA's Vulkan driver links libGLdispatch), amd64, downloaded once (the
# device README's recipe, less the EGL/GL packages Vulkan does not need).
debs=.cache/gpu-debs
if ! ls "$debs"/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p "$debs" /tmp/regions-apt-amd64/partial
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/regions-apt-amd64)
  apt-get "${o[@]}" update -qq
  (cd "$debs" && apt-get "${o[@]}" download libvulkan1 libglvnd0)
fi
cp "$debs"/libvulkan1_*.deb "$debs"/libglvnd0_*.deb "$out/debs/"

cp scripts/gpu/run.sh "$out/run.sh"
chmod +x "$out/run.sh"

bytes=$(du -sb "$out" | cut -f1)
echo "GPU bundle: $(cd "$out" && pwd), $bytes bytes ($((bytes / 1024 / 1024)) MiB)"
ls -l "$out" "$out/debs" | sed 's/^/  /'
# What a run call sends: the checkout's tracked and untracked-not-ignored files, and the carried bundle.
tree=$(git ls-files -z --cached --others --exclude-standard | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
total=$((tree + bytes))
echo "with the working tree ($((tree / 1024 / 1024)) MiB): $((total / 1024 / 1024)) MiB of the 64 MiB a run call carries"
if [ "$total" -gt "$limit" ] && [ -z "$fast" ]; then
  echo "pack.sh: the working tree and the bundle are over 64 MiB: they would not travel to the GPU machine" >&2
  exit 1
fi
