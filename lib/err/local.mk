libcorridor_la_SOURCES += err/err.c
pkginclude_HEADERS += err/cor_err.h err/cor_errors.def
