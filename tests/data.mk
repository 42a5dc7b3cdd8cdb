# data sets, augmentation and the loader (lib/data); checkpoints and stepper state (lib/train,
# cor_step_state_*); the kill-and-resume test of `corridor train`
check_PROGRAMS += check_data check_train
TESTS += check_data check_train
TESTS += test_train_resume.sh
dist_check_SCRIPTS += test_train_resume.sh
EXTRA_DIST += make_quadrant_idx.py
# (through a variable: a plain "X.log:" rule would replace automake's own rule for X.log)
train_resume_log = test_train_resume.sh.log
$(train_resume_log): corridor-driver
