# the pipeline of the Figure 2-9 analogues on the quick grid (experiments/paper_train.sh --quick,
# exp_train_summary, the fig_paper_*.gp scripts); doc/paper_figures.md
TESTS += test_paper_quick.sh
dist_check_SCRIPTS += test_paper_quick.sh
# (through a variable: a plain "X.log:" rule would replace automake's own rule for X.log)
paper_quick_log = test_paper_quick.sh.log
$(paper_quick_log): paper-programs
paper-programs:
	cd $(top_builddir)/experiments && $(MAKE) $(AM_MAKEFLAGS) corridor$(EXEEXT) \
	    exp_train_subset$(EXEEXT) exp_train_summary$(EXEEXT)
.PHONY: paper-programs
