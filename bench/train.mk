# bench/train: corridor's trainer against PyTorch (python3-torch) on the CPU, in one run:
# ResNet-18 and VGG-11 (CIFAR shape, batch 128), the 784-256-10 MLP on Fashion-MNIST.
# `make bench-train` writes bench_train.tsv (images/s, peak memory, GEMM-peak fraction).
EXTRA_PROGRAMS += bench_train
bench_train_SOURCES = train/bench_train.c
bench_train_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS)
bench_train_LDADD = $(LDADD) $(DNNL_LIBS)
EXTRA_DIST += train/torch_train.py train/run_bench.py
CLEANFILES += bench_train.tsv
bench-train: bench_train$(EXEEXT)
	/usr/bin/python3 $(srcdir)/train/run_bench.py ./bench_train$(EXEEXT) -o bench_train.tsv
BENCH_TARGETS += bench-train
.PHONY: bench-train
