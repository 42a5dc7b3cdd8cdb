check_PROGRAMS += check_err
TESTS += check_err
