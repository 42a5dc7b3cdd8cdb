# command-line tests (owned by the corridor driver), and the unit tests of the table writer
# that the driver's output goes through.
check_PROGRAMS += check_table
TESTS += check_table

# The scripts run experiments/corridor; `make check` descends into tests/ before experiments/,
# so build the driver first (a no-op when it is up to date).
TESTS += test_bad_input.sh test_probe.sh
dist_check_SCRIPTS += test_bad_input.sh test_probe.sh
EXTRA_DIST += bad_input.tsv
test_bad_input.sh.log test_probe.sh.log test_run_cases.sh.log: corridor-driver
corridor-driver:
	cd $(top_builddir)/experiments && $(MAKE) $(AM_MAKEFLAGS) corridor$(EXEEXT)
.PHONY: corridor-driver

# Public reference cases (ii)-(v), (viii) of PREDICTIONS.md through `corridor run`/`flow`
# (tests/run_cases.tsv), compared in MPFR by run_cases_cmp; golden shapes of `corridor run`.
check_PROGRAMS += run_cases_cmp
run_cases_cmp_SOURCES = run_cases_cmp.c
TESTS += test_run_cases.sh
dist_check_SCRIPTS += test_run_cases.sh
EXTRA_DIST += run_cases.tsv
