libcorridor_la_SOURCES += diff/diff.c
pkginclude_HEADERS += diff/cor_diff.h
