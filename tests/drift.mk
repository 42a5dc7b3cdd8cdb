# Unit tests of lib/drift (modified losses and flows, series in h, E1/E2, SGD coefficients),
# and the drift experiments in --quick mode plus `corridor run --compare` (a shell test).
check_PROGRAMS += check_drift
TESTS += check_drift test_drift_exps.sh
dist_check_SCRIPTS += test_drift_exps.sh

# `make check` descends into tests/ before experiments/: build the programs first (the log
# target is named through a variable so that automake still generates its own rule for it)
DRIFT_EXPS_LOG = test_drift_exps.sh.log
$(DRIFT_EXPS_LOG): drift-programs
drift-programs:
	cd $(top_builddir)/experiments && $(MAKE) $(AM_MAKEFLAGS) corridor$(EXEEXT) \
	    exp_orders$(EXEEXT) exp_sgd$(EXEEXT) exp_hbmod$(EXEEXT)
.PHONY: drift-programs
