# flow: gradient-flow integrators (Taylor in MPFR and double, GSL odeiv2, closed forms), and
# the Taylor-mode AD they run on (lib/eval/taylor_*: listed here so that eval/local.mk stays
# as it is; they may move there).
libcorridor_la_SOURCES += eval/taylor_mpfr.c eval/taylor_d.c
pkginclude_HEADERS += eval/cor_taylor.h
noinst_HEADERS += eval/taylor_ops_mpfr.h eval/taylor_ops_d.h
EXTRA_DIST += eval/taylor_source.c

libcorridor_la_SOURCES += flow/flow.c flow/flow_taylor_mpfr.c flow/flow_taylor_d.c \
    flow/flow_gsl.c flow/flow_exact.c
pkginclude_HEADERS += flow/cor_flow.h
noinst_HEADERS += flow/flow_impl.h
EXTRA_DIST += flow/flow_taylor_source.c
