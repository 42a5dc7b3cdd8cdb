/* vspace_f32.c -- the f32 backend (float elements and scalars): vspace_real_source.c
 * instantiated with BASE_FLOAT. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <mpfr.h>

#include "cor_err.h"
#include "vspace_impl.h"

#define BASE_FLOAT
#include "templates_on.h"
#include "vspace_real_source.c"
#include "templates_off.h"
#undef BASE_FLOAT
