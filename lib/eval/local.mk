libcorridor_la_SOURCES += eval/tape.c eval/eval_d.c eval/eval_mpfr.c eval/jit.c
pkginclude_HEADERS += eval/cor_eval.h
noinst_HEADERS += eval/eval_impl.h eval/jit.h
# libgccjit (optional, configure --with-jit): only jit.c needs its header
AM_CPPFLAGS += $(JIT_CFLAGS)
libcorridor_la_LIBADD += $(JIT_LIBS)
