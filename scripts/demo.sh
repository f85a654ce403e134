#!/usr/bin/env bash
# The README's main job: build, check every example, summarise the DeepLabv3+ example, then run
# the small DeepLabv3+ on bundled images (mask PNGs + overlays) and explain a digit classifier
# (GAP → dense, trained on MNIST) with Grad-CAM (heatmap overlays). Outputs go to out/demo/. Trained weights from weights/ are
# used when present; otherwise the commands say loudly that the weights are random.
set -euo pipefail
cd "$(dirname "$0")/.."
out=out/demo
mkdir -p "$out"
segc() { node bin/segc.js "$@"; }
weights() { [ -f "weights/$1/model.json" ] && echo "--weights weights/$1" || true; }

npm run --silent build
echo "== segc check examples/*.seg"
segc check examples/*.seg
echo "== segc summary examples/deeplabv3plus.seg --input 513,513 (last lines)"
segc summary examples/deeplabv3plus.seg --input 513,513 | tail -n 4
echo "== segc run: segmentation masks"
# shellcheck disable=SC2046
segc run examples/deeplabv3plus_small.seg $(weights deeplabv3plus_small) --image examples/images/shapes-a.png --image examples/images/shapes-b.png --out "$out" > "$out/run.json"
echo "== segc explain: Grad-CAM"
# shellcheck disable=SC2046
segc explain examples/gap_cam.seg $(weights gap_cam) --image examples/images/digit-1.png --image examples/images/digit-7.png --method gradcam --out "$out"
echo "== outputs in $out:"
ls "$out"
