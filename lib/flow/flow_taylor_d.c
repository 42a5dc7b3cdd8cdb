/* flow_taylor_d.c -- the Taylor integrator (flow_taylor_source.c) in double. */
#include "taylor_ops_d.h"

#define TWT cor_taylor_d
#define TW_ALLOC(tape, p, prec) cor_taylor_d_alloc((tape), (p))
#define TW_FREE(w) cor_taylor_d_free(w)
#define TW_ODE(w, x, x0, p) cor_taylor_d_ode((w), (x), (x0), (p))
#define TW_EVENT(w, s, h) cor_taylor_d_event((w), (s), *(h))
#define TW_PROFILE(w, pk, p) ((void)(w), (void)(pk), (void)(p))
#define BACKEND cor_flow_taylor_d_backend_internal
#include "flow_taylor_source.c"
