#!/usr/bin/env bash
# Runs the packed GPU benchmark (scripts/gpu/pack.sh copies this file into the bundle as run.sh). Needs bash,
# tar and xz (or python3), and dpkg where the machine has no Vulkan loader; nothing from the network.
#
#   .gpu/run.sh [bench options: --tiny, --budget-s N, --shapes a,b, --providers webgpu,cpu]
#
# Writes $OUT/gpu.json (the current folder's where OUT is unset) and $OUT/bench.log. The whole run is killed
# after REGIONS_GPU_TIMEOUT_S seconds (default 450: under the 8 minutes the issue gives one call); gpu.json
# then holds every phase that finished and names the one that was running.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$PWD}
dest=$(mktemp -d /tmp/regions-gpu.XXXXXX)
mkdir -p "$out"
t0=$(date +%s)

if command -v xz >/dev/null; then
  xz -dc "$here/app.tar.xz" | tar -x -C "$dest"
else
  python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$here/app.tar.xz" "$dest"
fi

# The Vulkan loader: the machine's own where ldconfig knows one, else the carried .debs, unpacked under $dest
# (not into /) and found through LD_LIBRARY_PATH; REGIONS_GPU_LOADER=carried takes the carried one anyway (tests).
if [ "${REGIONS_GPU_LOADER:-}" = carried ] || ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  for f in "$here"/debs/*.deb; do dpkg -x "$f" "$dest/sys"; done
  export LD_LIBRARY_PATH="$dest/sys/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
# NVIDIA's driver folder on the lent machines: its Vulkan ICD lies outside the loader's standard folders.
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && [ -f "$icd" ]; then
  export VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd
fi
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  [ -d "$d" ] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d"
done
# Dawn (ONNX Runtime's WebGPU) reads XDG_RUNTIME_DIR when it starts; mktemp's folder is private (0700).
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}

echo "unpacked into $dest in $(($(date +%s) - t0)) s; LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-} VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"
set +e
timeout --kill-after=10 "${REGIONS_GPU_TIMEOUT_S:-450}" "$dest/node" "$dest/bench.mjs" --out "$out/gpu.json" "$@" 2>&1 | tee "$out/bench.log"
status=${PIPESTATUS[0]}
set -e
[ "$status" = 124 ] && echo "run.sh: the benchmark passed REGIONS_GPU_TIMEOUT_S and was stopped; gpu.json holds the phases that finished" >&2
rm -rf "$dest"
exit "$status"
