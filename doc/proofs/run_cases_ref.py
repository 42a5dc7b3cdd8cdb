#!/usr/bin/python3
"""Independent reference values for tests/run_cases.tsv that PREDICTIONS.md states by formula
only (exact rationals and the cone after the apex crossing). Pure Python: fractions.Fraction
for the exact iterates, decimal.Decimal at 400 digits for sqrt(14) and the RK4 quadratic. It
never runs corridor. Usage: /usr/bin/python3 doc/proofs/run_cases_ref.py (prints
`name<TAB>value` lines, 330 significant digits, enough for 1024-bit comparisons).

Formulas (PREDICTIONS.md):
  P6  heavy-ball, v0 = 0, beta = 9/10, h = 1/20: tau_k = h/(1-b) [k - b(1-b^k)/(1-b)];
      linear 2x - y + 1 from (1,1): theta_k = (1 - 2 tau_k, 1 + tau_k);
      cone |theta| from (3,-1,2): 1-D recursion along the ray u = (3,-1,2)/sqrt(14),
      r_0 = sqrt(14), v_{k+1} = b v_k - h sign(r_k), r_{k+1} = r_k + v_{k+1};
      r_k = sqrt(14) + q_k with q_k rational, the sign of r_k decided at 400 digits.
      loss = |r_k|, theta_1 = 3 r_k / sqrt(14).
  (iv) GD h = 1 on the cone: r_k = sqrt(14) - k until r < 0, then the 2-cycle;
      GD h = 1/10 (and RK4), 20 steps: theta0 (1 - 2/sqrt(14)) (P3, P8).
  P8  RK4 on 0.5(x^2 + 10 y^2) from (1,1), h = 1/100, 200 steps: theta = (R(-h)^200,
      R(-10h)^200) with R(z) = 1 + z + z^2/2 + z^3/6 + z^4/24 (exact rationals);
      distance to GF(2) = (e^-2, e^-20) at 400 digits.
"""
from decimal import Decimal, getcontext
from fractions import Fraction as F

getcontext().prec = 400
DIG = 330
S14 = Decimal(14).sqrt()


def dec(q):
    """Fraction -> Decimal at the context precision."""
    return Decimal(q.numerator) / Decimal(q.denominator)


def out(name, x):
    if isinstance(x, F):
        x = dec(x)
    print("%s\t%s" % (name, format(x, ".%de" % (DIG - 1))))


b, h = F(9, 10), F(1, 20)


def tau(k):
    return h / (1 - b) * (k - b * (1 - b ** k) / (1 - b))


for k in (1, 2, 3, 5, 10, 14, 15, 100):
    t = tau(k)
    out("hb_lin_k%d_theta_1" % k, 1 - 2 * t)
    out("hb_lin_k%d_theta_2" % k, 1 + t)

# cone: exact 1-D recursion (the closed form for k <= 14 is the same numbers)
q, v = F(0), F(0)
for k in range(1, 61):
    r = S14 + dec(q)
    sgn = 1 if r > 0 else -1
    v = b * v - h * sgn
    q = q + v
    r = S14 + dec(q)
    if k in (1, 5, 10, 14, 15, 16, 20, 30, 45, 60):
        out("hb_cone_k%d_loss" % k, abs(r))
        out("hb_cone_k%d_theta_1" % k, 3 * r / S14)

# (iv) GD h = 1 on the cone
r = S14
for k in range(1, 12):
    r = r - (1 if r > 0 else -1)
    if k >= 3:
        out("gd1_cone_k%d_loss" % k, abs(r))
        out("gd1_cone_k%d_theta_1" % k, 3 * r / S14)
out("sqrt14", S14)
for i, c in enumerate((3, -1, 2)):
    out("cone_gf2_theta_%d" % (i + 1), c * (1 - 2 / S14))


def R(z):
    return 1 + z + z ** 2 / 2 + z ** 3 / 6 + z ** 4 / 24


x = R(F(-1, 100)) ** 200
y = R(F(-10, 100)) ** 200
out("rk4_quad_theta_1", x)
out("rk4_quad_theta_2", y)
ex = dec(x) - Decimal(-2).exp()
ey = dec(y) - Decimal(-20).exp()
out("rk4_quad_err_1", ex)
out("rk4_quad_err_2", ey)
out("rk4_quad_dist_flow", (ex * ex + ey * ey).sqrt())
