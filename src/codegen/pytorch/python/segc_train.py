"""Training a segc model on PyTorch, alone or with DistributedDataParallel under torchrun.

The same training as `segc train`: data sets as `segc data` writes them, the task's loss
(pixel cross-entropy ignoring 255, softmax cross-entropy, ACoL's two branches, one sigmoid per
class with --multi-label; --loss ce/gce/sce and label smoothing for noisy labels; an image-level
loss for the images --mask-share leaves without a mask; --label-noise), L2 weight decay
(decay / 2) * sum(w^2) on convolution and dense kernels, SGD with momentum or Adam (epsilon 1e-7),
the poly or constant schedule per step, random scale-crop and horizontal flips, batch norm with
the batch's statistics. Checkpoints hold the weights as safetensors under segc's names, so
`segc eval --weights OUT/checkpoint/weights.safetensors` reads them; `--resume` continues from
the saved position (epoch, batch, step: shuffling and augmentation are functions of the seed,
the epoch and the sample, so the position is the whole random state).

The backend is nccl on GPUs and gloo on CPUs. `--batch` is the global batch: each of the
WORLD_SIZE processes trains on batch / WORLD_SIZE images per step and DDP averages gradients.
Batch-norm statistics are per process, as with plain DDP. A last batch with fewer images than
processes is left out of each epoch.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

import segc_torch as segc

IGNORE = 255
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")

# ---------------------------------------------------------------------------------------------
# Data sets, as `segc data` writes them (docs/data.md)


def _class_lists(split):
    """(image classes, mask classes) of classes.json in the split or its parent; (None, None) without one."""
    for path in (os.path.join(split, "classes.json"), os.path.join(os.path.dirname(os.path.abspath(split)), "classes.json")):
        if os.path.exists(path):
            with open(path) as file:
                value = json.load(file)
            if isinstance(value, dict):
                return value["classes"], value.get("maskClasses", value["classes"])
            return value, value
    return None, None


def _classes_file(split):
    return _class_lists(split)[0]


def _visible(names):
    return sorted(name for name in names if not name.startswith("."))


class Dataset:
    """A split folder: `images/` (+ `masks/`) for segmentation, one folder per class otherwise."""

    def __init__(self, split, task):
        try:
            from PIL import Image  # noqa: F401
        except ImportError:
            raise SystemExit("error: reading images needs Pillow: apt-get install python3-pil (or pip install pillow)")

        self.split, self.task = split, task
        self.classes, self.mask_classes = _class_lists(split)
        # Per item: its id as segc names samples (`images/NAME`, `CLASS/NAME`) and its image-level
        # label set (`labels`, else `[label]`), which --mask-share and --label-noise read.
        self.ids, self.label_sets = [], []
        if not os.path.isdir(split):
            raise SystemExit(f"error: {split} is not a data set folder")
        images = os.path.join(split, "images")
        if os.path.isdir(images):
            masks = os.path.join(split, "masks")
            labels = {}
            if os.path.exists(os.path.join(images, "labels.json")):
                with open(os.path.join(images, "labels.json")) as file:
                    labels = json.load(file)
            self.items = []
            for name in _visible(os.listdir(images)):
                if not name.lower().endswith(IMAGE_SUFFIXES):
                    continue
                stem = os.path.splitext(name)[0]
                mask = os.path.join(masks, stem + ".png") if os.path.isdir(masks) else None
                label = labels.get(name)
                entry = label if isinstance(label, dict) else ({"label": label} if label is not None else {})
                self.ids.append(f"images/{name}")
                self.label_sets.append(entry.get("labels", [entry["label"]] if "label" in entry else []))
                if isinstance(label, dict):
                    label = label.get("labels", [label["label"]] if "label" in label else None) if task.get("multiLabel") else label.get("label")
                elif label is not None and task.get("multiLabel"):
                    label = [label]
                self.items.append((os.path.join(images, name), mask, label))
        else:
            classes = _classes_file(split) or _visible(n for n in os.listdir(split) if os.path.isdir(os.path.join(split, n)))
            self.items = []
            for index, name in enumerate(classes):
                folder = os.path.join(split, name)
                if not os.path.isdir(folder):
                    continue
                for file in _visible(os.listdir(folder)):
                    if file.lower().endswith(IMAGE_SUFFIXES):
                        self.items.append((os.path.join(folder, file), None, [index] if task.get("multiLabel") else index))
            self.items.sort(key=lambda item: os.path.relpath(item[0], split))
            self.ids = [os.path.relpath(item[0], split).replace(os.sep, "/") for item in self.items]
            self.label_sets = [item[2] if isinstance(item[2], list) else [item[2]] for item in self.items]
        if not self.items:
            raise SystemExit(f"error: {split} holds no images")
        if task["kind"] == "segmentation" and any(mask is None for _, mask, _ in self.items):
            raise SystemExit(f"error: {split} has no masks/ folder; a segmentation model trains on masks")
        if task["kind"] != "segmentation" and any(label is None for _, _, label in self.items):
            raise SystemExit(f"error: {split} has images without a class label")

    def __len__(self):
        return len(self.items)

    def load(self, index):
        from PIL import Image

        path, mask_path, label = self.items[index]
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
        mask = None
        if mask_path is not None:
            with Image.open(mask_path) as image:
                mask = np.asarray(image if image.mode in ("P", "L") else image.convert("RGB"))
            mask = (mask[..., 0] if mask.ndim == 3 else mask).astype(np.uint8)
        return pixels, mask, label


# ---------------------------------------------------------------------------------------------
# Weak supervision, as src/train/weak.ts: the same images keep their masks (--mask-share) and
# the same images get the same wrong labels (--label-noise) as in `segc train` with the same seed,
# since both are chosen by the same hash of the seed and the sample id.


def hash_string(text):
    """32-bit FNV-1a over the UTF-16 code units of `text` (segc's hashString)."""
    value = 0x811C9DC5
    units = text.encode("utf-16-le")
    for index in range(0, len(units), 2):
        value ^= units[index] | (units[index + 1] << 8)
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value


def _number(value):
    """A number as JavaScript's String() writes it (1, not 1.0), for the hashed keys."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def keeps_mask(sample_id, share, seed):
    return share >= 1 or hash_string(f"{_number(seed)}:mask-share:{sample_id}") / 2**32 < share


def corrupts_labels(sample_id, rate, seed):
    return rate > 0 and hash_string(f"{_number(seed)}:label-noise:{sample_id}") / 2**32 < rate


def other_class(label, first, count, seed, sample_id, salt=0):
    """A class other than `label` among first..count-1, uniform over the others, fixed by (seed, id, salt)."""
    others = count - first - 1
    if others < 1 or label < first or label >= count:
        return label
    step = 1 + hash_string(f"{_number(seed)}:label-noise-class:{_number(salt)}:{sample_id}") % others
    return first + (label - first + step) % (others + 1)


def noisy_labels(sample_id, label, label_set, mask, classes, mask_classes, rate, seed):
    """The sample's label, label set and mask, wrong as a whole when it is among the share `rate`."""
    if not corrupts_labels(sample_id, rate, seed):
        return label, label_set, mask
    if label is not None and not isinstance(label, list):
        label = other_class(label, 0, classes, seed, sample_id)
    label_set = sorted({other_class(value, 0, classes, seed, sample_id, value) for value in label_set})
    if isinstance(label, list):
        label = label_set
    if mask is not None:
        mapping = np.arange(256, dtype=np.uint8)
        for value in range(1, 255):
            mapping[value] = other_class(value, 1, mask_classes, seed, sample_id, value)
        mask = mapping[mask]
    return label, label_set, mask


def mask_class_of(label, classes, mask_classes):
    """The mask class of an image class: the one of the same name, else 1 with two mask classes."""
    name = classes[label] if classes is not None and 0 <= label < len(classes) else None
    if mask_classes is None:
        return label
    if name in mask_classes:
        return mask_classes.index(name)
    if len(mask_classes) == 2:
        return 1
    raise SystemExit(f"error: the class `{name}` has no mask class of the same name (mask classes: {', '.join(mask_classes)})")


# ---------------------------------------------------------------------------------------------
# Augmentation: a random scale then a crop to the model's input, and flips; images bilinear,
# masks nearest with 255 outside, as segc's `resampleSample`.


def _taps(count, offset, scale, size):
    position = np.clip((np.arange(count) + offset + 0.5) / scale - 0.5, 0, size - 1)
    low = np.floor(position).astype(np.int64)
    return low, np.minimum(low + 1, size - 1), position - low


def resample(image, mask, window):
    scale_y, scale_x, scaled_h, scaled_w, top, left, height, width = window
    rows, columns = np.arange(height) + top, np.arange(width) + left
    inside = ((rows >= 0) & (rows < scaled_h))[:, None] & ((columns >= 0) & (columns < scaled_w))[None, :]
    low_y, high_y, dy = _taps(height, top, scale_y, image.shape[0])
    low_x, high_x, dx = _taps(width, left, scale_x, image.shape[1])
    upper = image[low_y][:, low_x] + (image[low_y][:, high_x] - image[low_y][:, low_x]) * dx[None, :, None]
    lower = image[high_y][:, low_x] + (image[high_y][:, high_x] - image[high_y][:, low_x]) * dx[None, :, None]
    out = (upper + (lower - upper) * dy[:, None, None]).astype(np.float32)
    out[~inside] = 0
    if mask is not None:
        near_y = np.minimum(np.floor((np.arange(height) + top + 0.5) / scale_y), mask.shape[0] - 1).astype(np.int64)
        near_x = np.minimum(np.floor((np.arange(width) + left + 0.5) / scale_x), mask.shape[1] - 1).astype(np.int64)
        mask = mask[np.clip(near_y, 0, None)][:, np.clip(near_x, 0, None)].copy()
        mask[~inside] = IGNORE
    return out, mask


def resize_window(height, width, to_height, to_width):
    return (to_height / height, to_width / width, to_height, to_width, 0, 0, to_height, to_width)


def augment(image, mask, random, crop, flip):
    if crop is not None:
        (height, width), (low, high) = crop
        scale = random.uniform(low, high)
        scaled_h = max(1, round(image.shape[0] * scale))
        scaled_w = max(1, round(image.shape[1] * scale))

        def offset(slack):
            return int(random.integers(0, slack + 1)) if slack >= 0 else -int(random.integers(0, -slack + 1))

        window = (scaled_h / image.shape[0], scaled_w / image.shape[1], scaled_h, scaled_w, offset(scaled_h - height), offset(scaled_w - width), height, width)
        image, mask = resample(image, mask, window)
    if flip and random.random() < 0.5:
        image = image[:, ::-1].copy()
        mask = mask[:, ::-1].copy() if mask is not None else None
    return image, mask


# ---------------------------------------------------------------------------------------------
# Losses, decay, optimizers and the schedule, as src/train/


def pixel_cross_entropy(logits, masks):
    """logits [N, H, W, C], masks [N, H, W]; mean over pixels not marked 255; 0 when none count."""
    total = F.cross_entropy(logits.permute(0, 3, 1, 2), masks.long(), ignore_index=IGNORE, reduction="sum")
    return total / (masks != IGNORE).sum().clamp(min=1)


SCE_LOG_ZERO = -4.0
LSE_POOLING_R = 5.0


def position_losses(logits, labels, loss):
    """The loss of every position (pixel or image), logits [..., C], labels [...] in range:
    `ce` against (1 - eps) onehot + eps / C, `gce` (1 - p_y^q) / q, `sce` alpha CE + beta 4 (1 - p_y)."""
    log_probabilities = F.log_softmax(logits, dim=-1)
    picked = log_probabilities.gather(-1, labels.unsqueeze(-1)).squeeze(-1)
    kind = loss.get("kind", "ce")
    if kind == "gce":
        q = loss.get("q", 0.7)
        return (1 - torch.exp(picked * q)) / q
    if kind == "sce":
        reverse = (1 - torch.exp(picked)) * -SCE_LOG_ZERO
        return -picked * loss.get("alpha", 0.1) + reverse * loss.get("beta", 1.0)
    smoothing = loss.get("smoothing", 0.0)
    if smoothing == 0:
        return -picked
    return -((1 - smoothing) * picked + smoothing / logits.shape[-1] * log_probabilities.sum(dim=-1))


def robust_loss(logits, labels, loss, ignore=IGNORE):
    """`position_losses` averaged over the positions whose label is not `ignore` (0 when none is)."""
    counted = labels != ignore
    losses = position_losses(logits, torch.where(counted, labels, torch.zeros_like(labels)).long(), loss)
    weights = counted.to(losses.dtype)
    return (losses * weights).sum() / weights.sum().clamp(min=1)


def image_level_loss(logits, targets, weights, class_mask, r=LSE_POOLING_R):
    """Images without a mask: per-pixel logits [N, H, W, C] pooled per class by log-sum-exp pooling,
    (1/r) log(mean exp(r z)), scored with one sigmoid per class against the image's classes
    (background left out by `class_mask`), averaged over those images (`weights` 1)."""
    height, width = logits.shape[1], logits.shape[2]
    pooled = (torch.logsumexp(logits * r, dim=(1, 2)) - np.log(height * width)) / r
    per_class = F.binary_cross_entropy_with_logits(pooled, targets, reduction="none")
    per_image = (per_class * class_mask).sum(dim=1) / class_mask.sum().clamp(min=1)
    return (per_image * weights).sum() / weights.sum().clamp(min=1)


def task_loss(task, outputs, batch):
    """The task loss; `task["loss"]` ({"kind", "smoothing", "q", "alpha", "beta"}) selects a loss
    for noisy labels and `task["imageLabelWeight"]` weighs the image-level loss."""
    logits = outputs[task["outputs"][0]]
    loss = task.get("loss")
    if task["kind"] == "segmentation":
        pixels = robust_loss(logits, batch["masks"], loss) if loss else pixel_cross_entropy(logits, batch["masks"])
        if "imageLevel" not in batch:
            return pixels
        targets, weights, class_mask = batch["imageLevel"]
        return pixels + image_level_loss(logits, targets, weights, class_mask) * task.get("imageLabelWeight", 1.0)
    if "targets" in batch:
        # One sigmoid per class against multi-hot targets (smoothed towards 1/2), mean over images and classes.
        smoothing = (loss or {}).get("smoothing", 0.0)
        return F.binary_cross_entropy_with_logits(logits, batch["targets"] * (1 - smoothing) + smoothing / 2)
    if task["kind"] == "acol":
        return F.cross_entropy(logits, batch["labels"].long()) + F.cross_entropy(outputs[task["outputs"][1]], batch["labels"].long())
    if loss:
        return robust_loss(logits, batch["labels"].long(), loss, ignore=-1)
    return F.cross_entropy(logits, batch["labels"].long())


def decayed(model):
    """The kernels L2 weight decay applies to (convolution and dense)."""
    return [p for name, p in model.named_parameters() if name.rsplit(".", 1)[-1] in ("kernel", "depthwiseKernel", "pointwiseKernel")]


def weight_decay_loss(kernels, decay):
    if decay == 0 or not kernels:
        return torch.zeros(())
    return sum((kernel * kernel).sum() for kernel in kernels) * (decay / 2)


def make_optimizer(parameters, name, learning_rate, momentum=0.9):
    if name == "sgd":
        return torch.optim.SGD(parameters, lr=learning_rate, momentum=momentum)
    return torch.optim.Adam(parameters, lr=learning_rate, betas=(0.9, 0.999), eps=1e-7)


def learning_rate_at(schedule, base, step, total):
    if schedule == "constant":
        return base
    return 0.0 if total <= 0 or step >= total else base * (1 - step / total) ** 0.9


def forward(model, task, batch):
    if task["kind"] == "acol":
        return model(batch["images"], target_classes=batch["labels"])
    return model(batch["images"])


def training_step(model, task, optimizer, batch, learning_rate, weight_decay, kernels=None):
    """One step: the task loss plus decay, differentiated; the optimizer's update. Returns the task loss."""
    model.train()
    for group in optimizer.param_groups:
        group["lr"] = learning_rate
    optimizer.zero_grad(set_to_none=True)
    outputs = forward(model, task, batch)
    loss = task_loss(task, outputs, batch)
    decay = weight_decay_loss(kernels if kernels is not None else decayed(model), weight_decay)
    (loss + decay.to(loss.device)).backward()
    optimizer.step()
    return loss.detach(), outputs[task["outputs"][0]].detach()


# ---------------------------------------------------------------------------------------------
# The run


def _parse(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", required=True, help="the training split, as `segc data` writes it")
    parser.add_argument("--val", help="a validation split, scored after every epoch (on the first process)")
    parser.add_argument("--out", default="runs/pytorch", help="checkpoints and the training state")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=16, help="the global batch, split across processes")
    parser.add_argument("--lr", type=float)
    parser.add_argument("--optimizer", choices=["sgd", "adam"], default="adam")
    parser.add_argument("--schedule", choices=["poly", "constant"], default="poly")
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--flip", action="store_true")
    parser.add_argument("--scale-crop", help="LOW,HIGH: random scale then crop to the input size")
    parser.add_argument("--weights", help="start from these weights (safetensors)")
    parser.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint")
    parser.add_argument("--multi-label", action="store_true", help="image-level label sets (labels.json), one sigmoid per class")
    parser.add_argument("--max-steps", type=int, help="stop after this many steps in this run (a checkpoint is written); --resume continues")
    parser.add_argument("--loss", choices=["ce", "gce", "sce"], help="the loss for noisy labels (default ce)")
    parser.add_argument("--label-smoothing", type=float, default=0.0, help="ce: targets (1 - e) onehot + e / C")
    parser.add_argument("--gce-q", type=float, default=0.7)
    parser.add_argument("--sce-alpha", type=float, default=0.1)
    parser.add_argument("--sce-beta", type=float, default=1.0)
    parser.add_argument("--mask-share", type=float, help="segmentation: the share of training images that keep their masks; the others train on their image labels")
    parser.add_argument("--image-label-weight", type=float, default=1.0, help="weight of the image-level loss of the images without a mask")
    parser.add_argument("--label-noise", type=float, default=0.0, help="make the labels of this share of the training images wrong")
    args = parser.parse_args()
    for name in ("mask_share", "label_noise", "label_smoothing"):
        value = getattr(args, name)
        if value is not None and not (0 <= value <= 1 and (name != "label_smoothing" or value < 1)):
            parser.error(f"--{name.replace('_', '-')} must be in [0, 1{')' if name == 'label_smoothing' else ']'}, got {value}")
    if not (0 < args.gce_q <= 1):
        parser.error(f"--gce-q must be in (0, 1], got {args.gce_q}")
    if args.lr is None:
        args.lr = 1e-3 if args.optimizer == "adam" else 1e-2
    if args.scale_crop:
        low, high = (float(part) for part in args.scale_crop.split(","))
        if not (0 < low <= high):
            parser.error(f"--scale-crop expects LOW,HIGH with 0 < LOW <= HIGH, got {args.scale_crop}")
        args.scale_crop = (low, high)
    return args


def _distributed():
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        return 0, 1, device
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    dist.init_process_group(backend)
    local = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device(f"cuda:{local}") if backend == "nccl" else torch.device("cpu")
    if backend == "nccl":
        torch.cuda.set_device(device)
    return dist.get_rank(), dist.get_world_size(), device


def _load_batch(dataset, indices, args, epoch, input_spec, task, device, augmenting=True):
    images, masks, labels, label_sets = [], [], [], []
    noise = getattr(args, "label_noise", 0) if augmenting else 0
    share = getattr(args, "mask_share", None) if augmenting else None
    for index in indices:
        image, mask, label = dataset.load(index)
        label_set = list(dataset.label_sets[index])
        if noise:
            count = len(dataset.classes) if dataset.classes is not None else task["classes"]
            mask_count = len(dataset.mask_classes) if dataset.mask_classes is not None else task["classes"]
            label, label_set, mask = noisy_labels(dataset.ids[index], label, label_set, mask, count, mask_count, noise, args.seed)
        if task["kind"] == "segmentation" and share is not None and not keeps_mask(dataset.ids[index], share, args.seed):
            mask = np.full_like(mask, IGNORE)
        height = input_spec.get("height") or image.shape[0]
        width = input_spec.get("width") or image.shape[1]
        if augmenting:
            random = np.random.default_rng([args.seed, epoch, index])
            crop = ((height, width), args.scale_crop) if args.scale_crop else None
            image, mask = augment(image, mask, random, crop, args.flip)
        if image.shape[:2] != (height, width):
            image, mask = resample(image, mask, resize_window(image.shape[0], image.shape[1], height, width))
        if input_spec["channels"] == 1:
            image = image.mean(axis=2, keepdims=True)
        images.append(image)
        masks.append(mask)
        labels.append(label)
        label_sets.append(label_set)
    batch = {"images": torch.from_numpy(np.stack(images)).to(device)}
    if task["kind"] == "segmentation":
        batch["masks"] = torch.from_numpy(np.stack(masks).astype(np.int64)).to(device)
        maskless = [bool((mask == IGNORE).all()) for mask in masks]
        if share is not None and share < 1 and any(maskless):
            # Images without a mask train through their image-level labels, mapped to mask classes.
            targets = np.zeros((len(masks), task["classes"]), dtype=np.float32)
            for row, present in enumerate(label_sets):
                for value in present:
                    targets[row, mask_class_of(value, dataset.classes, dataset.mask_classes)] = 1
            class_mask = np.ones(task["classes"], dtype=np.float32)
            class_mask[0] = 0
            batch["imageLevel"] = (torch.from_numpy(targets).to(device), torch.tensor(maskless, dtype=torch.float32, device=device),
                                   torch.from_numpy(class_mask).to(device))
    elif task.get("multiLabel"):
        targets = np.zeros((len(labels), task["classes"]), dtype=np.float32)
        for row, present in enumerate(labels):
            targets[row, present] = 1
        batch["targets"] = torch.from_numpy(targets).to(device)
    else:
        batch["labels"] = torch.tensor(labels, dtype=torch.int64, device=device)
    return batch


def validate(model, dataset, task, input_spec, device, args):
    """Scores on a validation split, as segc eval computes them: mIoU (classes absent from both
    truth and prediction left out), pixel accuracy and mean class accuracy, or top-1."""
    model.eval()
    classes = task["classes"]
    confusion = np.zeros((classes, classes), dtype=np.int64)
    with torch.no_grad():
        for start in range(0, len(dataset), args.batch):
            batch = _load_batch(dataset, range(start, min(start + args.batch, len(dataset))), args, 0, input_spec, task, device, augmenting=False)
            logits = model(batch["images"])[task["outputs"][0]]
            predicted = logits.argmax(dim=-1).cpu().numpy().reshape(-1)
            truth = (batch["masks"] if task["kind"] == "segmentation" else batch["labels"]).cpu().numpy().reshape(-1)
            counted = truth != IGNORE
            np.add.at(confusion, (truth[counted], predicted[counted]), 1)
    model.train()
    hits = np.diag(confusion).astype(np.float64)
    if task["kind"] != "segmentation":
        return {"top1": float(hits.sum() / max(confusion.sum(), 1))}
    union = confusion.sum(axis=0) + confusion.sum(axis=1) - hits
    truth_pixels = confusion.sum(axis=1)
    present = union > 0
    return {
        "mIoU": float((hits[present] / union[present]).mean()) if present.any() else None,
        "pixelAccuracy": float(hits.sum() / max(confusion.sum(), 1)),
        "meanClassAccuracy": float((hits[truth_pixels > 0] / truth_pixels[truth_pixels > 0]).mean()) if (truth_pixels > 0).any() else None,
    }


def _save_checkpoint(out, model, optimizer, state):
    folder = os.path.join(out, "checkpoint")
    os.makedirs(folder, exist_ok=True)
    segc.save_weights(model, os.path.join(folder, "weights.safetensors"), {"model": state["model"], "step": state["step"]})
    temporary = os.path.join(folder, f"optimizer.pt.{os.getpid()}.partial")
    torch.save(optimizer.state_dict(), temporary)
    os.replace(temporary, os.path.join(folder, "optimizer.pt"))
    temporary = os.path.join(folder, f"train-state.json.{os.getpid()}.partial")
    with open(temporary, "w") as file:
        json.dump(state, file, indent=2)
    os.replace(temporary, os.path.join(folder, "train-state.json"))


def _finish_epoch(args, model, optimizer, state, validation, task, input_spec, device, rank, world):
    """The epoch's mean loss and validation scores (first process), then a checkpoint."""
    losses = [entry["loss"] for entry in state["history"] if entry["epoch"] == state["epoch"] + 1]
    record = {"epoch": state["epoch"] + 1, "loss": float(np.mean(losses)) if losses else None, "step": state["step"]}
    if validation is not None:
        record["validation"] = validate(model, validation, task, input_spec, device, args)
    state["epoch"] += 1
    state["batchInEpoch"] = 0
    if rank == 0:
        state["epochs"].append(record)
        scores = "".join(f" {key} {value:.4f}" for key, value in record.get("validation", {}).items() if value is not None)
        print(f"epoch {record['epoch']}/{args.epochs} loss {record['loss']:.6f}{scores}", flush=True)
        _save_checkpoint(args.out, model, optimizer, state)
    if world > 1:
        dist.barrier()


def main(model_class, task, input_spec):
    args = _parse(f"Trains {model_class.__name__} ({task['kind']}) with DistributedDataParallel.")
    rank, world, device = _distributed()
    if args.batch % world != 0:
        raise SystemExit(f"error: --batch {args.batch} is not a multiple of the {world} processes")
    torch.manual_seed(args.seed)
    task = dict(task, multiLabel=args.multi_label)
    if args.multi_label and task["kind"] != "classification":
        raise SystemExit(f"error: --multi-label trains classifiers; this model is trained for {task['kind']}")
    if args.mask_share is not None and task["kind"] != "segmentation":
        raise SystemExit(f"error: --mask-share trains segmentation models; this model is trained for {task['kind']}")
    if args.loss or args.label_smoothing:
        task["loss"] = {"kind": args.loss or "ce", "smoothing": args.label_smoothing, "q": args.gce_q, "alpha": args.sce_alpha, "beta": args.sce_beta}
    task["imageLabelWeight"] = args.image_label_weight
    dataset = Dataset(args.data, task)
    model = model_class()
    if args.weights:
        try:
            segc.load_weights(model, args.weights)
        except (OSError, ValueError) as error:
            raise SystemExit(f"error: {error}")
    model.to(device)
    parallel = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None) if world > 1 else model
    optimizer = make_optimizer(parallel.parameters(), args.optimizer, args.lr, args.momentum)
    # Every process takes part in every step: a last batch too small to give each one an image is left out.
    batches = len(dataset) // args.batch + (1 if len(dataset) % args.batch >= world else 0)
    total = args.epochs * batches
    config = {key: value for key, value in vars(args).items() if key not in ("resume", "max_steps", "out", "weights")}
    state = {"format": "segc-pytorch-train-state", "version": 1, "model": model_class.__name__, "config": config, "world": world,
             "epoch": 0, "batchInEpoch": 0, "step": 0, "history": [], "epochs": []}
    validation = Dataset(args.val, task) if args.val and rank == 0 else None
    if args.resume:
        folder = os.path.join(args.out, "checkpoint")
        try:
            with open(os.path.join(folder, "train-state.json")) as file:
                saved = json.load(file)
            segc.load_weights(model, os.path.join(folder, "weights.safetensors"))
            optimizer.load_state_dict(torch.load(os.path.join(folder, "optimizer.pt"), map_location=device))
        except (OSError, ValueError) as error:
            raise SystemExit(f"error: cannot resume from {folder}: {error}\nhint: resume with the --out of a run that wrote a checkpoint")
        if saved.get("format") != "segc-pytorch-train-state" or saved.get("model") != model_class.__name__:
            raise SystemExit(f"error: {folder} holds no checkpoint of {model_class.__name__}")
        state.update({key: saved[key] for key in ("epoch", "batchInEpoch", "step", "history", "epochs")})
    kernels = decayed(model)
    steps_here = 0
    started = time.time()
    stopped = False
    while state["epoch"] < args.epochs and not stopped:
        order = np.random.default_rng([args.seed, state["epoch"]]).permutation(len(dataset))
        while state["batchInEpoch"] < batches:
            if args.max_steps is not None and steps_here >= args.max_steps:
                stopped = True
                break
            chosen = order[state["batchInEpoch"] * args.batch:(state["batchInEpoch"] + 1) * args.batch]
            batch = _load_batch(dataset, chosen[rank::world], args, state["epoch"], input_spec, task, device)
            rate = learning_rate_at(args.schedule, args.lr, state["step"], total)
            loss, _ = training_step(parallel, task, optimizer, batch, rate, args.weight_decay, kernels)
            if world > 1:
                dist.all_reduce(loss)
                loss /= world
            value = float(loss)
            if not np.isfinite(value):
                raise SystemExit(f"error: the loss became {value} at step {state['step'] + 1}; lower the learning rate (--lr)")
            state["step"] += 1
            state["batchInEpoch"] += 1
            state["history"].append({"step": state["step"], "epoch": state["epoch"] + 1, "loss": value, "learningRate": rate})
            steps_here += 1
            if rank == 0:
                print(f"step {state['step']}/{total} epoch {state['epoch'] + 1}/{args.epochs} loss {value:.6f} lr {rate:.6g} "
                      f"({steps_here * args.batch / (time.time() - started):.1f} images/s on {world} process{'es' if world > 1 else ''})", flush=True)
        if not stopped:
            _finish_epoch(args, model, optimizer, state, validation, task, input_spec, device, rank, world)
    if rank == 0:
        _save_checkpoint(args.out, model, optimizer, state)
        print(f"checkpoint: {os.path.join(args.out, 'checkpoint', 'weights.safetensors')} (step {state['step']})", flush=True)
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()
