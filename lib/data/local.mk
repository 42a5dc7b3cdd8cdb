# data sets (IDX, CIFAR-10 binary, ImageNet JPEG folders), augmentation, counter-based RNG and
# the batch loader thread, for the trainer
libcorridor_la_SOURCES += data/rng.c data/dataset.c data/imagenet.c data/augment.c \
	data/loader.c
pkginclude_HEADERS += data/cor_data.h
noinst_HEADERS += data/data_impl.h
