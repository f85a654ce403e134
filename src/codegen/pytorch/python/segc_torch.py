"""segc's layers, weights and training for PyTorch.

Written beside every module that `segc build --target pytorch` generates. Feature maps run
channels-first (NCHW) inside a model; models take and return segc's layout (NHWC), so a model
reads the same arrays as segc. Every weight keeps segc's name and segc's layout (a convolution
kernel is [kh, kw, in, out]); each layer views its kernel in PyTorch's layout when it runs, so a
state_dict saved here is read by segc as it is.

The numerics follow segc's executor: TensorFlow's `same` padding (the odd pixel after), resizing
by the interpolation weights of tfjs's kernels, batch norm with Keras momentum (0.9 here is 0.1
in PyTorch), ACoL erasing with a constant mask.
"""
import contextlib
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# ---------------------------------------------------------------------------------------------
# Weights: safetensors, read and written here because Debian's torch comes without the package.
# The format: an 8-byte little-endian header length, a JSON header {name: {dtype, shape,
# data_offsets}}, then the raw little-endian data.

_DTYPES = {"F32": (np.float32, torch.float32), "I32": (np.int32, torch.int32), "I64": (np.int64, torch.int64)}
_NAMES = {torch.float32: "F32", torch.int32: "I32", torch.int64: "I64"}


def segc_name(key):
    """The segc weight name of a state_dict key: `enc.aspp.conv.kernel` -> `enc/aspp/conv/kernel`."""
    return key.replace(".", "/")


def torch_key(name):
    return name.replace("/", ".")


def read_safetensors(path):
    """The tensors of a safetensors file by key."""
    with open(path, "rb") as file:
        data = file.read()
    if len(data) < 8:
        raise ValueError(f"{path} is not a safetensors file: it is {len(data)} bytes long")
    length = int.from_bytes(data[:8], "little")
    if length > len(data) - 8:
        raise ValueError(f"{path} is not a safetensors file: its header claims {length} bytes")
    header = json.loads(data[8:8 + length].decode("utf-8"))
    body = memoryview(data)[8 + length:]
    tensors = {}
    for key, entry in header.items():
        if key == "__metadata__":
            continue
        if entry["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor {key} has dtype {entry['dtype']}; segc reads F32, I32 and I64")
        start, end = entry["data_offsets"]
        array = np.frombuffer(body[start:end], dtype=_DTYPES[entry["dtype"]][0]).reshape(entry["shape"])
        tensors[key] = torch.from_numpy(array.copy())
    return tensors


def write_safetensors(path, tensors, metadata=None):
    """Writes tensors by key, in key order; written beside `path` and renamed, so never half-written."""
    header, chunks, offset = {}, [], 0
    for key in sorted(tensors):
        tensor = tensors[key].detach().to("cpu").contiguous()
        raw = tensor.numpy().astype(tensor.numpy().dtype.newbyteorder("<"), copy=False).tobytes()
        header[key] = {"dtype": _NAMES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    temporary = f"{path}.{os.getpid()}.partial"
    with open(temporary, "wb") as file:
        file.write(len(text).to_bytes(8, "little"))
        file.write(text)
        for chunk in chunks:
            file.write(chunk)
    os.replace(temporary, path)


def load_weights(model, path):
    """Loads a safetensors file saved from this model's state_dict (or by segc); names must match exactly."""
    tensors = read_safetensors(path)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    extra = sorted(set(tensors) - set(expected))
    if missing or extra:
        shown = [f"missing {segc_name(k)}" for k in missing[:5]] + [f"not in the model: {segc_name(k)}" for k in extra[:5]]
        raise ValueError(f"{path} does not fit {type(model).__name__}: " + "; ".join(shown))
    for key, tensor in tensors.items():
        if tuple(tensor.shape) != tuple(expected[key].shape):
            raise ValueError(f"{path}: weight {segc_name(key)} has shape {list(tensor.shape)}, the model declares {list(expected[key].shape)}")
    model.load_state_dict(tensors)


def save_weights(model, path, metadata=None):
    write_safetensors(path, {key: value for key, value in model.state_dict().items()}, metadata)


# ---------------------------------------------------------------------------------------------
# Layout


def channels_first(x):
    """NHWC (segc) -> NCHW; other ranks unchanged."""
    return x.permute(0, 3, 1, 2) if x.dim() == 4 else x


def channels_last(x):
    """NCHW -> NHWC (segc); other ranks unchanged."""
    return x.permute(0, 2, 3, 1).contiguous() if x.dim() == 4 else x


def axis(value, rank):
    """The PyTorch axis of segc's axis `value` of a tensor of `rank` (4-D maps are NCHW here)."""
    value = value + rank if value < 0 else value
    return (0, 2, 3, 1)[value] if rank == 4 else value


# ---------------------------------------------------------------------------------------------
# Blocks: a model and each block call are a `Block`; layers are registered under their path in
# the block, so state_dict keys are segc's weight names with `.` for `/`.


class Scope(nn.Module):
    """A path segment holding the layers and blocks under it."""


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.segc_layers = {}

    def add(self, path, module):
        owner = self
        parts = path.split("/")
        for part in parts[:-1]:
            if part not in owner._modules:
                owner.add_module(part, Scope())
            owner = owner._modules[part]
        owner.add_module(parts[-1], module)
        self.segc_layers[path] = module
        return module

    def at(self, path):
        return self.segc_layers[path]


_targets = []


@contextlib.contextmanager
def target_classes(labels):
    """Target class per image for the layers whose training semantics read labels (ACoL erasing)."""
    _targets.append(labels)
    try:
        yield
    finally:
        _targets.pop()


# ---------------------------------------------------------------------------------------------
# Windows


def same_padding(size, kernel, stride, dilation):
    """TensorFlow's `same` padding of one axis: (before, after), the odd pixel after."""
    extent = (kernel - 1) * dilation + 1
    total = max((-(-size // stride) - 1) * stride + extent - size, 0)
    return total // 2, total - total // 2


def pad_for_window(x, padding, kernel, stride, dilation=(1, 1), value=0.0):
    """`padding`: "same", "valid" or explicit (rows, cols) on both sides."""
    if padding == "valid":
        return x
    if padding == "same":
        top, bottom = same_padding(x.shape[2], kernel[0], stride[0], dilation[0])
        left, right = same_padding(x.shape[3], kernel[1], stride[1], dilation[1])
    else:
        top = bottom = padding[0]
        left = right = padding[1]
    if top == bottom == left == right == 0:
        return x
    return F.pad(x, (left, right, top, bottom), value=value)


def activate(x, name, alpha=0.01):
    if name == "none":
        return x
    if name == "relu":
        return F.relu(x)
    if name == "relu6":
        return F.relu6(x)
    if name == "sigmoid":
        return torch.sigmoid(x)
    if name == "tanh":
        return torch.tanh(x)
    if name == "leakyRelu":
        return F.leaky_relu(x, alpha)
    raise ValueError(f"unknown activation {name}")


def _he_normal(shape, fan_in):
    return nn.Parameter(torch.randn(shape) * math.sqrt(2.0 / fan_in))


def _glorot_uniform(shape, fan_in, fan_out):
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return nn.Parameter(torch.empty(shape).uniform_(-limit, limit))


def _bias(module, count, enabled):
    if enabled:
        module.bias = nn.Parameter(torch.zeros(count))
    else:
        module.register_parameter("bias", None)


# ---------------------------------------------------------------------------------------------
# Layers with weights (segc layouts in the comments)


class Conv(nn.Module):
    """conv: `kernel` [kh, kw, in, out], `bias` [out]."""

    def __init__(self, kernel, stride, dilation, padding, bias, activation="none", alpha=0.01):
        super().__init__()
        self.kernel = _he_normal(kernel, kernel[0] * kernel[1] * kernel[2])
        _bias(self, kernel[3], bias)
        self.stride, self.dilation, self.padding, self.activation, self.alpha = stride, dilation, padding, activation, alpha

    def forward(self, x):
        x = pad_for_window(x, self.padding, self.kernel.shape[:2], self.stride, self.dilation)
        y = F.conv2d(x, self.kernel.permute(3, 2, 0, 1), self.bias, self.stride, 0, self.dilation)
        return activate(y, self.activation, self.alpha)


def _depthwise(x, kernel, stride, dilation, padding):
    """Depthwise convolution with a [kh, kw, in, multiplier] kernel; channel c*multiplier + m out."""
    kh, kw, channels, multiplier = kernel.shape
    weight = kernel.reshape(kh, kw, channels * multiplier).permute(2, 0, 1).unsqueeze(1)
    x = pad_for_window(x, padding, (kh, kw), stride, dilation)
    return F.conv2d(x, weight, None, stride, 0, dilation, groups=channels)


class DepthwiseConv(nn.Module):
    """dwconv: `depthwiseKernel` [kh, kw, in, multiplier], `bias` [in * multiplier]."""

    def __init__(self, kernel, stride, dilation, padding, bias, activation="none", alpha=0.01):
        super().__init__()
        self.depthwiseKernel = _he_normal(kernel, kernel[0] * kernel[1])
        _bias(self, kernel[2] * kernel[3], bias)
        self.stride, self.dilation, self.padding, self.activation, self.alpha = stride, dilation, padding, activation, alpha

    def forward(self, x):
        y = _depthwise(x, self.depthwiseKernel, self.stride, self.dilation, self.padding)
        if self.bias is not None:
            y = y + self.bias.view(1, -1, 1, 1)
        return activate(y, self.activation, self.alpha)


class SeparableConv(nn.Module):
    """sepconv: `depthwiseKernel` [kh, kw, in, 1], `pointwiseKernel` [1, 1, in, out], `bias` [out]."""

    def __init__(self, depthwise, pointwise, stride, dilation, padding, bias, activation="none", alpha=0.01):
        super().__init__()
        self.depthwiseKernel = _he_normal(depthwise, depthwise[0] * depthwise[1])
        self.pointwiseKernel = _he_normal(pointwise, pointwise[2])
        _bias(self, pointwise[3], bias)
        self.stride, self.dilation, self.padding, self.activation, self.alpha = stride, dilation, padding, activation, alpha

    def forward(self, x):
        y = _depthwise(x, self.depthwiseKernel, self.stride, self.dilation, self.padding)
        y = F.conv2d(y, self.pointwiseKernel.permute(3, 2, 0, 1), self.bias)
        return activate(y, self.activation, self.alpha)


class ConvTranspose(nn.Module):
    """convTranspose: `kernel` [kh, kw, out, in], `bias` [out]; output rows H * stride (same) or (H - 1) * stride + kh (valid)."""

    def __init__(self, kernel, stride, padding, bias, activation="none"):
        super().__init__()
        self.kernel = _he_normal(kernel, kernel[0] * kernel[1] * kernel[3])
        _bias(self, kernel[2], bias)
        self.stride, self.padding, self.activation = stride, padding, activation

    def forward(self, x):
        kh, kw = self.kernel.shape[:2]
        full = F.conv_transpose2d(x, self.kernel.permute(3, 2, 0, 1), None, self.stride)
        if self.padding == "same":
            rows, columns = x.shape[2] * self.stride[0], x.shape[3] * self.stride[1]
            top = max(kh - self.stride[0], 0) // 2
            left = max(kw - self.stride[1], 0) // 2
            full = F.pad(full, (0, max(columns + left - full.shape[3], 0), 0, max(rows + top - full.shape[2], 0)))
            full = full[:, :, top:top + rows, left:left + columns]
        if self.bias is not None:
            full = full + self.bias.view(1, -1, 1, 1)
        return activate(full, self.activation)


class Dense(nn.Module):
    """dense: `kernel` [in, units], `bias` [units]."""

    def __init__(self, kernel, bias, activation="none", alpha=0.01):
        super().__init__()
        self.kernel = _glorot_uniform(kernel, kernel[0], kernel[1])
        _bias(self, kernel[1], bias)
        self.activation, self.alpha = activation, alpha

    def forward(self, x):
        return activate(F.linear(x, self.kernel.t(), self.bias), self.activation, self.alpha)


class BatchNorm(nn.Module):
    """bn: `gamma`, `beta` trained; `movingMean`, `movingVariance` buffers. `momentum` is Keras's
    (the weight of the old statistics): PyTorch's is 1 - momentum."""

    def __init__(self, channels, epsilon, momentum):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels))
        self.register_buffer("movingMean", torch.zeros(channels))
        self.register_buffer("movingVariance", torch.ones(channels))
        self.epsilon, self.momentum = epsilon, momentum

    def forward(self, x):
        if self.training and x.numel() == x.shape[1]:
            return self._single(x)
        return F.batch_norm(x, self.movingMean, self.movingVariance, self.gamma, self.beta, self.training, 1.0 - self.momentum, self.epsilon)

    def _single(self, x):
        # One value per channel (a pooled map of one image): PyTorch refuses it; segc normalises
        # it to beta (variance 0) and blends the value into the moving statistics uncorrected.
        with torch.no_grad():
            value = x.reshape(-1)
            self.movingMean.mul_(self.momentum).add_(value * (1 - self.momentum))
            self.movingVariance.mul_(self.momentum)
        shape = [1, -1] + [1] * (x.dim() - 2)
        centred = x - x.reshape(shape)  # zero, and so is its gradient, as x minus its own mean
        return centred / math.sqrt(self.epsilon) * self.gamma.reshape(shape) + self.beta.reshape(shape)


# ---------------------------------------------------------------------------------------------
# Layers without weights


def max_pool(x, size, stride, padding):
    x = pad_for_window(x, padding, size, stride, value=-math.inf)
    return F.max_pool2d(x, size, stride)


def avg_pool(x, size, stride, padding):
    if padding != "same":
        return F.avg_pool2d(pad_for_window(x, padding, size, stride), size, stride)
    # tfjs averages only the pixels inside the image under `same` padding.
    total = F.avg_pool2d(pad_for_window(x, "same", size, stride), size, stride)
    ones = torch.ones_like(x[:1, :1])
    count = F.avg_pool2d(pad_for_window(ones, "same", size, stride), size, stride)
    return total / count


_weights_cache = {}


def interpolation_weights(source, target, bilinear, align_corners, half_pixel):
    """The [target, source] weights tfjs's resize kernels apply along one axis."""
    key = (source, target, bilinear, align_corners, half_pixel)
    if key in _weights_cache:
        return _weights_cache[key]
    weights = np.zeros((target, source), dtype=np.float32)
    ratio = (source - 1) / (target - 1) if align_corners and target > 1 else source / target
    for i in range(target):
        if bilinear:
            position = ratio * (i + 0.5) - 0.5 if half_pixel else ratio * i
            low = max(0, math.floor(position))
            high = min(source - 1, math.ceil(position))
            fraction = position - low
            weights[i, low] += np.float32(1 - fraction)
            weights[i, high] += np.float32(fraction)
        else:
            position = ratio * (i + 0.5 if half_pixel else i)
            nearest = min(source - 1, math.floor(position + 0.5) if align_corners else math.floor(position))
            weights[i, max(0, nearest)] = 1
    tensor = torch.from_numpy(weights)
    _weights_cache[key] = tensor
    return tensor


def resize(x, size, mode, align_corners=False, half_pixel=True):
    """Resizes NCHW `x` to `size` (rows, cols) as tfjs does, by one matrix product per axis."""
    bilinear = mode == "bilinear"
    rows = interpolation_weights(x.shape[2], size[0], bilinear, align_corners, half_pixel).to(x.device, x.dtype)
    columns = interpolation_weights(x.shape[3], size[1], bilinear, align_corners, half_pixel).to(x.device, x.dtype)
    return torch.einsum("oh,nchw,pw->ncop", rows, x, columns)


def erase(x, by, threshold, training):
    """ACoL erasing: zero `x` where the chosen class's map in `by`, min-max normalised per image,
    reaches `threshold`. The class is the label while training with labels, else the predicted one.
    The mask is a constant: no gradient reaches `by` through it."""
    with torch.no_grad():
        targets = _targets[-1] if _targets else None
        if training and targets is not None:
            classes = targets.long()
        else:
            classes = by.mean(dim=(2, 3)).argmax(dim=1)
        picked = by[torch.arange(by.shape[0], device=by.device), classes].unsqueeze(1)
        low = picked.amin(dim=(2, 3), keepdim=True)
        spread = picked.amax(dim=(2, 3), keepdim=True) - low
        spread = torch.where(spread > 0, spread, torch.ones_like(spread))
        keep = ((picked - low) / spread < threshold).to(x.dtype)
    return x * keep


def centre_crop(x, rows, columns):
    """The centre rows x columns of NCHW `x`; an odd surplus leaves the extra pixel after."""
    top = (x.shape[2] - rows) // 2
    left = (x.shape[3] - columns) // 2
    return x[:, :, top:top + rows, left:left + columns]


def flatten(x):
    """segc flattens NHWC: channels vary fastest."""
    return channels_last(x).reshape(x.shape[0], -1)


def reshape(x, shape):
    """segc's reshape reads and writes NHWC order."""
    y = channels_last(x).reshape(x.shape[0], *shape)
    return channels_first(y)


def mirror_pad(x, top, bottom, left, right, mode):
    """`reflect` leaves the edge pixel out, `symmetric` repeats it."""
    skip = 1 if mode == "reflect" else 0

    def along(t, dim, before, after):
        size = t.shape[dim]
        head = [t.narrow(dim, i, 1) for i in range(before + skip - 1, skip - 1, -1)]
        tail = [t.narrow(dim, size - 1 - skip - i, 1) for i in range(after)]
        return torch.cat(head + [t] + tail, dim) if head or tail else t

    return along(along(x, 2, top, bottom), 3, left, right)


def hard_swish(x):
    return x * F.relu6(x + 3) / 6


# ---------------------------------------------------------------------------------------------
# Running a model from the command line


def run_main(model_class, description):
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--weights", required=True, help="a safetensors file saved from the model's state_dict (or by segc build --weights)")
    parser.add_argument("--input", required=True, help="an .npy float32 array [N, H, W, C] (NHWC, as segc)")
    parser.add_argument("--output", required=True, help="where to write the output as .npy, in segc's layout")
    parser.add_argument("--output-name", help="which output (default: the model's first)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    model = model_class()
    try:
        load_weights(model, args.weights)
        image = np.load(args.input)
    except (OSError, ValueError) as error:
        sys.exit(f"error: {error}")
    model.to(args.device).eval()
    if image.dtype != np.float32 or image.ndim != 4:
        parser.error(f"--input must hold a float32 array [N, H, W, C], got {image.dtype} {list(image.shape)}")
    try:
        with torch.no_grad():
            outputs = model(torch.from_numpy(image).to(args.device))
    except RuntimeError as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        sys.exit(f"error: {model_class.__name__} cannot run on an input of shape {list(image.shape)}: {first}\n"
                 "hint: check the sizes and channels against the model's input (`segc summary`)")
    name = args.output_name or next(iter(outputs))
    if name not in outputs:
        parser.error(f"the model has no output {name}; it has {', '.join(outputs)}")
    value = outputs[name].cpu()
    array = value.numpy().astype(np.int32 if not value.is_floating_point() else np.float32)
    np.save(args.output, array)
