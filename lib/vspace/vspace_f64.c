/* vspace_f64.c -- the f64 backend (double elements and scalars): vspace_real_source.c
 * instantiated with BASE_DOUBLE. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <mpfr.h>

#include "cor_err.h"
#include "vspace_impl.h"

#define BASE_DOUBLE
#include "templates_on.h"
#include "vspace_real_source.c"
#include "templates_off.h"
#undef BASE_DOUBLE
