libcorridor_la_SOURCES += expr/pool.c expr/parse.c expr/print.c
pkginclude_HEADERS += expr/cor_expr.h
noinst_HEADERS += expr/expr_impl.h
