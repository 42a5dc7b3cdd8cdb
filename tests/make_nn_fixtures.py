#!/usr/bin/python3
"""make_nn_fixtures.py -- reference loss and gradients of ResNet-18 (CIFAR shape) by PyTorch.

Writes tests/nn_fixtures/resnet18_cifar.tsv, read by tests/check_nn.c. Run with Debian's
python3 (python3-torch, python3-numpy):  /usr/bin/python3 tests/make_nn_fixtures.py

The weights and inputs are not stored: both sides generate them from a counter hash
(splitmix64 of the global parameter index), so the fixture stays small. For global parameter
index i, u(i) = (splitmix64(i) >> 11) * 2^-53 - 0.5 (exact in double), and
  conv / fc weight:    w = u * 2 * sqrt(6 / fan_in)    (Kaiming uniform)
  fc bias:             b = 0.2 * u
  bn weight (gamma):   1 + 0.2 * u
  bn bias (beta):      0.2 * u
each rounded once to float32. Input element j: 2 * u(2^40 + j) rounded to float32; labels
3, 7, ... The network (torchvision's ResNet-18 with a 3x3 stride-1 stem and no max-pool,
the CIFAR variant) is written out below so torchvision is not needed. It is evaluated in
train mode (batch statistics) in float64 on the float32-rounded weights and inputs: that
is the exact reference the float32 trainer is compared with. PyTorch's own float32 result
is recorded in the header for comparison.

File: '#' comment lines, then
  loss <value>
  tensor <name> <offset> <size> <kind> <fan_in> <grad_l2_norm>
  grad <global index> <value>        (sampled entries of that tensor)
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH, SIZE, NCLASS = 2, 32, 10
M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def splitmix64(idx):
    z = (idx.astype(np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def unif(start, n):
    idx = np.arange(start, start + n, dtype=np.uint64)
    return (splitmix64(idx) >> np.uint64(11)).astype(np.float64) * 2.0 ** -53 - 0.5


class Block(nn.Module):
    def __init__(self, cin, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or cin != planes:
            self.downsample = nn.Sequential(nn.Conv2d(cin, planes, 1, stride, bias=False),
                                            nn.BatchNorm2d(planes))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (self.downsample(x) if self.downsample is not None else x))


class ResNet18Cifar(nn.Module):
    def __init__(self, nclass):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        layers, cin = [], 64
        for i, w in enumerate([64, 128, 256, 512]):
            for b in range(2):
                layers.append(Block(cin, w, 2 if (i > 0 and b == 0) else 1))
                cin = w
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(512, nclass)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layers(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def kind_of(name, p):
    if p.dim() > 1:
        return "weight"
    if name.startswith("fc."):
        return "fcbias"
    return "gamma" if name.endswith("weight") else "beta"


def fill(model):
    off, table = 0, []
    for name, p in model.named_parameters():
        n = p.numel()
        u = unif(off, n)
        k = kind_of(name, p)
        fan = int(np.prod(p.shape[1:])) if p.dim() > 1 else 0
        if k == "weight":
            v = u * 2.0 * np.sqrt(6.0 / fan)
        elif k == "gamma":
            v = 1.0 + 0.2 * u
        else:
            v = 0.2 * u
        with torch.no_grad():
            p.copy_(torch.from_numpy(v.astype(np.float32).astype(np.float64)).view_as(p))
        table.append((name, off, n, k, fan))
        off += n
    return table


def run(model, x, y):
    model.train()
    model.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    return loss.item(), torch.cat([p.grad.reshape(-1) for p in model.parameters()])


def main():
    torch.manual_seed(0)
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "nn_fixtures", "resnet18_cifar.tsv")
    m64 = ResNet18Cifar(NCLASS).double()
    table = fill(m64)
    nx = BATCH * 3 * SIZE * SIZE
    x = (2.0 * unif(2 ** 40, nx)).astype(np.float32).astype(np.float64)
    x = torch.from_numpy(x).view(BATCH, 3, SIZE, SIZE)
    y = torch.tensor([(3 + 4 * i) % NCLASS for i in range(BATCH)])
    loss64, g64 = run(m64, x, y)
    m32 = ResNet18Cifar(NCLASS)
    m32.load_state_dict({k: v.float() for k, v in m64.state_dict().items()})
    loss32, g32 = run(m32, x.float(), y)
    g32 = g32.double()
    rel32 = (g32 - g64).norm().item() / g64.norm().item()
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        f.write("# ResNet-18 (CIFAR shape) loss and gradients, batch %d, %dx%d, %d classes\n"
                % (BATCH, SIZE, SIZE, NCLASS))
        f.write("# generated by tests/make_nn_fixtures.py with torch %s, float64 reference\n"
                % torch.__version__)
        f.write("# labels %s; torch float32: loss rel err %.3g, grad rel err (l2) %.3g\n"
                % (" ".join(str(int(v)) for v in y), abs(loss32 - loss64) / abs(loss64), rel32))
        f.write("batch %d %d %d %d\n" % (BATCH, 3, SIZE, NCLASS))
        f.write("labels %s\n" % " ".join(str(int(v)) for v in y))
        f.write("loss %.17g\n" % loss64)
        for name, off, n, k, fan in table:
            g = g64[off:off + n]
            f.write("tensor %s %d %d %s %d %.17g\n" % (name, off, n, k, fan, g.norm().item()))
            picks = sorted(set([int(j * n // 6 + n // 13) % n for j in range(6)]
                               + [int(g.abs().argmax().item())]))
            for j in picks:
                f.write("grad %d %.17g\n" % (off + j, g[j].item()))
    os.replace(tmp, out)
    print("wrote %s: loss %.10g, torch f32 grad rel err %.3g" % (out, loss64, rel32))


if __name__ == "__main__":
    main()
