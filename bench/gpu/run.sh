#!/usr/bin/env bash
# Runs the segc GPU benchmark kit on a machine with no Node, no npm and no network.
#
#   run.sh OUT_DIR [--plan full|tiny] [--budget SECONDS] [--min-reps N]
#
# Unpacks Node, Dawn and Debian's Vulkan loader into a private temporary folder (nothing is
# installed), runs the bench once per backend (webgpu, wasm, cpu; each in its own process, under
# `timeout`), and writes OUT_DIR/report.json with each backend's JSON and log beside it. The
# budget (default 480 s) is shared 1/2 webgpu, 1/4 wasm, 1/4 cpu; each process gets 30 s more
# before `timeout` stops it, and what it measured by then stays in its JSON. A case is admitted
# only if its first run and --min-reps steady runs (default 3) are predicted to fit.
# Needs: bash, gzip, coreutils, dpkg (for `dpkg -x`), glibc >= 2.34 and libstdc++ with
# GLIBCXX_3.4.30 (Dawn's requirements), and a Vulkan driver (the NVIDIA driver's ICD).
set -euo pipefail

usage() { echo "usage: run.sh OUT_DIR [--plan full|tiny] [--budget SECONDS] [--min-reps N]" >&2; exit 2; }
[ $# -ge 1 ] || usage
OUT=$1; shift
PLAN=full
BUDGET=480
MIN_REPS=3
while [ $# -gt 0 ]; do
  case $1 in
    --plan) PLAN=${2:-}; shift 2 ;;
    --budget) BUDGET=${2:-}; shift 2 ;;
    --min-reps) MIN_REPS=${2:-}; shift 2 ;;
    *) usage ;;
  esac
done
case $PLAN in full|tiny) ;; *) usage ;; esac
[[ $BUDGET =~ ^[0-9]+$ ]] && [ "$BUDGET" -ge 20 ] || { echo "--budget must be a whole number of seconds, at least 20" >&2; exit 2; }
[[ $MIN_REPS =~ ^[1-9][0-9]*$ ]] || { echo "--min-reps must be a positive whole number" >&2; exit 2; }

KIT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/segc-gpu-kit.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
started=$(date +%s)
log() { echo "[run.sh +$(( $(date +%s) - started ))s] $*"; }

log "unpacking into $WORK"
cp -r "$KIT/bench.mjs" "$KIT"/*.wasm "$KIT/examples" "$KIT/std" "$KIT/weights" "$KIT/node_modules" "$WORK/"
gzip -dc "$KIT/node.gz" > "$WORK/node"
chmod +x "$WORK/node"
dawn="$WORK/node_modules/webgpu/dist/linux-x64/dawn.node"
gzip -dc "$dawn.gz" > "$dawn"
rm "$dawn.gz"
"$WORK/node" --version > /dev/null || { echo "the bundled Node does not run here (glibc too old?)" >&2; exit 3; }

# The Vulkan loader goes into a private folder; LD_LIBRARY_PATH makes Dawn's dlopen find it first.
deb=$(ls "$KIT"/debs/libvulkan1_*.deb | head -n 1)
dpkg -x "$deb" "$WORK/vulkan"
loader=$(dirname "$(find "$WORK/vulkan" -name 'libvulkan.so.1' | head -n 1)")
export LD_LIBRARY_PATH="$loader${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$WORK}

# Containers given only NVIDIA's compute capabilities have the driver's Vulkan library but no ICD
# file; one is written pointing at it, so the loader can still find the GPU.
icd_dirs="/etc/vulkan/icd.d /usr/share/vulkan/icd.d /usr/local/share/vulkan/icd.d"
nvidia_icd=
for dir in $icd_dirs; do
  for file in "$dir"/*nvidia*.json; do [ -e "$file" ] && nvidia_icd=$file; done
done
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -z "$nvidia_icd" ]; then
  nvidia_glx=$(ls /usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.0 /usr/lib64/libGLX_nvidia.so.0 2>/dev/null | head -n 1 || true)
  if [ -n "$nvidia_glx" ]; then
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$nvidia_glx" > "$WORK/nvidia_icd.json"
    export VK_ICD_FILENAMES="$WORK/nvidia_icd.json"
    log "no NVIDIA ICD file; wrote one for $nvidia_glx"
  fi
fi

# Which ICD files and loader ran, by file name: the report says which, not where this machine keeps them.
{
  echo "VK_ICD_FILENAMES=$(printf '%s' "${VK_ICD_FILENAMES:-}" | tr ':' '\n' | sed 's|.*/||' | paste -sd: -)"
  for dir in $icd_dirs; do [ -d "$dir" ] && ls -1 "$dir" | sed 's|^|system ICD: |'; done
  echo "loader: <kit>/vulkan/$(cd "$loader" && ls libvulkan.so.1.* 2>/dev/null | head -n 1)"
} > "$OUT/vulkan-icds.txt" 2>&1 || true
cp "$KIT/manifest.json" "$OUT/kit-manifest.json"
if command -v nvidia-smi > /dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv > "$OUT/nvidia-smi.txt" 2>&1 || true
fi

measure() {
  local backend=$1 seconds=$2 status=0
  log "$backend: budget ${seconds}s"
  timeout $(( seconds + 30 )) "$WORK/node" "$WORK/bench.mjs" measure --backend "$backend" --plan "$PLAN" \
    --root "$WORK" --out "$OUT/$backend.json" --budget "$seconds" --min-reps "$MIN_REPS" > "$OUT/$backend.log" 2>&1 || status=$?
  [ "$status" -eq 0 ] || log "$backend: exit status $status (see $OUT/$backend.log)"
  tail -n 1 "$OUT/$backend.log"
}
measure webgpu $(( BUDGET / 2 ))
measure wasm $(( BUDGET / 4 ))
measure cpu $(( BUDGET / 4 ))

"$WORK/node" "$WORK/bench.mjs" report --in "$OUT" --out "$OUT/report.json"
log "report: $OUT/report.json"
