# loss zoo tests (owned by the loss module)
check_PROGRAMS += check_loss
TESTS += check_loss
