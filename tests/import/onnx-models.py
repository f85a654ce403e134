"""Small PyTorch networks per op and pattern, exported to ONNX for tests/import/onnx.test.ts.

Usage: /usr/bin/python3 tests/import/onnx-models.py OUT_DIR
Writes OUT_DIR/NAME.onnx for each network; weights and batch-norm statistics are seeded random
values, so every channel and every op changes the output.
"""
import sys

import torch
from torch import nn

torch.manual_seed(0)


def randomize(module):
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
    return module.eval()


class ConvBnRelu(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 6, (3, 1), padding=(2, 0), dilation=2, bias=False)
        self.bn2 = nn.BatchNorm2d(6)

    def forward(self, x):
        y = torch.relu(self.bn(self.conv(x)))
        # A batch norm after an activation stays a BatchNormalization node.
        return self.bn2(torch.relu(self.conv2(y)))


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1)
        self.a = nn.Conv2d(8, 8, 3, padding=1)
        self.b = nn.Conv2d(8, 8, 3, padding=1)

    def forward(self, x):
        x = self.pool(torch.relu(self.stem(x)))
        y = self.b(torch.relu(self.a(x)))
        return torch.relu(x + y) - 0.25 * y


class SqueezeExcite(nn.Module):
    def __init__(self, channels, squeezed):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.reduce = nn.Conv2d(channels, squeezed, 1)
        self.expand = nn.Conv2d(squeezed, channels, 1)
        self.gate = nn.Hardsigmoid()

    def forward(self, x):
        return x * self.gate(self.expand(torch.relu(self.reduce(self.pool(x)))))


class InvertedResidual(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.Hardswish())
        self.expand = nn.Sequential(nn.Conv2d(8, 16, 1, bias=False), nn.BatchNorm2d(16), nn.Hardswish())
        self.depthwise = nn.Sequential(nn.Conv2d(16, 16, 5, padding=2, groups=16, bias=False), nn.BatchNorm2d(16))
        self.se = SqueezeExcite(16, 4)
        self.project = nn.Sequential(nn.Conv2d(16, 8, 1, bias=False), nn.BatchNorm2d(8))
        self.multiplier = nn.Conv2d(8, 16, 3, padding=1, groups=8)

    def forward(self, x):
        x = self.stem(x)
        y = self.project(self.se(nn.functional.hardswish(self.depthwise(self.expand(x)))))
        return nn.functional.relu6(self.multiplier(x + y))


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = nn.Conv2d(3, 6, 3, padding=1)
        self.enc2 = nn.Conv2d(6, 8, 3, stride=2, padding=1)
        self.enc3 = nn.Conv2d(8, 8, 3, stride=2, padding=1)
        self.up = nn.ConvTranspose2d(8, 4, 2, stride=2)
        self.mix = nn.Conv2d(12, 6, 3, padding=1)
        self.pool = nn.AvgPool2d(3, stride=1, padding=1)
        self.head = nn.Conv2d(12, 2, 1)

    def forward(self, x):
        a = nn.functional.leaky_relu(self.enc1(x), 0.1)
        b = torch.relu(self.enc2(a))
        c = torch.relu(self.enc3(b))
        up_b = torch.cat([self.up(c), b], dim=1)
        m = torch.sigmoid(self.mix(up_b))
        nearest = nn.functional.interpolate(m, scale_factor=2, mode="nearest")
        bilinear = nn.functional.interpolate(self.pool(m), scale_factor=2, mode="bilinear", align_corners=False)
        aligned = nn.functional.interpolate(m, size=(16, 16), mode="bilinear", align_corners=True)
        merged = torch.cat([nearest, bilinear - aligned / 3.0], dim=1)
        return torch.softmax(self.head(merged), dim=1)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(4 * 4 * 4, 10)
        self.fc2 = nn.Linear(10, 5)

    def forward(self, x):
        return torch.softmax(self.fc2(torch.relu(self.fc1(self.flatten(self.features(x))))), dim=1)


class UpsampleOpset9(nn.Module):
    """Opset 9's Upsample, a bias-free linear layer (MatMul) on pooled features."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.head = nn.Conv2d(4, 6, 3, stride=2, padding=1)
        self.fc = nn.Linear(6, 3, bias=False)

    def forward(self, x):
        y = self.head(self.up(torch.relu(self.conv(x))))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(y, 1), 1))


class Refused(nn.Module):
    """An op segc has no translation for (ELU), after one it has."""

    def __init__(self, activation):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.act = activation

    def forward(self, x):
        return self.act(self.conv(x))


class BasicBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.a = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels))
        self.b = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels))

    def forward(self, x):
        return torch.relu(x + self.b(torch.relu(self.a(x))))


class MobileBlock(nn.Module):
    """MobileNetV3's unit: expand, depthwise, squeeze-excitation, project, and the skip."""

    def __init__(self, channels, expanded, kernel, squeezed):
        super().__init__()
        self.expand = nn.Sequential(nn.Conv2d(channels, expanded, 1, bias=False), nn.BatchNorm2d(expanded), nn.Hardswish())
        self.depthwise = nn.Sequential(
            nn.Conv2d(expanded, expanded, kernel, padding=kernel // 2, groups=expanded, bias=False),
            nn.BatchNorm2d(expanded),
            nn.Hardswish(),
        )
        self.se = SqueezeExcite(expanded, squeezed)
        self.project = nn.Sequential(nn.Conv2d(expanded, channels, 1, bias=False), nn.BatchNorm2d(channels))

    def forward(self, x):
        return x + self.project(self.se(self.depthwise(self.expand(x))))


class RepeatedBlocks(nn.Module):
    """Units that repeat, for block recovery: two residual units, two inverted residuals of different sizes."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.layer1 = nn.Sequential(BasicBlock(8), BasicBlock(8))
        self.layer2 = nn.Sequential(MobileBlock(8, 16, 5, 4), MobileBlock(8, 24, 3, 8))

    def forward(self, x):
        return self.layer2(self.layer1(torch.relu(self.stem(x))))


class WrittenOutActivations(nn.Module):
    """Hard-swish and hard-sigmoid written out as arithmetic (Add, Clip, Mul, Div nodes), in both
    orders and with a Mul by 1/6, and a look-alike with other constants that is not hard-swish."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 8, 3, padding=1)
        self.b = nn.Conv2d(8, 8, 3, padding=1)
        self.c = nn.Conv2d(8, 8, 1)
        self.d = nn.Conv2d(8, 6, 3, padding=1)

    def forward(self, x):
        x = self.a(x) * 4
        x = x * nn.functional.relu6(x + 3) / 6
        x = self.b(x) * 4
        x = (torch.clamp(x + 3, 0, 6) * (1 / 6)) * x
        gate = nn.functional.relu6(self.c(x) * 4 + 3) / 6
        x = self.d(x * gate) * 4
        return x * nn.functional.relu6(x + 3) / 5


class PReLUs(nn.Module):
    """nn.PReLU with one slope per channel and with a single slope, on a map and after a linear layer."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)
        self.per_channel = nn.PReLU(6)
        self.conv2 = nn.Conv2d(6, 4, 3, stride=2, padding=1)
        self.single = nn.PReLU()
        self.linear = nn.Linear(4 * 4 * 4, 5)
        self.head = nn.PReLU(5)
        with torch.no_grad():
            self.per_channel.weight.uniform_(-0.8, 0.8)
            self.single.weight.fill_(-0.3)
            self.head.weight.uniform_(-0.8, 0.8)

    def forward(self, x):
        x = self.single(self.conv2(self.per_channel(self.conv(x))))
        return self.head(self.linear(torch.flatten(x, 1)))


NETWORKS = {
    # name: (module, input size [N, C, H, W], opset)
    "conv_bn_relu": (ConvBnRelu(), [2, 3, 15, 13], 13),
    "residual": (Residual(), [2, 3, 12, 12], 13),
    "inverted_residual_se_hardswish": (InvertedResidual(), [2, 3, 16, 16], 14),
    # Before opset 14 PyTorch writes hard-swish as HardSigmoid(α = 1/6) · x.
    "inverted_residual_se_hardswish_opset13": (InvertedResidual(), [2, 3, 16, 16], 13),
    "upsample_concat_decoder": (Decoder(), [2, 3, 16, 16], 13),
    "upsample_concat_decoder_opset11": (Decoder(), [2, 3, 16, 16], 11),
    "classifier_flatten_linear": (Classifier(), [2, 3, 8, 8], 13),
    "upsample_matmul_opset9": (UpsampleOpset9(), [2, 3, 8, 8], 9),
    "repeated_blocks": (RepeatedBlocks(), [2, 3, 16, 16], 14),
    "written_out_activations": (WrittenOutActivations(), [2, 3, 12, 12], 11),
    "written_out_activations_opset9": (WrittenOutActivations(), [2, 3, 12, 12], 9),
    "prelu": (PReLUs(), [2, 3, 8, 8], 13),
    "refused_elu": (Refused(nn.ELU()), [1, 3, 8, 8], 13),
    "refused_hardtanh": (Refused(nn.Hardtanh(-1.0, 1.0)), [1, 3, 8, 8], 13),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for name, (module, size, opset) in NETWORKS.items():
        randomize(module)
        torch.onnx.export(
            module,
            torch.rand(size),
            f"{out}/{name}.onnx",
            input_names=["x"],
            output_names=["y"],
            dynamic_axes={"x": {0: "N"}, "y": {0: "N"}},
            opset_version=opset,
        )
