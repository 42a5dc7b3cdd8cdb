# Unit tests of lib/drift (modified losses and flows, series in h, E1/E2, SGD coefficients).
check_PROGRAMS += check_drift
TESTS += check_drift
