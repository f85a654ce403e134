"""Diagnostics of the localisation maps behind docs/weak-supervision.md, on a PyTorch build of a
segc model (`segc build MODEL --target pytorch -o DIR`) and its trained weights.

  /usr/bin/python3 bench/weak-supervision-diagnose.py acol DIR WEIGHTS CANVAS_SPLIT
      ACoL on mnist-canvas: for branch A, branch B and the fused map (each branch min-max
      normalised per image, then the maximum, as `--method acol`), of the true class, upsampled
      bilinearly to 64x64: the best threshold's share of boxes at IoU 0.3/0.5/0.7 with the true
      box (one box around every pixel above the threshold), the median ratio of its area to the
      true box's, the mean offset of its centre; and the same for an oracle map, the true stroke
      mask averaged down to 16x16, as ACoL's maps are.
  /usr/bin/python3 bench/weak-supervision-diagnose.py cam DIR WEIGHTS SHAPES_SPLIT
      ShapesCam on shapes: for every class an image is labelled with, the mean of its
      normalised class map on that class's pixels and elsewhere, and whether the map's peak
      lies on that class.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

kind, directory, weights, split = sys.argv[1:5]
sys.path.insert(0, directory)
import segc_torch  # noqa: E402

torch.set_num_threads(1)
module_file = next(name for name in os.listdir(directory) if name.endswith(".py") and not name.startswith(("segc_", "train")))
module = __import__(module_file[:-3])
model = module.MODEL()
segc_torch.load_weights(model, weights)
model.eval()
labels = json.load(open(os.path.join(split, "images", "labels.json")))
files = sorted(labels)


def load(name, mode):
    return np.asarray(Image.open(name).convert(mode), dtype=np.float32) / 255


def normalise(maps):
    low = maps.amin(dim=(-2, -1), keepdim=True)
    return (maps - low) / (maps.amax(dim=(-2, -1), keepdim=True) - low).clamp(min=1e-12)


def upsample(maps, size):
    return normalise(F.interpolate(maps[:, None], size=size, mode="bilinear", align_corners=False)[:, 0]).numpy()


def boxes_at(maps, truth, threshold):
    ious, ratios, offsets = [], [], []
    for values, (x0, y0, x1, y1) in zip(maps, truth):
        rows, columns = np.nonzero(values >= threshold)
        if len(rows) == 0:
            ious.append(0.0), ratios.append(0.0), offsets.append((0.0, 0.0))
            continue
        bx0, by0, bx1, by1 = columns.min(), rows.min(), columns.max() + 1, rows.max() + 1
        overlap = max(0, min(bx1, x1) - max(bx0, x0)) * max(0, min(by1, y1) - max(by0, y0))
        area, true_area = (bx1 - bx0) * (by1 - by0), (x1 - x0) * (y1 - y0)
        ious.append(overlap / (area + true_area - overlap))
        ratios.append(area / true_area)
        offsets.append(((bx0 + bx1 - x0 - x1) / 2, (by0 + by1 - y0 - y1) / 2))
    return np.array(ious), np.array(ratios), np.array(offsets)


def box_report(name, maps, truth):
    best = None
    for threshold in np.arange(0, 1, 0.01):
        ious, ratios, offsets = boxes_at(maps, truth, threshold)
        levels = [float(np.mean(ious >= delta)) for delta in (0.3, 0.5, 0.7)]
        if best is None or np.mean(levels) > best[0]:
            best = (float(np.mean(levels)), threshold, levels, float(np.median(ratios)), offsets.mean(axis=0), float(ious.mean()))
    score, threshold, levels, ratio, offset, iou = best
    print(f"{name}: mean over IoU 0.3/0.5/0.7 {score:.3f} at threshold {threshold:.2f} ({', '.join(f'{v:.3f}' for v in levels)}); "
          f"mean IoU {iou:.3f}; box area / true area (median) {ratio:.2f}; centre offset x {offset[0]:+.2f} y {offset[1]:+.2f} px")


store = {}
if kind == "acol":
    for layer in ("mapA.conv_1", "mapB.conv_1"):
        model.get_submodule(layer).register_forward_hook(lambda _m, _i, output, layer=layer: store.__setitem__(layer, output))
    images = np.stack([load(os.path.join(split, "images", name), "L")[..., None] for name in files])
    truth = json.load(open(os.path.join(split, "images", "boxes.json")))
    truth = np.array([truth[name][0][:4] for name in files], dtype=np.float64)
    classes = torch.tensor([labels[name]["label"] for name in files])
    with torch.no_grad():
        outputs = model(torch.from_numpy(images))
    rows = torch.arange(len(files))
    first, second = store["mapA.conv_1"][rows, classes], store["mapB.conv_1"][rows, classes]
    size = images.shape[1:3]
    print(f"top-1 of branch A: {float((outputs['logitsA'].argmax(1) == classes).float().mean()):.3f} on {len(files)} images")
    box_report("branch A", upsample(first, size), truth)
    box_report("branch B", upsample(second, size), truth)
    box_report("fused (max of the normalised branches)", upsample(torch.maximum(normalise(first), normalise(second)), size), truth)
    strokes = torch.from_numpy(np.stack([np.asarray(Image.open(os.path.join(split, "masks", name))) > 0 for name in files]).astype(np.float32))
    box_report("oracle: true strokes averaged to 16x16", upsample(F.adaptive_avg_pool2d(strokes[:, None], 16)[:, 0], size), truth)
elif kind == "cam":
    model.get_submodule("logits.conv").register_forward_hook(lambda _m, _i, output: store.__setitem__("cam", output))
    images = np.stack([load(os.path.join(split, "images", name), "RGB") for name in files])
    masks = np.stack([np.asarray(Image.open(os.path.join(split, "masks", os.path.splitext(name)[0] + ".png"))) for name in files])
    with torch.no_grad():
        model(torch.from_numpy(images))
    maps = F.interpolate(store["cam"], size=images.shape[1:3], mode="bilinear", align_corners=False)
    inside, elsewhere, peaks, count = [], [], 0, 0
    for index, name in enumerate(files):
        for value in labels[name]["labels"]:
            values = normalise(maps[index, value]).numpy()
            inside.append(values[masks[index] == value].mean())
            elsewhere.append(values[masks[index] != value].mean())
            row, column = np.unravel_index(values.argmax(), values.shape)
            peaks += int(masks[index][row, column] == value)
            count += 1
    print(f"normalised class map: mean {np.mean(inside):.3f} on its class's pixels, {np.mean(elsewhere):.3f} elsewhere; "
          f"peak on its class in {peaks} of {count} (image, class) pairs")
else:
    raise SystemExit("usage: weak-supervision-diagnose.py acol|cam DIR WEIGHTS SPLIT")
