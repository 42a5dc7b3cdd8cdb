/* spectral_impl.h -- private helpers of lib/spectral (never installed). */
#ifndef COR_SPECTRAL_IMPL_H
#define COR_SPECTRAL_IMPL_H

#include "cor_spectral.h"

/* Returns from the enclosing function with the status of expr unless it is COR_OK. */
#define COR_SPEC_TRY(expr)                                                                  \
    do                                                                                      \
    {                                                                                       \
        int cor_spec_st_ = (expr);                                                          \
        if (cor_spec_st_ != COR_OK)                                                         \
            return cor_spec_st_;                                                            \
    } while (0)

/* s = 2^-e (e >= 0) exactly, by halving (works at every precision without a double that
 * could underflow). tmp is a scratch scalar of the same space. */
int cor_spectral_pow2m_internal(cor_scalar *s, unsigned long e, cor_scalar *tmp,
                                const cor_vspace *V);

#endif
