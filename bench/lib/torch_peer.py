"""The PyTorch peer of bench/onnx.ts: the same network in torch (built from segc's IR as written,
layer by layer, with torch's own modules and functions), the same weights, exported to ONNX by
torch.onnx.export at opset 17. Run with Debian's interpreter (python3-torch):

    /usr/bin/python3 bench/lib/torch_peer.py DIR N H W C

DIR holds graph.json (`segc-ir`), weights.json ([name, shape, offset] in floats) and weights.bin
(little-endian float32); the export is written to DIR/torch.onnx. Inputs and outputs are NHWC,
as segc declares them, so both exports take the same tensors; inside, torch runs NCHW.
"""
import json
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F


def pair(value):
    return (value, value) if isinstance(value, (int, float)) else tuple(value)


def activate(x, name, alpha=0.01):
    if name in (None, "none"):
        return x
    return {
        "relu": F.relu,
        "relu6": F.relu6,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "leakyRelu": lambda v: F.leaky_relu(v, alpha),
    }[name](x)


def same_pads(size, kernel, stride, dilation):
    """TensorFlow's `same`: total max((ceil(H/s) - 1)s + e - H, 0), the extra pixel at the end."""
    extent = kernel + (kernel - 1) * (dilation - 1)
    total = max((math.ceil(size / stride) - 1) * stride + extent - size, 0)
    return total // 2, total - total // 2


def window_input(x, attrs, kernel_name="kernel", fill=0.0):
    kernel, dilation = pair(attrs[kernel_name]), pair(attrs.get("dilation") or 1)
    stride = pair(attrs.get("stride") or attrs[kernel_name])
    if attrs.get("pad") is not None:
        rows, cols = pair(attrs["pad"])
        x = F.pad(x, (cols, cols, rows, rows), value=fill)
    elif attrs.get("padding") == "same":
        top, bottom = same_pads(x.shape[2], kernel[0], stride[0], dilation[0])
        left, right = same_pads(x.shape[3], kernel[1], stride[1], dilation[1])
        x = F.pad(x, (left, right, top, bottom), value=fill)
    return x, kernel, stride, dilation


class Network(torch.nn.Module):
    def __init__(self, graph, weights):
        super().__init__()
        self.graph = graph
        self.params = torch.nn.ParameterDict()
        self.keys = {}
        for index, (name, array) in enumerate(weights.items()):
            key = f"w{index}"
            self.keys[name] = key
            self.params[key] = torch.nn.Parameter(torch.from_numpy(array), requires_grad=False)

    def weight(self, node, role):
        return self.params[self.keys[f"{node['name']}/{role}"]]

    def conv_weight(self, node, role):
        return self.weight(node, role).permute(3, 2, 0, 1)  # HWIO -> OIHW

    def forward(self, image):
        values = {}
        for node in self.graph["nodes"]:
            inputs = [values[i] for i in node["inputs"]]
            values[node["id"]] = image.permute(0, 3, 1, 2) if node["op"] == "input" else self.run(node, inputs)
        outputs = []
        for output in self.graph["outputs"]:
            value = values[output["node"]]
            outputs.append(value.permute(0, 2, 3, 1) if value.dim() == 4 else value)
        return tuple(outputs)

    def run(self, node, inputs):
        op, attrs = node["op"], node["attrs"]
        x = inputs[0] if inputs else None
        bias = (lambda: self.weight(node, "bias")) if attrs.get("bias") else (lambda: None)
        if op == "conv":
            x, kernel, stride, dilation = window_input(x, attrs)
            y = F.conv2d(x, self.conv_weight(node, "kernel"), bias(), stride, 0, dilation)
            return activate(y, attrs.get("activation"), attrs.get("alpha", 0.01))
        if op in ("dwconv", "sepconv"):
            x, kernel, stride, dilation = window_input(x, attrs)
            depthwise = self.weight(node, "depthwiseKernel")
            channels, multiplier = depthwise.shape[2], depthwise.shape[3]
            w = depthwise.permute(2, 3, 0, 1).reshape(channels * multiplier, 1, kernel[0], kernel[1])
            if op == "dwconv":
                y = F.conv2d(x, w, bias(), stride, 0, dilation, groups=channels)
            else:
                y = F.conv2d(F.conv2d(x, w, None, stride, 0, dilation, groups=channels), self.conv_weight(node, "pointwiseKernel"), bias())
            return activate(y, attrs.get("activation"), attrs.get("alpha", 0.01))
        if op == "bn":
            w = lambda role: self.weight(node, role)
            return F.batch_norm(x, w("movingMean"), w("movingVariance"), w("gamma"), w("beta"), False, 0.0, attrs["epsilon"])
        if op == "dense":
            return activate(F.linear(x, self.weight(node, "kernel").t(), bias()), attrs.get("activation"), attrs.get("alpha", 0.01))
        if op in ("relu", "relu6", "sigmoid", "tanh"):
            return activate(x, op)
        if op == "maxpool":
            x, kernel, stride, _ = window_input(x, attrs, "size", float("-inf"))
            return F.max_pool2d(x, kernel, stride)
        if op in ("gap", "gmp"):
            y = x.mean((2, 3), keepdim=True) if op == "gap" else x.amax((2, 3), keepdim=True)
            return y if attrs.get("keep") else y.flatten(1)
        if op == "upsample":
            size = tuple(inputs[1].shape[2:]) if len(inputs) > 1 else (
                (x.shape[2] * pair(attrs["factor"])[0], x.shape[3] * pair(attrs["factor"])[1]) if attrs.get("factor") else pair(attrs["size"]))
            if attrs.get("mode") == "bilinear":
                return F.interpolate(x, size=size, mode="bilinear", align_corners=bool(attrs.get("alignCorners")))
            return F.interpolate(x, size=size, mode="nearest")
        if op == "concat":
            axis = attrs.get("axis", -1)
            return torch.cat(inputs, {-1: 1, 3: 1, 1: 2, 2: 3}[axis] if x.dim() == 4 else axis)
        if op == "add":
            return sum(inputs[1:], inputs[0])
        if op == "dropout":
            return x
        if op == "softmax":
            return F.softmax(x, 1 if x.dim() == 4 else -1)
        if op == "argmax":
            return x.argmax(1).to(torch.int32)
        raise NotImplementedError(f"the peer has no {op}")


def main():
    folder, shape = sys.argv[1], [int(v) for v in sys.argv[2:6]]
    graph = json.load(open(f"{folder}/graph.json"))["graph"]
    index = json.load(open(f"{folder}/weights.json"))
    data = np.fromfile(f"{folder}/weights.bin", dtype="<f4")
    weights = {name: data[offset:offset + int(np.prod(dims))].reshape(dims).copy() for name, dims, offset in index}
    network = Network(graph, weights).eval()
    image = torch.rand(*shape)
    names = [o["name"] for o in graph["outputs"]]
    with torch.no_grad():
        torch.onnx.export(network, image, f"{folder}/torch.onnx", opset_version=17, input_names=["image"], output_names=names)
    print(f"exported {folder}/torch.onnx with torch {torch.__version__}")


if __name__ == "__main__":
    main()
