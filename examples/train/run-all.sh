#!/usr/bin/env bash
# The end-to-end training runs behind docs/training.md and the bundled weights in weights/.
# Two lanes run side by side (one core each on the wasm backend):
#   lane A: shapes → DeepLabv3+ (fully supervised); then DeepLabv3+ on lane B's pseudo-masks;
#   lane B: MNIST → GapCam; shapes → ShapesCam (image-level labels) → pseudo-masks;
#           mnist-canvas → ACoL and its plain-CAM baseline; the MNIST GapCam's CAM on the canvas.
# Every step leaves a marker when it succeeds, so rerunning the script skips finished steps.
# Results (eval JSON) go to $RUNS/results; logs to $RUNS/logs.
#
#   examples/train/run-all.sh            # the full runs (about two hours on 2 otherwise idle cores)
#   SCALE=smoke examples/train/run-all.sh  # a few images and one epoch, to check the plumbing
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-runs/train}
SCALE=${SCALE:-full}
WEIGHTS_OUT=${WEIGHTS_OUT:-weights}
# The built CLI (node bin/segc.js, after npm run build) or the sources through tsx.
if [[ -n "${SEGC_BUILT:-}" ]]; then SEGC=(node bin/segc.js); else SEGC=(npx tsx bench/train-segc.ts); fi
segc() { "${SEGC[@]}" "$@"; }

if [[ $SCALE == smoke ]]; then
  SHAPES_COUNT=80; MNIST_COUNT=300; CANVAS_COUNT=120
  SEG_EPOCHS=1; WEAK_EPOCHS=1; MNIST_EPOCHS=1; CANVAS_EPOCHS=1; SHAPES_CLS_EPOCHS=1
else
  SHAPES_COUNT=1500; MNIST_COUNT=10000; CANVAS_COUNT=1500
  # ShapesCam's loss stays at chance for about its first 1,000 steps (docs/weak-supervision.md):
  # 60 epochs of the 1,200 training images are 4,500 steps of 16 (test mean AP 0.97 in a re-build).
  SEG_EPOCHS=45; WEAK_EPOCHS=12; MNIST_EPOCHS=20; CANVAS_EPOCHS=5; SHAPES_CLS_EPOCHS=60
fi

mkdir -p "$RUNS/logs" "$RUNS/results" "$RUNS/done"
DATA=$RUNS/data

# step NAME COMMAND...: runs once; output to $RUNS/logs/NAME.log.
step() {
  local name=$1; shift
  if [[ -f $RUNS/done/$name ]]; then echo "[skip] $name"; return 0; fi
  echo "[$(date +%H:%M:%S)] start $name"
  local started=$SECONDS
  "$@" >"$RUNS/logs/$name.log" 2>&1 || { echo "[$(date +%H:%M:%S)] FAILED $name (see $RUNS/logs/$name.log)"; return 1; }
  echo "$((SECONDS - started))" >"$RUNS/done/$name"
  echo "[$(date +%H:%M:%S)] done $name in $((SECONDS - started)) s"
}

# evaluate NAME MODEL WEIGHTS DATA [eval options...]: JSON into $RUNS/results/NAME.json.
evaluate() {
  local name=$1 model=$2 weights=$3 data=$4; shift 4
  segc eval "$model" --weights "$weights" --data "$data" --json --confusion "$RUNS/results/$name-confusion.svg" "$@" >"$RUNS/results/$name.json"
}

# publish RUN EXAMPLE: copies the trained weights into weights/EXAMPLE.
publish() {
  rm -rf "${WEIGHTS_OUT:?}/$2.tmp" && mkdir -p "$WEIGHTS_OUT" && cp -r "$RUNS/$1/checkpoint/weights" "$WEIGHTS_OUT/$2.tmp"
  cp "$RUNS/$1/training-curve.svg" "$WEIGHTS_OUT/$2.tmp/" 2>/dev/null || true
  rm -rf "${WEIGHTS_OUT:?}/$2" && mv "$WEIGHTS_OUT/$2.tmp" "$WEIGHTS_OUT/$2"
}

# The MNIST classifier's weights do not depend on the input size (convolutions, GAP, dense), so
# the same model compiled for the 64×64 canvas reads them unchanged.
gap_cam_on_canvas() {
  sed 's/f32\[N, 28, 28, 1\]/f32[N, 64, 64, 1]/' examples/gap_cam.seg >"$RUNS/gap_cam_64.seg"
}

lane_a() {
  step data-shapes segc data shapes --out "$DATA/shapes" --count $SHAPES_COUNT --size 64 --seed 1 --overwrite
  step train-deeplab segc train examples/deeplabv3plus_small.seg --data "$DATA/shapes/train" --val "$DATA/shapes/val" \
    --out "$RUNS/deeplab" --epochs $SEG_EPOCHS --batch 8 --lr 0.003 --optimizer adam --flip --seed 1
  step eval-deeplab evaluate deeplab examples/deeplabv3plus_small.seg "$RUNS/deeplab" "$DATA/shapes/test"
  step publish-deeplab publish deeplab deeplabv3plus_small
  while [[ ! -f $RUNS/done/pseudo-masks ]]; do
    [[ -f $RUNS/lane-b-failed ]] && { echo "lane B failed before the pseudo-masks"; return 1; }
    sleep 10
  done
  step train-deeplab-weak segc train examples/deeplabv3plus_small.seg --data "$DATA/shapes-pseudo" --val "$DATA/shapes/val" \
    --out "$RUNS/deeplab-weak" --epochs $WEAK_EPOCHS --batch 8 --lr 0.003 --optimizer adam --flip --seed 1
  step eval-deeplab-weak evaluate deeplab-weak examples/deeplabv3plus_small.seg "$RUNS/deeplab-weak" "$DATA/shapes/test"
}

lane_b() {
  step data-mnist segc data mnist --out "$DATA/mnist" --count $MNIST_COUNT --seed 1 --overwrite
  step train-gap-cam segc train examples/gap_cam.seg --data "$DATA/mnist/train" --val "$DATA/mnist/test" \
    --out "$RUNS/gap_cam" --epochs $MNIST_EPOCHS --batch 32 --lr 0.003 --optimizer adam --scale-crop 0.85,1.15 --seed 1
  step eval-gap-cam evaluate gap_cam examples/gap_cam.seg "$RUNS/gap_cam" "$DATA/mnist/test"
  step publish-gap-cam publish gap_cam gap_cam
  while [[ ! -f $RUNS/done/data-shapes ]]; do sleep 5; done
  step train-shapes-cam segc train examples/train/shapes_cam.seg --data "$DATA/shapes/train" --val "$DATA/shapes/val" \
    --out "$RUNS/shapes_cam" --epochs $SHAPES_CLS_EPOCHS --batch 16 --lr 0.002 --optimizer adam --multi-label --flip --seed 1
  step eval-shapes-cam evaluate shapes-cam examples/train/shapes_cam.seg "$RUNS/shapes_cam" "$DATA/shapes/val" --multi-label
  step pseudo-masks segc data pseudo-masks examples/train/shapes_cam.seg --weights "$RUNS/shapes_cam" \
    --data "$DATA/shapes/train" --out "$DATA/shapes-pseudo" --method cam --fg 0.6 --bg 0.2 --overwrite
  step data-canvas segc data mnist-canvas --out "$DATA/canvas" --count $CANVAS_COUNT --size 64 --seed 1 --overwrite
  step train-acol segc train examples/acol.seg --data "$DATA/canvas/train" --val "$DATA/canvas/test" \
    --out "$RUNS/acol" --epochs $CANVAS_EPOCHS --batch 32 --lr 0.002 --optimizer adam --seed 1
  step eval-acol-fused evaluate acol-fused examples/acol.seg "$RUNS/acol" "$DATA/canvas/test" --method acol
  step eval-acol-branch-a evaluate acol-branch-a examples/acol.seg "$RUNS/acol" "$DATA/canvas/test" --method cam
  step publish-acol publish acol acol
  step train-canvas-cam segc train examples/train/canvas_cam.seg --data "$DATA/canvas/train" --val "$DATA/canvas/test" \
    --out "$RUNS/canvas_cam" --epochs $CANVAS_EPOCHS --batch 32 --lr 0.002 --optimizer adam --seed 1
  step eval-canvas-cam evaluate canvas-cam examples/train/canvas_cam.seg "$RUNS/canvas_cam" "$DATA/canvas/test" --method cam
  gap_cam_on_canvas
  step eval-gap-cam-canvas evaluate gap-cam-canvas "$RUNS/gap_cam_64.seg" "$RUNS/gap_cam" "$DATA/canvas/test" --method cam
}

rm -f "$RUNS/lane-b-failed"
lane_a >"$RUNS/logs/lane-a.txt" 2>&1 &
A=$!
( lane_b || { touch "$RUNS/lane-b-failed"; exit 1; } ) >"$RUNS/logs/lane-b.txt" 2>&1 &
B=$!
status=0
wait $A || status=1
wait $B || status=1
cat "$RUNS/logs/lane-a.txt" "$RUNS/logs/lane-b.txt"
npx tsx bench/train-results.ts "$RUNS" || status=1
exit $status
