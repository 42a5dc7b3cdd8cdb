#!/usr/bin/env python3
"""make_quadrant_idx.py DIR -- writes a tiny 4-class image set in the IDX format of MNIST
(train-images-idx3-ubyte, train-labels-idx1-ubyte: 256 images; t10k-*: 64) into DIR, which
must not exist: 8x8 images where class k has a bright k-th quadrant, plus deterministic noise
from an LCG, so the files are the same on every machine. Used by the trainer's shell tests."""
import os
import struct
import sys

d = sys.argv[1]
os.makedirs(d)
state = [12345]


def rnd():
    state[0] = (state[0] * 1103515245 + 12345) % 2**31
    return state[0] >> 16


def write(prefix, n):
    imgs, labs = bytearray(), bytearray()
    for i in range(n):
        k = i % 4
        for y in range(8):
            for x in range(8):
                q = (y >= 4) * 2 + (x >= 4)
                imgs.append(min(255, (160 if q == k else 40) + rnd() % 60))
        labs.append(k)
    with open(os.path.join(d, prefix + "-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 8, 8) + imgs)
    with open(os.path.join(d, prefix + "-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + labs)


write("train", 256)
write("t10k", 64)
