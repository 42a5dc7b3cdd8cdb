# Drift experiments (issue 5, first half): orders of GD against GF / IGR / MOD3 and P4's
# table (exp_orders), SGD's modified flow (exp_sgd), heavy ball's modified flow (exp_hbmod).
# `make tables` writes their TSVs under results/, `make figures` renders doc/figures/.
noinst_PROGRAMS += exp_orders exp_sgd exp_hbmod
DRIFT_UTIL = drift_util.c drift_util.h
exp_orders_SOURCES = exp_orders.c $(DRIFT_UTIL)
exp_sgd_SOURCES = exp_sgd.c $(DRIFT_UTIL)
exp_hbmod_SOURCES = exp_hbmod.c $(DRIFT_UTIL)

ORDERS_TABLES = $(RESULTS)/orders_sweep.tsv $(RESULTS)/orders_fit.tsv $(RESULTS)/orders_p4.tsv
SGD_TABLES = $(RESULTS)/sgd_epoch.tsv $(RESULTS)/sgd_coeffs.tsv $(RESULTS)/sgd_regulariser.tsv
HBMOD_TABLES = $(RESULTS)/hbmod.tsv
TABLES += $(ORDERS_TABLES) $(SGD_TABLES) $(HBMOD_TABLES)
FIGURES += $(FIGDIR)/fig_orders.png $(FIGDIR)/fig_sgd.png $(FIGDIR)/fig_hbmod.png
EXTRA_DIST += figures/fig_orders.gp figures/fig_sgd.gp figures/fig_hbmod.gp

# one run writes all tables of a program; the first is the target the others depend on
$(RESULTS)/orders_sweep.tsv: exp_orders$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_orders$(EXEEXT) --full -o $(RESULTS)
$(RESULTS)/orders_fit.tsv $(RESULTS)/orders_p4.tsv: $(RESULTS)/orders_sweep.tsv
$(RESULTS)/sgd_epoch.tsv: exp_sgd$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_sgd$(EXEEXT) --full -o $(RESULTS)
$(RESULTS)/sgd_coeffs.tsv $(RESULTS)/sgd_regulariser.tsv: $(RESULTS)/sgd_epoch.tsv
$(RESULTS)/hbmod.tsv: exp_hbmod$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_hbmod$(EXEEXT) --full -o $(RESULTS)

if HAVE_GNUPLOT
$(FIGDIR)/fig_orders.png: $(srcdir)/figures/fig_orders.gp $(RESULTS)/orders_sweep.tsv
	@$(MKDIR_P) $(FIGDIR)
	$(AM_V_GEN)$(GNUPLOT) -e "resdir='$(RESULTS)'; out='$@'" $(srcdir)/figures/fig_orders.gp
$(FIGDIR)/fig_sgd.png: $(srcdir)/figures/fig_sgd.gp $(RESULTS)/sgd_epoch.tsv
	@$(MKDIR_P) $(FIGDIR)
	$(AM_V_GEN)$(GNUPLOT) -e "resdir='$(RESULTS)'; out='$@'" $(srcdir)/figures/fig_sgd.gp
$(FIGDIR)/fig_hbmod.png: $(srcdir)/figures/fig_hbmod.gp $(RESULTS)/hbmod.tsv
	@$(MKDIR_P) $(FIGDIR)
	$(AM_V_GEN)$(GNUPLOT) -e "resdir='$(RESULTS)'; out='$@'" $(srcdir)/figures/fig_hbmod.gp
else
$(FIGDIR)/fig_orders.png $(FIGDIR)/fig_sgd.png $(FIGDIR)/fig_hbmod.png:
	@echo "gnuplot not found (configure did not find it): skipping $@"
endif
