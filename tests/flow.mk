# Unit tests of the Taylor-mode AD (lib/eval/taylor_*) and the flow integrators (lib/flow).
check_PROGRAMS += check_flow
TESTS += check_flow
