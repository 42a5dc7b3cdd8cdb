#!/usr/bin/python3
"""torch_train.py -- PyTorch's side of bench/train (Debian's python3-torch, CPU, float32).

Same networks, batch, thread count and update as bench_train: SGD with momentum 0.9,
lr 0.01; --warmup steps, then --steps timed one by one. Prints one TSV row:
torch model batch threads img_per_s step_s peak_rss_mb - loss backend.
"""
import argparse
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


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
        y = F.relu(self.bn1(self.conv1(x)), inplace=True)
        y = self.bn2(self.conv2(y))
        y += self.downsample(x) if self.downsample is not None else x
        return F.relu(y, inplace=True)


class ResNet18Cifar(nn.Module):
    def __init__(self, cin, nclass):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        layers, c = [], 64
        for i, w in enumerate([64, 128, 256, 512]):
            for b in range(2):
                layers.append(Block(c, w, 2 if (i > 0 and b == 0) else 1))
                c = w
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(512, nclass)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)), inplace=True)
        x = self.layers(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def vgg(cfg, cin, nclass):
    layers = []
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(cin, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            cin = v
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, nclass))


def mlp(dims):
    layers = [nn.Flatten()]
    for i in range(1, len(dims)):
        layers.append(nn.Linear(dims[i - 1], dims[i]))
        if i < len(dims) - 1:
            layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


def build(name, cin, nclass):
    if name == "resnet18-cifar":
        return ResNet18Cifar(cin, nclass)
    if name == "vgg11":
        return vgg([64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"], cin, nclass)
    if name.startswith("mlp:"):
        return mlp([int(v) for v in name[4:].split("-")])
    raise SystemExit("torch_train.py: unknown model " + name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="resnet18-cifar")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--channels", type=int, default=3)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--data")
    ap.add_argument("--labels")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    img = a.channels * a.size * a.size
    if a.data:
        x = torch.from_numpy(np.fromfile(a.data, dtype=np.float32)).view(-1, a.channels,
                                                                        a.size, a.size)
        y = torch.from_numpy(np.fromfile(a.labels, dtype=np.int32).astype(np.int64))
    else:
        x = torch.rand(a.batch, a.channels, a.size, a.size) - 0.5
        y = torch.arange(a.batch) % 10
    model = build(a.model, a.channels, 10)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    n = x.shape[0]
    times = []
    loss = float("nan")
    for k in range(a.warmup + a.steps):
        first = (k * a.batch) % (n - a.batch + 1)
        xb, yb = x[first:first + a.batch], y[first:first + a.batch]
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        out = F.cross_entropy(model(xb), yb)
        out.backward()
        opt.step()
        dt = time.perf_counter() - t0
        loss = out.item()
        if k >= a.warmup:
            times.append(dt)
    med = float(np.median(times))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("torch\t%s\t%d\t%d\t%.6g\t%.6g\t%.1f\t-\t%.6g\ttorch-%s" % (
        a.model, a.batch, a.threads, a.batch / med, med, peak, loss, torch.__version__))


if __name__ == "__main__":
    sys.exit(main())
