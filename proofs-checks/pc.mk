# theorem checks: each adds itself here

# Theorem 2.11 (corridor criterion H grad L = 0) on Examples 2.2-2.7 and P1
check_PROGRAMS += pc_thm2_11_corridor_criterion
TESTS += pc_thm2_11_corridor_criterion

# Theorem 3.1 (GD = GF on corridors; off-corridor local error -Hg/2 h^2 + O(h^3))
check_PROGRAMS += pc_thm3_1_gd_equals_gf
TESTS += pc_thm3_1_gd_equals_gf

# Lemma A.1 / Remark A.3 (heavy-ball on a corridor: GF line at times tau_k; lag vs scaled flow)
check_PROGRAMS += pc_lemA_1_heavyball
TESTS += pc_lemA_1_heavyball

# App. A.2 (RK4 exact on a corridor; stall when the stages straddle the apex)
check_PROGRAMS += pc_appA_2_rk4
TESTS += pc_appA_2_rk4

# Sec. 4 (CLR / Polyak step reaches L* in one step on a corridor; not on a quadratic)
check_PROGRAMS += pc_sec4_clr
TESTS += pc_sec4_clr

# Prop 2.10 (linear decrease of the loss along GF in a corridor; flow and GD)
check_PROGRAMS += pc_prop2_10_linear_decrease
TESTS += pc_prop2_10_linear_decrease

# App. C (quadratics: Hg = A(A theta + b); no corridor unless linear; the lower-dimensional
# exception A theta = -b_R with b_K != 0, and the finding on the paper's wording)
check_PROGRAMS += pc_appC_quadratics
TESTS += pc_appC_quadratics

# Remark A.2 (heavy-ball from an aligned initial velocity v0 = c g0 stays on the GF line at
# closed-form times; the steady-state start is the scaled flow exactly)
check_PROGRAMS += pc_remA_2_heavyball_aligned
TESTS += pc_remA_2_heavyball_aligned
