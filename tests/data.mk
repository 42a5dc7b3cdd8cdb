# data sets, augmentation and the loader (lib/data); checkpoints and stepper state (lib/train,
# cor_step_state_*); the kill-and-resume test of `corridor train`
check_PROGRAMS += check_data check_train
TESTS += check_data check_train
