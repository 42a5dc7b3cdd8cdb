# theorem checks: each adds itself here

# Theorem 2.11 (corridor criterion H grad L = 0) on Examples 2.2-2.7 and P1
check_PROGRAMS += pc_thm2_11_corridor_criterion
TESTS += pc_thm2_11_corridor_criterion
