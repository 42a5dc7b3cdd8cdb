# extreme Hessian eigenvalues (Lanczos, power iteration) and natural-gradient directions
libcorridor_la_SOURCES += spectral/lanczos.c spectral/natgrad.c
pkginclude_HEADERS += spectral/cor_spectral.h
noinst_HEADERS += spectral/spectral_impl.h
