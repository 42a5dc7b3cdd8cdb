/* nn_ref.c -- instantiates the reference kernels (nn_ref_source.c) for float and double. */
#include <config.h>

#include <math.h>

#include "nn_impl.h"

#define T float
#define SUF f32
#include "nn_ref_source.c"
#undef T
#undef SUF

#define T double
#define SUF f64
#include "nn_ref_source.c"
#undef T
#undef SUF
