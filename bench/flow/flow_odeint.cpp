// flow_odeint.cpp -- the Boost.Odeint peer of bench_flow: the gradient flow of the bench
// problems with bulirsch_stoer or a controlled runge_kutta_fehlberg78 (integrate_adaptive) on
// boost::multiprecision::mpfr_float at a run-time precision, hand-written gradients.
//
// Usage: flow_odeint bs|rkf78 quad|rosen|logistic TOL BITS T REPS DATAFILE|-
// Prints "median_time_s runs steps" and then theta_i(T), one decimal per line. The solve is
// repeated REPS times (fewer once the runs took 20 s together); the time is the median.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include <boost/multiprecision/mpfr.hpp>
#include <boost/numeric/odeint.hpp>

namespace mp = boost::multiprecision;
namespace ode = boost::numeric::odeint;
typedef mp::mpfr_float real;
typedef std::vector<real> state;

// A multiprecision number names itself as its value_type; stop odeint's recursion through
// value_type at the scalar.
namespace boost
{
namespace numeric
{
namespace odeint
{
namespace detail
{
template <> struct extract_value_type<real, void>
{
    typedef real type;
};
} // namespace detail
} // namespace odeint
} // namespace numeric
} // namespace boost

struct problem
{
    std::string kind;
    std::vector<std::vector<real>> ya; // logistic: y_i a_i (the data's rows, scaled by y)
    real invN;

    // dxdt = -grad L(x)
    void operator()(const state &x, state &dxdt, real /*t*/) const
    {
        if (kind == "quad")
        {
            dxdt[0] = -x[0];
            dxdt[1] = -10 * x[1];
        }
        else if (kind == "rosen")
        {
            real r = x[1] - x[0] * x[0];
            dxdt[0] = (1 - x[0]) + 20 * x[0] * r;
            dxdt[1] = -10 * r;
        }
        else
        {
            // L = (1/N) sum log(1 + exp(-<ya_i, w>)); -grad L = (1/N) sum ya_i sigma(-<ya_i, w>)
            size_t n = x.size();
            for (size_t j = 0; j < n; j++)
                dxdt[j] = 0;
            for (const auto &r : ya)
            {
                real u = 0;
                for (size_t j = 0; j < n; j++)
                    u += r[j] * x[j];
                real s = 1 / (1 + exp(u));
                for (size_t j = 0; j < n; j++)
                    dxdt[j] += r[j] * s;
            }
            for (size_t j = 0; j < n; j++)
                dxdt[j] *= invN;
        }
    }
};

int
main(int argc, char **argv)
{
    if (argc != 8)
    {
        std::cerr << "usage: flow_odeint bs|rkf78 quad|rosen|logistic TOL BITS T REPS DATA\n";
        return 2;
    }
    std::string method = argv[1];
    long bits = std::atol(argv[4]);
    int reps = std::atoi(argv[6]);
    unsigned digits10 = (unsigned)std::ceil(bits * 0.30102999566398120) + 1;
    real::default_precision(digits10);
    real tol(argv[3]), T(argv[5]);
    problem pr;
    pr.kind = argv[2];
    state x0;
    if (pr.kind == "quad")
        x0 = {real(1), real(1)};
    else if (pr.kind == "rosen")
        x0 = {real("-1.2"), real(1)};
    else if (pr.kind == "logistic")
    {
        std::ifstream in(argv[7]);
        size_t N, n;
        if (!(in >> N >> n))
        {
            std::cerr << "flow_odeint: cannot read " << argv[7] << "\n";
            return 1;
        }
        for (size_t i = 0; i < N; i++)
        {
            int y;
            in >> y;
            std::vector<real> r(n);
            for (size_t j = 0; j < n; j++)
            {
                std::string s;
                in >> s;
                r[j] = real(s) * y;
            }
            pr.ya.push_back(r);
        }
        pr.invN = real(1) / N;
        x0.assign(n, real(0));
    }
    else
    {
        std::cerr << "flow_odeint: unknown problem " << pr.kind << "\n";
        return 2;
    }
    if (method != "bs" && method != "rkf78")
    {
        std::cerr << "flow_odeint: unknown method " << method << "\n";
        return 2;
    }
    std::vector<double> times;
    state x;
    size_t steps = 0;
    double total = 0;
    for (int r = 0; r < reps && (r == 0 || total < 20); r++)
    {
        x = x0;
        auto t0 = std::chrono::steady_clock::now();
        real dt0 = real("1e-3");
        if (method == "bs")
        {
            ode::bulirsch_stoer<state, real> st(tol, tol);
            steps = ode::integrate_adaptive(st, pr, x, real(0), T, dt0);
        }
        else
        {
            auto st = ode::make_controlled(tol, tol, ode::runge_kutta_fehlberg78<state, real>());
            steps = ode::integrate_adaptive(st, pr, x, real(0), T, dt0);
        }
        double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        times.push_back(dt);
        total += dt;
    }
    std::sort(times.begin(), times.end());
    size_t m = times.size();
    double med = m % 2 ? times[m / 2] : 0.5 * (times[m / 2 - 1] + times[m / 2]);
    std::printf("%.9f %zu %zu\n", med, m, steps);
    std::cout << std::setprecision(digits10 + 5) << std::scientific;
    for (const auto &v : x)
        std::cout << v << "\n";
    return 0;
}
