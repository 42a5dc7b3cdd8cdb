# objective interface (GSL multimin style) and the expression / batch objectives
libcorridor_la_SOURCES += objective/objective.c objective/expr_objective.c
pkginclude_HEADERS += objective/cor_objective.h
