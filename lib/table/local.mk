# table writer: TSV/CSV/markdown/JSON with a metadata preamble, atomic file output
libcorridor_la_SOURCES += table/table.c
pkginclude_HEADERS += table/cor_table.h
