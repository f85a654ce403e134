"""ShapesCam (examples/train/shapes_cam.seg) re-built in PyTorch, as an independent check of how
many steps the shapes multi-label classifier needs: the same layers (four 3x3 convolutions with
batch norm, two 2x2 max pools, a 1x1 class-map convolution, global max or average pooling), one
sigmoid per class, Adam, batch 16, random left-right flips, on a data set written by
`segc data shapes`. Prints the training loss and the mean AP on the first 300 training images
and on the validation split every STEPS/6 steps.

    /usr/bin/python3 bench/weak-supervision-shapes-torch.py DATA/train DATA/val [STEPS [gmp|gap [LR [SEED]]]]

Needs torch, numpy and Pillow (Debian: python3-torch, python3-numpy, python3-pil).
"""
import json
import sys
import time

import numpy as np
import torch
from PIL import Image
from torch import nn


def load(split):
    labels = json.load(open(f"{split}/images/labels.json"))
    names = sorted(labels)
    images = np.stack(
        [np.asarray(Image.open(f"{split}/images/{name}").convert("RGB"), dtype=np.float32) / 255 for name in names]
    )
    targets = np.zeros((len(names), 3), np.float32)
    for row, name in enumerate(names):
        for c in labels[name]["labels"]:
            targets[row, c - 1] = 1  # classes 1..3 (circle, square, triangle); background is never a label
    return torch.tensor(images).permute(0, 3, 1, 2).contiguous(), torch.tensor(targets)


def block(inputs, outputs):
    return [nn.Conv2d(inputs, outputs, 3, padding=1, bias=False), nn.BatchNorm2d(outputs), nn.ReLU()]


def average_precision(scores, truths):
    order = np.argsort(-scores)
    truths = truths[order]
    hits = np.cumsum(truths)
    precision = hits / np.arange(1, len(truths) + 1)
    return (precision * truths).sum() / truths.sum()


def main():
    train_dir, val_dir = sys.argv[1], sys.argv[2]
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
    pooling = sys.argv[4] if len(sys.argv) > 4 else "gmp"
    rate = float(sys.argv[5]) if len(sys.argv) > 5 else 0.002
    seed = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    train_x, train_y = load(train_dir)
    val_x, val_y = load(val_dir)
    net = nn.Sequential(
        *block(3, 16), nn.MaxPool2d(2), *block(16, 32), nn.MaxPool2d(2), *block(32, 64), *block(64, 64),
        nn.Conv2d(64, 3, 1),
    )
    optimizer = torch.optim.Adam(net.parameters(), lr=rate)

    def scores(x):
        maps = net(x)
        return maps.amax((2, 3)) if pooling == "gmp" else maps.mean((2, 3))

    def mean_ap(x, y):
        net.eval()
        with torch.no_grad():
            s = torch.cat([scores(x[i : i + 100]) for i in range(0, len(x), 100)]).numpy()
        net.train()
        return np.mean([average_precision(s[:, c], y[:, c].numpy()) for c in range(3)])

    started = time.time()
    for step in range(steps):
        index = torch.randint(0, len(train_x), (16,))
        x = train_x[index]
        flip = torch.rand(16) < 0.5
        x[flip] = x[flip].flip(3)
        loss = nn.functional.binary_cross_entropy_with_logits(scores(x), train_y[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (step + 1) % max(1, steps // 6) == 0:
            print(
                f"step {step + 1}  loss {loss.item():.3f}  train mAP {mean_ap(train_x[:300], train_y[:300]):.3f}"
                f"  val mAP {mean_ap(val_x, val_y):.3f}  {time.time() - started:.0f} s",
                flush=True,
            )


main()
