# drift: modified losses and flows of backward error analysis (IGR, MOD3, SGD, heavy ball),
# a Taylor integrator for general fields, series in the step size, order fits.
libcorridor_la_SOURCES += drift/modified.c drift/ode.c drift/drift_flow.c drift/hseries.c \
    drift/fit.c drift/variational.c
pkginclude_HEADERS += drift/cor_drift.h
