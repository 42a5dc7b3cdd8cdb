# benchmarks add themselves here

# bench_grad: gradient through the tape vs hand-written code (rosenbrock, logistic; double
# and MPFR 256 bits). Writes bench_grad.tsv; exits 1 if the two gradients disagree.
EXTRA_PROGRAMS += bench_grad
bench_grad_SOURCES = bench_grad.c
CLEANFILES += bench_grad.tsv
bench-grad: bench_grad$(EXEEXT)
	./bench_grad$(EXEEXT) > bench_grad.tsv.tmp && mv bench_grad.tsv.tmp bench_grad.tsv
	@cat bench_grad.tsv
BENCH_TARGETS += bench-grad
.PHONY: bench-grad
