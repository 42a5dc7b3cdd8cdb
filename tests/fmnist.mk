# experiments/exp_fmnist.sh in --quick mode on a Fashion-MNIST subset (issue 6's table; the
# full run is `make reproduce`), and the logging columns of `corridor train` (sharpness,
# hg_norm, the free training accuracy) leaving the run unchanged.
TESTS += test_fmnist_quick.sh test_train_curvature.sh
dist_check_SCRIPTS += test_fmnist_quick.sh test_train_curvature.sh
# (log targets through variables, so that automake still generates its own rules for them)
FMNIST_QUICK_LOG = test_fmnist_quick.sh.log
TRAIN_CURVATURE_LOG = test_train_curvature.sh.log
$(FMNIST_QUICK_LOG) $(TRAIN_CURVATURE_LOG): corridor-driver
