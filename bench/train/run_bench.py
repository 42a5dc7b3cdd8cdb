#!/usr/bin/python3
"""run_bench.py -- bench/train: corridor against PyTorch on the CPU, in one invocation.

  /usr/bin/python3 run_bench.py BENCH_TRAIN_BINARY [--threads T] [--steps S] [-o FILE]

Measures the float32 GEMM rate of the machine (oneDNN sgemm, 2048^3, median of 5: the
"peak"), then, for ResNet-18 (CIFAR shape, batch 128, random 3x32x32 images), VGG-11 (CIFAR,
batch 128) and the 784-256-10 MLP on Fashion-MNIST (batch 128, the first 60000 training
images), runs corridor's bench_train and PyTorch's torch_train.py one after the other, each
in its own process, with the same thread count. Each row: median images per second over
S >= 10 timed steps after warm-up, peak resident memory of the process, and the achieved
fraction of the GEMM rate (training FLOPs = 3 x forward FLOPs, counted by corridor). The
ratio column is corridor / PyTorch images per second. OPENBLAS_CORETYPE is passed through
unchanged and recorded (corridor does not use OpenBLAS: its kernels are oneDNN's).
"""
import argparse
import datetime
import gzip
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FMNIST = "/usr/share/datasets/fashion-mnist"


def fashion(tmp):
    with gzip.open(os.path.join(FMNIST, "train-images-idx3-ubyte.gz")) as f:
        img = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(os.path.join(FMNIST, "train-labels-idx1-ubyte.gz")) as f:
        lab = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    x = os.path.join(tmp, "fmnist.f32")
    y = os.path.join(tmp, "fmnist.i32")
    (img.astype(np.float32) / 255.0).tofile(x)
    lab.astype(np.int32).tofile(y)
    return ["--data", x, "--labels", y]


def run(cmd, env):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        raise SystemExit("run_bench.py: failed: " + " ".join(cmd))
    return p.stdout.strip().splitlines()[-1].split("\t")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("-o", dest="out")
    a = ap.parse_args()
    if a.steps < 10:
        raise SystemExit("run_bench.py: --steps must be >= 10")
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = str(a.threads)
    gemm = float(run([a.binary, "--gemm", "2048", "--threads", str(a.threads)], env)[3])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = [("resnet18-cifar", ["--channels", "3", "--size", "32"]),
                 ("vgg11", ["--channels", "3", "--size", "32"])]
        if os.path.exists(FMNIST):
            cases.append(("mlp:784-256-10", ["--channels", "1", "--size", "28"] + fashion(tmp)))
        common = ["--batch", "128", "--threads", str(a.threads), "--steps", str(a.steps),
                  "--warmup", str(a.warmup)]
        for model, extra in cases:
            c = run([a.binary, "--model", model] + common + extra, env)
            t = run(["/usr/bin/python3", os.path.join(HERE, "torch_train.py"), "--model", model]
                    + common + extra, env)
            flops = float(c[7]) * 3
            for r in (c, t):
                ips = float(r[4])
                rows.append([r[0], r[1], r[2], r[3], "%.2f" % ips, "%.4f" % float(r[5]),
                             r[6], "%.4f" % (ips * flops / 1e9 / gemm), r[8], r[9],
                             "%.3f" % (float(c[4]) / float(t[4])) if r is c else "1"])
    lines = ["# bench/train: corridor vs PyTorch training speed on the CPU (float32)",
             "# date=%s" % datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
             "# threads=%d steps=%d warmup=%d batch=128" % (a.threads, a.steps, a.warmup),
             "# OPENBLAS_CORETYPE=%s" % os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
             "# gemm_peak_gflops=%.2f (oneDNN sgemm 2048^3, %d threads)" % (gemm, a.threads),
             "framework\tmodel\tbatch\tthreads\timg_per_s\tstep_s\tpeak_rss_mb\t"
             "gemm_peak_fraction\tloss_last\tbackend\tspeed_ratio_vs_torch"]
    lines += ["\t".join(r) for r in rows]
    text = "\n".join(lines) + "\n"
    if a.out:
        with open(a.out + ".tmp", "w") as f:
            f.write(text)
        os.replace(a.out + ".tmp", a.out)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
