/* flow_taylor_mpfr.c -- the Taylor integrator (flow_taylor_source.c) in MPFR. */
#include "taylor_ops_mpfr.h"

#define TWT cor_taylor_mpfr
#define TW_ALLOC(tape, p, prec) cor_taylor_mpfr_alloc((tape), (p), (prec))
#define TW_FREE(w) cor_taylor_mpfr_free(w)
#define TW_ODE(w, x, x0, p) cor_taylor_mpfr_ode((w), (mpfr_t *)(x), (const mpfr_t *)(x0), (p))
#define TW_EVENT(w, s, h) cor_taylor_mpfr_event((w), (s), (h))
#define TW_PROFILE(w, pk, p) cor_taylor_mpfr_set_prec_profile((w), (pk), (p))
#define BACKEND cor_flow_taylor_mpfr_backend_internal
#include "flow_taylor_source.c"
