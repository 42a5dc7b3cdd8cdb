# bench_flow: corridor's Taylor flow integrator against Boost.Odeint (bulirsch_stoer,
# runge_kutta_fehlberg78 on mpfr_float) and mpmath.odefun, in one invocation; problems,
# tolerances and the reference checks are described at the top of flow/bench_flow.c.
# A peer whose package is missing (Boost headers at configure time; python3-mpmath at run
# time) is reported as "missing". Writes bench_flow.tsv.
EXTRA_PROGRAMS += bench_flow
bench_flow_SOURCES = flow/bench_flow.c
EXTRA_DIST += flow/flow_mpmath.py flow/flow_odeint.cpp
CLEANFILES += bench_flow.tsv bench_flow_c.dat bench_flow_d.dat
BENCH_FLOW_ODEINT =
if HAVE_BOOST_ODEINT
EXTRA_PROGRAMS += flow_odeint
flow_odeint_SOURCES = flow/flow_odeint.cpp
flow_odeint_CPPFLAGS =
flow_odeint_LDADD = $(LIBS)
BENCH_FLOW_ODEINT += flow_odeint$(EXEEXT)
endif
BENCH_FLOW_PY = /usr/bin/python3
BENCH_FLOW_ARGS =
bench-flow: bench_flow$(EXEEXT) $(BENCH_FLOW_ODEINT)
	./bench_flow$(EXEEXT) --odeint "$(BENCH_FLOW_ODEINT:%=./%)" \
	    --mpmath $(srcdir)/flow/flow_mpmath.py --python $(BENCH_FLOW_PY) \
	    $(BENCH_FLOW_ARGS) > bench_flow.tsv.tmp && mv bench_flow.tsv.tmp bench_flow.tsv
	@column -t -s '	' bench_flow.tsv
BENCH_TARGETS += bench-flow
.PHONY: bench-flow
