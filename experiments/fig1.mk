# Figure 1 (Dherin & Rosca 2024, Sec. 2.1): (a) the cone |theta| with straight lines of
# steepest descent, (b) a loss surface glued from corridors with one steepest-descent path.
# `make tables` writes the four TSVs, `make figures` renders doc/figures/fig1a.png, fig1b.png.
noinst_PROGRAMS += exp_fig1
exp_fig1_SOURCES = exp_fig1.c

FIG1_TABLES = $(RESULTS)/fig1a_surface.tsv $(RESULTS)/fig1a_lines.tsv \
	$(RESULTS)/fig1b_surface.tsv $(RESULTS)/fig1b_path.tsv
TABLES += $(FIG1_TABLES)
FIGURES += $(FIGDIR)/fig1a.png $(FIGDIR)/fig1b.png
EXTRA_DIST += figures/fig_fig1a.gp figures/fig_fig1b.gp

# one table per run (--only), so that each target has its own rule
$(RESULTS)/fig1a_surface.tsv: exp_fig1$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_fig1$(EXEEXT) -o $(RESULTS) --only fig1a_surface
$(RESULTS)/fig1a_lines.tsv: exp_fig1$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_fig1$(EXEEXT) -o $(RESULTS) --only fig1a_lines
$(RESULTS)/fig1b_surface.tsv: exp_fig1$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_fig1$(EXEEXT) -o $(RESULTS) --only fig1b_surface
$(RESULTS)/fig1b_path.tsv: exp_fig1$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_fig1$(EXEEXT) -o $(RESULTS) --only fig1b_path

if HAVE_GNUPLOT
$(FIGDIR)/fig1a.png: $(srcdir)/figures/fig_fig1a.gp $(RESULTS)/fig1a_surface.tsv \
		$(RESULTS)/fig1a_lines.tsv
	@$(MKDIR_P) $(FIGDIR)
	$(AM_V_GEN)$(GNUPLOT) -e "resdir='$(RESULTS)'; out='$@'" $(srcdir)/figures/fig_fig1a.gp
$(FIGDIR)/fig1b.png: $(srcdir)/figures/fig_fig1b.gp $(RESULTS)/fig1b_surface.tsv \
		$(RESULTS)/fig1b_path.tsv
	@$(MKDIR_P) $(FIGDIR)
	$(AM_V_GEN)$(GNUPLOT) -e "resdir='$(RESULTS)'; out='$@'" $(srcdir)/figures/fig_fig1b.gp
else
$(FIGDIR)/fig1a.png $(FIGDIR)/fig1b.png:
	@echo "gnuplot not found (configure did not find it): skipping $@"
endif
