# command-line tests (owned by the corridor driver), and the unit tests of the table writer
# that the driver's output goes through.
check_PROGRAMS += check_table
TESTS += check_table

# The scripts run experiments/corridor; `make check` descends into tests/ before experiments/,
# so build the driver first (a no-op when it is up to date).
TESTS += test_bad_input.sh test_probe.sh
dist_check_SCRIPTS += test_bad_input.sh test_probe.sh
EXTRA_DIST += bad_input.tsv
test_bad_input.sh.log test_probe.sh.log: corridor-driver
corridor-driver:
	cd $(top_builddir)/experiments && $(MAKE) $(AM_MAKEFLAGS) corridor$(EXEEXT)
.PHONY: corridor-driver
