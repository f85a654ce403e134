#!/usr/bin/env bash
# The README's main job: check every example, summarise the DeepLabv3+ example, then run the
# bundled trained weights on the bundled images (examples/images/, held-out test images with
# their truth in truth.json; remade by scripts/demo-images.sh):
#   - MNIST digits → the GAP classifier, explained with Grad-CAM (heatmap overlays);
#   - digits on a 64×64 canvas → ACoL, with its fused class map;
#   - shapes → the small DeepLabv3+, masks and overlays.
# One line per image on stdout; everything else (reports as JSON, images) goes to files in
# $SEGC_DEMO_OUT (default out/demo). SEGC_FROM_SOURCE=1 runs the TypeScript sources through
# tsx instead of building dist/ (the tests do).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${SEGC_DEMO_OUT:-out/demo}
mkdir -p "$out"
if [[ -n "${SEGC_FROM_SOURCE:-}" ]]; then
  segc() { node --import tsx bench/train-segc.ts "$@"; }
else
  npm run --silent build
  segc() { node bin/segc.js "$@"; }
fi
for model in gap_cam acol deeplabv3plus_small; do
  [[ -f weights/$model/model.json ]] || { echo "weights/$model/model.json is missing: the demo needs the bundled trained weights" >&2; exit 1; }
done
images=examples/images
# wasm runs on every machine, so the demo prints the same figures everywhere (and those are what
# tests/cli/demo.test.ts holds against the truth); `--backend auto` would take a hardware GPU.
backend=(--backend wasm)

echo "== segc check examples/*.seg"
segc check examples/*.seg
echo "== segc summary examples/deeplabv3plus.seg --input 513,513 (totals)"
segc summary examples/deeplabv3plus.seg --input 513,513 | grep -E '^(params|FLOPs per image|outputs):'
echo "== MNIST test digits → examples/gap_cam.seg (class, Grad-CAM)"
segc explain examples/gap_cam.seg --weights weights/gap_cam --method gradcam --out "$out" "${backend[@]}" \
  $(for d in 0 1 2 3 4 5 6 7 8 9; do echo "--image $images/digit-$d.png"; done)
echo "== digits on a canvas → examples/acol.seg (class, ACoL map)"
segc run examples/acol.seg --weights weights/acol --image "$images/canvas-9.png" --image "$images/canvas-4.png" --out "$out" "${backend[@]}"
echo "== shapes → examples/deeplabv3plus_small.seg (masks)"
segc run examples/deeplabv3plus_small.seg --weights weights/deeplabv3plus_small --image "$images/shapes-a.png" --image "$images/shapes-b.png" --out "$out" "${backend[@]}"
echo "== truth for these images: $images/truth.json; outputs in $out/"
