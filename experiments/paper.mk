# Figures 2-9 of the paper (Dherin & Rosca 2024, Sec. 4.2 and App. B): the corridor learning
# rate (CLR) in network training, against SGD with constant rates, across batch sizes, capped,
# its value per step, and loss and |H grad L| along its trajectory. doc/paper_figures.md.
#
#   paper_train.sh       runs the grid of `corridor train` runs (logs under RESULTS/train/SCALE)
#   exp_train_subset     the class-balanced Fashion-MNIST subset the small scale trains on
#   exp_train_summary    the per-figure tables and the claims' verdicts, from the logs
#   figures/fig_paper_*.gp  the figures, from the tables
#
# `make tables` / `make reproduce`: the small scale (real Fashion-MNIST, resnet-small, vgg-small,
# cnn-small; about 3 minutes on 2 cores, 6 to 7 for the whole `make reproduce`), tables RESULTS/paper_*.tsv, figures
# FIGDIR/paper_fig2.png ... paper_fig9.png.
# `make reproduce-paper CIFAR10=DIR [IMAGENET=DIR]`: the paper's scale, tables in
# RESULTS/paper-scale/, figures in FIGDIR/paper-scale/.
# `make clean-paper`: removes the small scale's runs (they are kept between invocations: the
# driver only runs what is missing). `make figures PAPER_RUN_GRID=no`: tables and figures from
# the runs already made, running none.
noinst_PROGRAMS += exp_train_subset exp_train_summary
exp_train_subset_SOURCES = exp_train_subset.c
exp_train_summary_SOURCES = exp_train_summary.c
EXTRA_DIST += paper_train.sh figures/fig_paper_common.gp figures/fig_paper_sweep.gp \
	figures/fig_paper_batch.gp figures/fig_paper_lr.gp figures/fig_paper_hg.gp

PAPER_JOBS = 2
PAPER_TARGET = 0.01
PAPER_RUNS = $(RESULTS)/train/small
PAPER_NAMES = fig2 fig3 fig4 fig5 fig6 fig7 fig8 fig9
PAPER_TABLES = $(RESULTS)/paper_runs.tsv $(RESULTS)/paper_fig2.tsv $(RESULTS)/paper_fig3.tsv \
	$(RESULTS)/paper_fig4.tsv $(RESULTS)/paper_fig5.tsv $(RESULTS)/paper_fig6.tsv \
	$(RESULTS)/paper_fig7.tsv $(RESULTS)/paper_fig8.tsv $(RESULTS)/paper_fig9.tsv
PAPER_FIGURES = $(FIGDIR)/paper_fig2.png $(FIGDIR)/paper_fig3.png $(FIGDIR)/paper_fig4.png \
	$(FIGDIR)/paper_fig5.png $(FIGDIR)/paper_fig6.png $(FIGDIR)/paper_fig7.png \
	$(FIGDIR)/paper_fig8.png $(FIGDIR)/paper_fig9.png
TABLES += $(PAPER_TABLES)
FIGURES += $(PAPER_FIGURES)

# The runs: the driver runs every time (it skips the runs whose logs exist, so a finished grid
# costs nothing; a stamp could not tell a finished grid from an interrupted one), then the
# summary writes all tables at once (one stamp for them). PAPER_RUN_GRID=no: tables and
# figures from the logs already there, without running anything.
PAPER_RUN_GRID = yes
$(PAPER_RUNS)/tables.stamp: paper-grid exp_train_summary$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_train_summary$(EXEEXT) --runs $(PAPER_RUNS)/runs -o $(RESULTS) \
	    --prefix paper_ --target $(PAPER_TARGET) --scale small \
	    --label "Fashion-MNIST, 256 training images"
	@touch $@
paper-grid: corridor$(EXEEXT) exp_train_subset$(EXEEXT)
	@$(MKDIR_P) $(PAPER_RUNS)
	@if test '$(PAPER_RUN_GRID)' != no; then \
	    echo "$(SHELL) $(srcdir)/paper_train.sh --scale small --out $(PAPER_RUNS) ..."; \
	    $(SHELL) $(srcdir)/paper_train.sh --scale small --out $(PAPER_RUNS) \
	        --jobs $(PAPER_JOBS) --corridor ./corridor$(EXEEXT) \
	        --subset ./exp_train_subset$(EXEEXT) || exit 1; \
	fi
$(PAPER_TABLES): $(PAPER_RUNS)/tables.stamp
	@test -f $@ || { rm -f $(PAPER_RUNS)/tables.stamp; \
	    $(MAKE) $(AM_MAKEFLAGS) $(PAPER_RUNS)/tables.stamp; }

PAPER_GP = $(srcdir)/figures/fig_paper_common.gp $(srcdir)/figures/fig_paper_sweep.gp \
	$(srcdir)/figures/fig_paper_batch.gp $(srcdir)/figures/fig_paper_lr.gp \
	$(srcdir)/figures/fig_paper_hg.gp
# paper_figure TABLE PNG SCRIPT-SUFFIX (a shell fragment)
paper_figure = $(GNUPLOT) -e "in='$$tab'; out='$$png'; dir='$(srcdir)/figures/'" \
	$(srcdir)/figures/fig_paper_$$gp.gp

if HAVE_GNUPLOT
$(PAPER_FIGURES): $(PAPER_GP) $(PAPER_RUNS)/tables.stamp
	@$(MKDIR_P) $(FIGDIR)
	$(AM_V_GEN)n=`basename $@ .png | sed 's/^paper_//'`; tab=$(RESULTS)/paper_$$n.tsv; png=$@; \
	    case $$n in fig2|fig5|fig6|fig8) gp=sweep;; fig3|fig9) gp=batch;; fig4) gp=lr;; \
	    fig7) gp=hg;; esac; \
	    if test -f $$tab; then $(paper_figure); else echo "no $$tab: $@ not drawn"; fi
else
$(PAPER_FIGURES):
	@echo "gnuplot not found (configure did not find it): skipping $@"
endif

# The paper's scale: CIFAR-10 (binary version) in CIFAR10=DIR, ImageNet in IMAGENET=DIR.
PAPER_SCALE_DIR = $(RESULTS)/paper-scale
reproduce-paper: corridor$(EXEEXT) exp_train_subset$(EXEEXT) exp_train_summary$(EXEEXT)
	@if test -z '$(CIFAR10)$(IMAGENET)'; then \
	    echo "reproduce-paper: give CIFAR10=DIR (cifar-10-batches-bin) and/or IMAGENET=DIR"; \
	    exit 2; fi
	cifar='$(CIFAR10)'; imagenet='$(IMAGENET)'; \
	$(SHELL) $(srcdir)/paper_train.sh --scale paper --out $(RESULTS)/train/paper \
	    --jobs 1 --corridor ./corridor$(EXEEXT) $${cifar:+--cifar10 "$$cifar"} \
	    $${imagenet:+--imagenet "$$imagenet"}
	@$(MKDIR_P) $(PAPER_SCALE_DIR)
	./exp_train_summary$(EXEEXT) --runs $(RESULTS)/train/paper/runs -o $(PAPER_SCALE_DIR) \
	    --prefix paper_ --target $(PAPER_TARGET) --scale paper
	@if test -z '$(GNUPLOT)'; then echo "gnuplot not found: no figures"; else \
	    $(MKDIR_P) $(FIGDIR)/paper-scale; \
	    for n in $(PAPER_NAMES); do \
	        tab=$(PAPER_SCALE_DIR)/paper_$$n.tsv; png=$(FIGDIR)/paper-scale/paper_$$n.png; \
	        case $$n in fig2|fig5|fig6|fig8) gp=sweep;; fig3|fig9) gp=batch;; fig4) gp=lr;; \
	        fig7) gp=hg;; esac; \
	        if test -f $$tab; then echo "  GEN      $$png"; $(paper_figure) || exit 1; fi; \
	    done; fi
	@$(SHELL) $(srcdir)/summary.sh $(PAPER_SCALE_DIR)

clean-paper:
	rm -rf $(PAPER_RUNS) $(PAPER_TABLES) $(PAPER_FIGURES)

.PHONY: reproduce-paper clean-paper paper-grid
