libcorridor_la_SOURCES += sys/sys.c
pkginclude_HEADERS += sys/cor_sys.h
