# Large steps, natural gradient and corridorness (lib/spectral): PREDICTIONS.md P12-P15, case
# (vii). `make tables` writes the TSVs under results/, `make figures` renders doc/figures/.
noinst_PROGRAMS += exp_largestep
exp_largestep_SOURCES = exp_largestep.c spectral_util.c spectral_util.h

LARGESTEP_TABLES = $(RESULTS)/largestep_quad.tsv $(RESULTS)/largestep_phase.tsv \
	$(RESULTS)/largestep_onset.tsv $(RESULTS)/largestep_identity.tsv \
	$(RESULTS)/largestep_eos.tsv
TABLES += $(LARGESTEP_TABLES)

$(RESULTS)/largestep_quad.tsv: exp_largestep$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_largestep$(EXEEXT) -o $(RESULTS) --only quad
$(RESULTS)/largestep_phase.tsv: exp_largestep$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_largestep$(EXEEXT) -o $(RESULTS) --only phase
$(RESULTS)/largestep_onset.tsv: exp_largestep$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_largestep$(EXEEXT) -o $(RESULTS) --only onset
$(RESULTS)/largestep_identity.tsv: exp_largestep$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_largestep$(EXEEXT) -o $(RESULTS) --only identity
$(RESULTS)/largestep_eos.tsv: exp_largestep$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_largestep$(EXEEXT) -o $(RESULTS) --only eos

LARGESTEP_FIGURES = $(FIGDIR)/largestep_quad.png $(FIGDIR)/largestep_phase.png \
	$(FIGDIR)/largestep_eos.png
FIGURES += $(LARGESTEP_FIGURES)
EXTRA_DIST += figures/fig_largestep_quad.gp figures/fig_largestep_phase.gp \
	figures/fig_largestep_eos.gp
# tables read by each figure beyond the one named after it
LARGESTEP_QUAD_DEPS = $(RESULTS)/largestep_quad.tsv
LARGESTEP_PHASE_DEPS = $(RESULTS)/largestep_phase.tsv $(RESULTS)/largestep_onset.tsv
LARGESTEP_EOS_DEPS = $(RESULTS)/largestep_eos.tsv

if HAVE_GNUPLOT
$(FIGDIR)/largestep_quad.png: $(srcdir)/figures/fig_largestep_quad.gp $(LARGESTEP_QUAD_DEPS)
	@$(MKDIR_P) $(FIGDIR)
	$(AM_V_GEN)$(GNUPLOT) -e "resdir='$(RESULTS)'; out='$@'" $(srcdir)/figures/fig_largestep_quad.gp
$(FIGDIR)/largestep_phase.png: $(srcdir)/figures/fig_largestep_phase.gp $(LARGESTEP_PHASE_DEPS)
	@$(MKDIR_P) $(FIGDIR)
	$(AM_V_GEN)$(GNUPLOT) -e "resdir='$(RESULTS)'; out='$@'" $(srcdir)/figures/fig_largestep_phase.gp
$(FIGDIR)/largestep_eos.png: $(srcdir)/figures/fig_largestep_eos.gp $(LARGESTEP_EOS_DEPS)
	@$(MKDIR_P) $(FIGDIR)
	$(AM_V_GEN)$(GNUPLOT) -e "resdir='$(RESULTS)'; out='$@'" $(srcdir)/figures/fig_largestep_eos.gp
else
$(LARGESTEP_FIGURES):
	@echo "gnuplot not found (configure did not find it): skipping $@"
endif

noinst_PROGRAMS += exp_natgrad
exp_natgrad_SOURCES = exp_natgrad.c spectral_util.c spectral_util.h
NATGRAD_TABLES = $(RESULTS)/natgrad_mc.tsv $(RESULTS)/natgrad_dln.tsv \
	$(RESULTS)/natgrad_conservation.tsv
TABLES += $(NATGRAD_TABLES)
$(RESULTS)/natgrad_mc.tsv: exp_natgrad$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_natgrad$(EXEEXT) -o $(RESULTS) --only mc
$(RESULTS)/natgrad_dln.tsv: exp_natgrad$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_natgrad$(EXEEXT) -o $(RESULTS) --only dln
$(RESULTS)/natgrad_conservation.tsv: exp_natgrad$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_natgrad$(EXEEXT) -o $(RESULTS) --only conservation
NATGRAD_FIGURES = $(FIGDIR)/natgrad_mc.png $(FIGDIR)/natgrad_dln.png
FIGURES += $(NATGRAD_FIGURES)
EXTRA_DIST += figures/fig_natgrad_mc.gp figures/fig_natgrad_dln.gp
if HAVE_GNUPLOT
$(FIGDIR)/natgrad_mc.png: $(srcdir)/figures/fig_natgrad_mc.gp $(RESULTS)/natgrad_mc.tsv
	@$(MKDIR_P) $(FIGDIR)
	$(AM_V_GEN)$(GNUPLOT) -e "resdir='$(RESULTS)'; out='$@'" $(srcdir)/figures/fig_natgrad_mc.gp
$(FIGDIR)/natgrad_dln.png: $(srcdir)/figures/fig_natgrad_dln.gp $(RESULTS)/natgrad_dln.tsv \
		$(RESULTS)/natgrad_conservation.tsv
	@$(MKDIR_P) $(FIGDIR)
	$(AM_V_GEN)$(GNUPLOT) -e "resdir='$(RESULTS)'; out='$@'" $(srcdir)/figures/fig_natgrad_dln.gp
else
$(NATGRAD_FIGURES):
	@echo "gnuplot not found (configure did not find it): skipping $@"
endif

noinst_PROGRAMS += exp_corridorness
exp_corridorness_SOURCES = exp_corridorness.c spectral_util.c spectral_util.h
TABLES += $(RESULTS)/corridorness.tsv
FIGURES += $(FIGDIR)/corridorness.png
EXTRA_DIST += figures/fig_corridorness.gp
$(RESULTS)/corridorness.tsv: exp_corridorness$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_corridorness$(EXEEXT) -o $(RESULTS)
if HAVE_GNUPLOT
$(FIGDIR)/corridorness.png: $(srcdir)/figures/fig_corridorness.gp $(RESULTS)/corridorness.tsv
	@$(MKDIR_P) $(FIGDIR)
	$(AM_V_GEN)$(GNUPLOT) -e "resdir='$(RESULTS)'; out='$@'" $(srcdir)/figures/fig_corridorness.gp
else
$(FIGDIR)/corridorness.png:
	@echo "gnuplot not found (configure did not find it): skipping $@"
endif
