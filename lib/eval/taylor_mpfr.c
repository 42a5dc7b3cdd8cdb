/* taylor_mpfr.c -- Taylor-mode AD on tapes in MPFR: the template taylor_source.c on the
 * MPFR scalar operations. Every coefficient is initialised once at the workspace precision
 * in cor_taylor_mpfr_alloc; order-0 values use MPFR's correctly rounded functions, higher
 * orders only +, -, *, / and integer scalings (no allocation). */
#include "config.h"

#include "cor_taylor.h"
#include "taylor_ops_mpfr.h"

#define TW cor_taylor_mpfr
#include "taylor_source.c"

cor_taylor_mpfr *
cor_taylor_mpfr_alloc(const cor_tape *tape, unsigned max_order, mpfr_prec_t prec)
{
    if (!tape)
    {
        COR_ERROR(COR_EINVAL, "cor_taylor_mpfr_alloc: no tape");
        return NULL;
    }
    if (prec < MPFR_PREC_MIN || prec > MPFR_PREC_MAX)
    {
        COR_ERROR(COR_EINVAL, "precision %ld is outside [%ld, %ld]", (long)prec,
                  (long)MPFR_PREC_MIN, (long)MPFR_PREC_MAX);
        return NULL;
    }
    return tw_alloc(tape, max_order, prec);
}

void
cor_taylor_mpfr_free(cor_taylor_mpfr *w)
{
    tw_free(w);
}

unsigned
cor_taylor_mpfr_max_order(const cor_taylor_mpfr *w)
{
    return w->K;
}

mpfr_prec_t
cor_taylor_mpfr_prec(const cor_taylor_mpfr *w)
{
    return mpfr_get_prec(&w->tmp);
}

int
cor_taylor_mpfr_series(cor_taylor_mpfr *w, mpfr_t *out, const mpfr_t *in, unsigned order)
{
    return tw_series(w, (TS *)out, (const TS *)in, order);
}

int
cor_taylor_mpfr_ode(cor_taylor_mpfr *w, mpfr_t *x, const mpfr_t *x0, unsigned order)
{
    return tw_ode(w, (TS *)x, (const TS *)x0, order);
}

int
cor_taylor_mpfr_event(cor_taylor_mpfr *w, mpfr_ptr s, mpfr_srcptr h)
{
    return tw_event(w, s, h);
}

void
cor_taylor_mpfr_term_envelope(const cor_taylor_mpfr *w, double *l, unsigned order, double lh)
{
    tw_term_envelope(w, l, order, lh);
}

void
cor_taylor_mpfr_set_prec_profile(cor_taylor_mpfr *w, const mpfr_prec_t *prec, unsigned order)
{
    tw_set_profile(w, prec, order, (long)mpfr_get_prec(&w->tmp));
}
