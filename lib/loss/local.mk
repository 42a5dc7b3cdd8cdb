# loss zoo: built-in families, data sets and batches (lib/loss/cor_loss.h)
libcorridor_la_SOURCES += loss/loss.c loss/spec.c loss/geometric.c loss/smooth.c \
	loss/nets.c loss/data.c
pkginclude_HEADERS += loss/cor_loss.h
noinst_HEADERS += loss/loss_impl.h
