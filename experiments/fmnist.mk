# Issue 6's must-hold: a small CNN (cnn-medium) trained on the real Fashion-MNIST with CLR
# reaches >= 90% test accuracy in a few epochs, with SGD at a tuned constant step beside it.
# exp_fmnist.sh drives `corridor train` (doc/train.md); needs Debian's dataset-fashion-mnist.
EXTRA_DIST += exp_fmnist.sh
FMNIST_TABLES = $(RESULTS)/fmnist_clr_sgd.tsv
TABLES += $(FMNIST_TABLES)
$(RESULTS)/fmnist_clr_sgd.tsv: corridor$(EXEEXT) $(srcdir)/exp_fmnist.sh
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)CORRIDOR=./corridor$(EXEEXT) $(SHELL) $(srcdir)/exp_fmnist.sh -o $(RESULTS)
