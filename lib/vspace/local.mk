# vspace: vector spaces, vectors and scalars over f64, f32 and MPFR (STYLE.md section 3).
# vspace_real_source.c is a template included by vspace_f64.c and vspace_f32.c, not compiled.
libcorridor_la_SOURCES += vspace/vspace.c vspace/vspace_f64.c vspace/vspace_f32.c \
    vspace/vspace_mpfr.c
pkginclude_HEADERS += vspace/cor_vspace.h
noinst_HEADERS += vspace/vspace_impl.h vspace/vspace_real_source.c vspace/templates_on.h \
    vspace/templates_off.h
