#!/usr/bin/env bash
# Remakes examples/images/ (the demo's inputs) and examples/images/truth.json from the held-out
# test splits of the data sets the bundled weights were trained on (examples/train/run-all.sh:
# same kinds, counts and seeds), so no demo image was seen in training:
#   digit-D.png      the first MNIST test digit of each class D (28×28, for examples/gap_cam.seg)
#   canvas-D.png     the first two mnist-canvas test images (64×64, for examples/acol.seg)
#   shapes-a/b.png   two shapes test images, with their masks (for deeplabv3plus_small)
# Digits and canvases are not picked by how a model does on them. The shapes are: the small
# DeepLabv3+ reaches mIoU 0.89 over the test split, but per image it ranges from 0.43 to 0.99
# over the first ten test images (it mistakes small circles for squares), so shapes-a and
# shapes-b are the first test images that together show every class and on which its mIoU is
# at least 0.9: test 00000 (circle, triangle; 0.956) and 00007 (a square; 0.986).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
segc() { npx tsx bench/train-segc.ts "$@"; }

segc data mnist --out "$work/mnist" --count 10000 --seed 1
segc data mnist-canvas --out "$work/canvas" --count 1500 --size 64 --seed 1
segc data shapes --out "$work/shapes" --count 1500 --size 64 --seed 1

images=examples/images
rm -f "$images"/*.png "$images/truth.json"
entries=()
for digit in 0 1 2 3 4 5 6 7 8 9; do
  files=("$work/mnist/test/$digit"/*.png)
  first=${files[0]}
  cp "$first" "$images/digit-$digit.png"
  entries+=("\"digit-$digit.png\": { \"model\": \"gap_cam\", \"label\": $digit, \"source\": \"segc data mnist --count 10000 --seed 1: test/$digit/$(basename "$first")\" }")
done
for index in 00000 00001; do
  label=$(node -e "console.log(JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'))['$index.png'].label)" "$work/canvas/test/images/labels.json")
  cp "$work/canvas/test/images/$index.png" "$images/canvas-$label.png"
  entries+=("\"canvas-$label.png\": { \"model\": \"acol\", \"label\": $label, \"source\": \"segc data mnist-canvas --count 1500 --size 64 --seed 1: test/images/$index.png\" }")
done
for pair in a:00000 b:00007; do
  name=shapes-${pair%%:*} index=${pair#*:}
  cp "$work/shapes/test/images/$index.png" "$images/$name.png"
  cp "$work/shapes/test/masks/$index.png" "$images/$name.mask.png"
  entries+=("\"$name.png\": { \"model\": \"deeplabv3plus_small\", \"mask\": \"$name.mask.png\", \"classes\": [\"background\", \"circle\", \"square\", \"triangle\"], \"source\": \"segc data shapes --count 1500 --size 64 --seed 1: test/images/$index.png\" }")
done
{
  echo '{'
  for i in "${!entries[@]}"; do
    [[ $i -lt $((${#entries[@]} - 1)) ]] && echo "  ${entries[$i]}," || echo "  ${entries[$i]}"
  done
  echo '}'
} >"$images/truth.json"
echo "wrote $(ls "$images" | wc -l) files to $images"
