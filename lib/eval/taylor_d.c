/* taylor_d.c -- Taylor-mode AD on tapes in double: the template taylor_source.c on the
 * double scalar operations (constants rounded once to nearest). Allocates only in
 * cor_taylor_d_alloc. */
#include "config.h"

#include "cor_taylor.h"
#include "taylor_ops_d.h"

#define TW cor_taylor_d
#include "taylor_source.c"

cor_taylor_d *
cor_taylor_d_alloc(const cor_tape *tape, unsigned max_order)
{
    if (!tape)
    {
        COR_ERROR(COR_EINVAL, "cor_taylor_d_alloc: no tape");
        return NULL;
    }
    return tw_alloc(tape, max_order, 53);
}

void
cor_taylor_d_free(cor_taylor_d *w)
{
    tw_free(w);
}

unsigned
cor_taylor_d_max_order(const cor_taylor_d *w)
{
    return w->K;
}

int
cor_taylor_d_series(cor_taylor_d *w, double *out, const double *in, unsigned order)
{
    return tw_series(w, out, in, order);
}

int
cor_taylor_d_ode(cor_taylor_d *w, double *x, const double *x0, unsigned order)
{
    return tw_ode(w, x, x0, order);
}

int
cor_taylor_d_event(cor_taylor_d *w, double *s, double h)
{
    return tw_event(w, s, &h);
}
