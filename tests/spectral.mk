# sharpness (Lanczos, power iteration) and natural-gradient tests (owned by lib/spectral), and
# the --quick runs of its experiments (exp_largestep, exp_natgrad, exp_corridorness), which
# fail when a computed verdict does not hold.
check_PROGRAMS += check_spectral
TESTS += check_spectral test_spectral_experiments.sh
dist_check_SCRIPTS += test_spectral_experiments.sh
# `make check` descends into tests/ before experiments/: build the programs first
test_spectral_experiments.sh.log check_spectral.log: spectral-experiments
spectral-experiments:
	cd $(top_builddir)/experiments && $(MAKE) $(AM_MAKEFLAGS) exp_largestep$(EXEEXT) \
		exp_natgrad$(EXEEXT) exp_corridorness$(EXEEXT)
.PHONY: spectral-experiments
