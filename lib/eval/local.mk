libcorridor_la_SOURCES += eval/tape.c eval/eval_d.c eval/eval_mpfr.c
pkginclude_HEADERS += eval/cor_eval.h
noinst_HEADERS += eval/eval_impl.h
