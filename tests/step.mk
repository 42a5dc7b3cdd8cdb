# objective and stepper tests (owned by the objective and step modules)
check_PROGRAMS += check_step check_objective
TESTS += check_step check_objective
