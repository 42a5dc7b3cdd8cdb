# flow_mpmath.py -- the mpmath peer of bench_flow: the gradient flow of the bench problems with
# mpmath.odefun (its Taylor-series method) at a given binary precision and tolerance,
# hand-written gradients. Run with Debian's /usr/bin/python3 (python3-mpmath).
#
# Usage: flow_mpmath.py taylor quad|rosen|logistic TOL BITS T REPS DATAFILE|-
# Prints "median_time_s runs 0" (odefun does not expose its step count) and then
# theta_i(T), one decimal per line. The solve is repeated REPS times (fewer once the runs
# took 20 s together); the time is the median.
import sys
import time

from mpmath import mp, mpf, odefun, exp, nstr


def main():
    if len(sys.argv) != 8:
        sys.stderr.write("usage: flow_mpmath.py taylor quad|rosen|logistic TOL BITS T REPS DATA\n")
        return 2
    _, method, kind, tol, bits, T, reps, data = sys.argv
    mp.prec = int(bits)
    tol = mpf(tol)
    T = mpf(T)
    reps = int(reps)
    if kind == "quad":
        x0 = [mpf(1), mpf(1)]

        def F(t, x):
            return [-x[0], -10 * x[1]]
    elif kind == "rosen":
        x0 = [mpf("-1.2"), mpf(1)]

        def F(t, x):
            r = x[1] - x[0] * x[0]
            return [(1 - x[0]) + 20 * x[0] * r, -10 * r]
    elif kind == "logistic":
        with open(data) as fp:
            words = fp.read().split()
        N, n = int(words[0]), int(words[1])
        ya = []
        k = 2
        for i in range(N):
            y = int(words[k])
            ya.append([mpf(w) * y for w in words[k + 1:k + 1 + n]])
            k += 1 + n
        invN = mpf(1) / N
        x0 = [mpf(0)] * n

        def F(t, x):
            d = [mpf(0)] * n
            for r in ya:
                u = mpf(0)
                for j in range(n):
                    u += r[j] * x[j]
                s = 1 / (1 + exp(u))
                for j in range(n):
                    d[j] += r[j] * s
            return [v * invN for v in d]
    else:
        sys.stderr.write("flow_mpmath.py: unknown problem %s\n" % kind)
        return 2
    times = []
    total = 0.0
    res = None
    steps = 0
    for r in range(reps):
        if r and total >= 20:
            break
        t0 = time.perf_counter()
        f = odefun(F, 0, x0, tol=tol)
        res = f(T)
        dt = time.perf_counter() - t0
        times.append(dt)
        total += dt
    times.sort()
    m = len(times)
    med = times[m // 2] if m % 2 else 0.5 * (times[m // 2 - 1] + times[m // 2])
    print("%.9f %d %d" % (med, m, steps))
    digits = int(int(bits) * 0.30103) + 5
    for v in res:
        print(nstr(v, digits, min_fixed=1, max_fixed=0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
