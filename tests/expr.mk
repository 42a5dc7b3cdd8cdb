check_PROGRAMS += check_expr check_diff check_eval
TESTS += check_expr check_diff check_eval
check_PROGRAMS += check_random_expr
TESTS += check_random_expr
