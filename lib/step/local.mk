# discrete optimizers, one source file per algorithm, written against cor_vspace.h only
libcorridor_la_SOURCES += step/step.c step/gd.c step/heavyball.c step/nesterov.c step/rk.c \
	step/clr.c step/polyak.c step/sgd.c step/adam.c
pkginclude_HEADERS += step/cor_step.h
noinst_HEADERS += step/step_impl.h
