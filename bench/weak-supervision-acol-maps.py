"""Draws ACoL's fused maps beside the canvases they explain, for docs/weak-supervision.md.

  /usr/bin/python3 bench/weak-supervision-acol-maps.py OUT.png SPLIT COUNT NAME=DIR,WEIGHTS,TAU ...

For the first COUNT canvases of a `segc data mnist-canvas` split, one row each: the canvas with
its true box (green), then for every model the fused map of the true class, as `segc eval
--method acol` makes it (each branch's class map, after the model's ReLU where it has one, min-max
normalised per image; their maximum, upsampled bilinearly to the canvas and normalised again),
with the box of every 8-connected component of the pixels strictly above TAU of the maximum
(red), the candidates MaxBoxAccV2 scores. DIR is the model's PyTorch build (`segc build MODEL
--target pytorch -o DIR`), WEIGHTS its safetensors checkpoint.
"""
import importlib.util
import json
import os
import sys
from collections import deque

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw

SCALE = 3
SIDE = 64 * SCALE


def load_model(directory, weights):
    sys.path.insert(0, directory)
    import segc_torch  # noqa: E402 (the build's own helpers, one per build folder)

    name = next(n for n in os.listdir(directory) if n.endswith(".py") and not n.startswith(("segc_", "train")))
    spec = importlib.util.spec_from_file_location(f"model_{abs(hash(directory))}", os.path.join(directory, name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.MODEL()
    segc_torch.load_weights(model, weights)
    model.eval()
    sys.path.remove(directory)
    del sys.modules["segc_torch"]
    # A ReLU on the class maps shows in the generated source as `mapA = F.relu(mapA_conv_1)`.
    with open(os.path.join(directory, name)) as file:
        rectified = "mapA = F.relu(mapA_conv_1)" in file.read()
    return model, rectified


def normalise(maps):
    low = maps.amin(dim=(-2, -1), keepdim=True)
    return (maps - low) / (maps.amax(dim=(-2, -1), keepdim=True) - low).clamp(min=1e-12)


def fused_maps(model, rectified, images, classes):
    store = {}
    for layer in ("mapA.conv_1", "mapB.conv_1"):
        model.get_submodule(layer).register_forward_hook(lambda _m, _i, output, layer=layer: store.__setitem__(layer, output))
    with torch.no_grad():
        model(torch.from_numpy(images))
    rows = torch.arange(len(classes))
    first, second = store["mapA.conv_1"][rows, classes], store["mapB.conv_1"][rows, classes]
    if rectified:
        first, second = first.clamp(min=0), second.clamp(min=0)
    fused = torch.maximum(normalise(first), normalise(second))
    return normalise(F.interpolate(fused[:, None], size=images.shape[1:3], mode="bilinear", align_corners=False)[:, 0]).numpy()


def component_boxes(mask):
    """[x0, y0, x1, y1) of every 8-connected component of `mask`."""
    seen = np.zeros_like(mask, dtype=bool)
    height, width = mask.shape
    boxes = []
    for y, x in zip(*np.nonzero(mask)):
        if seen[y, x]:
            continue
        queue, bounds = deque([(y, x)]), [x, y, x, y]
        seen[y, x] = True
        while queue:
            cy, cx = queue.popleft()
            bounds = [min(bounds[0], cx), min(bounds[1], cy), max(bounds[2], cx), max(bounds[3], cy)]
            for ny in range(max(cy - 1, 0), min(cy + 2, height)):
                for nx in range(max(cx - 1, 0), min(cx + 2, width)):
                    if mask[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        queue.append((ny, nx))
        boxes.append((bounds[0], bounds[1], bounds[2] + 1, bounds[3] + 1))
    return boxes


def tile(values, boxes):
    """`values` in [0, 1] as grey, enlarged SCALE times, with each (box, colour) drawn on it."""
    image = Image.fromarray((np.clip(values, 0, 1) * 255).astype(np.uint8)).convert("RGB").resize((SIDE, SIDE), Image.NEAREST)
    draw = ImageDraw.Draw(image)
    for (x0, y0, x1, y1), colour in boxes:
        draw.rectangle([x0 * SCALE, y0 * SCALE, x1 * SCALE - 1, y1 * SCALE - 1], outline=colour)
    return image


def main():
    out, split, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    models = []
    for spec in sys.argv[4:]:
        name, rest = spec.split("=", 1)
        directory, weights, threshold = rest.split(",")
        models.append((name, directory, weights, float(threshold)))
    labels = json.load(open(os.path.join(split, "images", "labels.json")))
    files = sorted(labels)[:count]
    truth = json.load(open(os.path.join(split, "images", "boxes.json")))
    images = np.stack([np.asarray(Image.open(os.path.join(split, "images", f)).convert("L"), dtype=np.float32)[..., None] / 255 for f in files])
    classes = torch.tensor([labels[f]["label"] for f in files])
    columns = [(("canvas", "true box"), [images[..., 0]], None)]
    for name, directory, weights, threshold in models:
        model, rectified = load_model(directory, weights)
        columns.append(((name, f"boxes above {threshold:.3f}"), fused_maps(model, rectified, images, classes), threshold))
    header = 30
    sheet = Image.new("RGB", (len(columns) * SIDE, header + len(files) * SIDE), "white")
    draw = ImageDraw.Draw(sheet)
    for column, (title, maps, threshold) in enumerate(columns):
        for line, text in enumerate(title):
            draw.text((column * SIDE + 4, 3 + 12 * line), text, fill="black")
        for row, name in enumerate(files):
            values = maps[0][row] if threshold is None else maps[row]
            found = [] if threshold is None else [(box, (255, 40, 40)) for box in component_boxes(values > threshold)]
            image = tile(values, found + [(tuple(truth[name][0][:4]), (0, 220, 0))])
            sheet.paste(image, (column * SIDE, header + row * SIDE))
    sheet.save(out)


if __name__ == "__main__":
    main()
