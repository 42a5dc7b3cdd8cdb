# checkpoints of training runs: sectioned files with CRC-32 checksums, written atomically
libcorridor_la_SOURCES += train/checkpoint.c
pkginclude_HEADERS += train/cor_train.h
