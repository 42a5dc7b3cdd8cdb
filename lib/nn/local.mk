# nn: float32 networks (layers, models, the training objective). nn_ref_source.c is a
# template included twice by nn_ref.c; nn_dnnl.c is the oneDNN backend (HAVE_DNNL).
libcorridor_la_SOURCES += nn/nn_ref.c nn/nn_model.c nn/nn_objective.c nn/nn_dnnl.c
pkginclude_HEADERS += nn/cor_nn.h
noinst_HEADERS += nn/nn_impl.h nn/nn_ref_source.c
