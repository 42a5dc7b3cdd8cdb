/* sys.c -- checked allocation and build information. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <gsl/gsl_version.h>
#include <mpfr.h>

#include "cor_err.h"
#include "cor_sys.h"

void *
cor_malloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        COR_ERROR(COR_ENOMEM, "cannot allocate %zu bytes", size);
    return p;
}

void *
cor_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        COR_ERROR(COR_ENOMEM, "cannot allocate %zu x %zu bytes", count, size);
    return p;
}

void *
cor_realloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        COR_ERROR(COR_ENOMEM, "cannot reallocate to %zu bytes", size);
    return p;
}

void *
cor_mallocarray(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
    {
        COR_ERROR(COR_ENOMEM, "allocation of %zu x %zu bytes overflows", count, size);
        return NULL;
    }
    return cor_malloc(count * size);
}

void
cor_free(void *ptr)
{
    free(ptr);
}

char *
cor_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = cor_malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

const char *
cor_version(void)
{
    return PACKAGE_VERSION;
}

const char *
cor_build_info(void)
{
    static char buf[512];
    if (!buf[0])
        snprintf(buf, sizeof buf, "corridor %s; configure %s; gmp %s; mpfr %s; gsl %s",
                 PACKAGE_VERSION, COR_CONFIGURE_FLAGS, gmp_version, mpfr_get_version(),
                 GSL_VERSION);
    return buf;
}
