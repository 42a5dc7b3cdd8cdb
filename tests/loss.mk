# loss zoo tests (owned by the loss module)
check_PROGRAMS += check_loss
TESTS += check_loss
# every zoo family: double gradient/HVP vs 512-bit MPFR and centred differences
check_PROGRAMS += check_zoo
TESTS += check_zoo
