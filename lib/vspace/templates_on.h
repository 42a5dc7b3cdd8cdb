/* templates_on.h -- macros that instantiate vspace_real_source.c for one real type (GSL's
 * templates_on.h). Define exactly one of BASE_DOUBLE or BASE_FLOAT, include this file,
 * then the template source, then templates_off.h.
 *
 *   BASE           the element and scalar type
 *   ACC            the accumulator of reductions and lincomb (double for both types)
 *   SHORT          the member name in the unions of vspace_impl.h (f64, f32)
 *   FUNCTION(n)    a static function name, e.g. FUNCTION(dot) -> f64_dot
 */
#if defined(BASE_DOUBLE)
#define BASE double
#define SHORT f64
#define BASE_KIND COR_F64
#define BASE_NAME "f64"
#define BASE_FMT "%.17g\n"
#define BASE_SQRT sqrt
#define BASE_FABS fabs
#define BASE_MPFR_GET mpfr_get_d
#define BASE_MPFR_SET mpfr_set_d
#define BASE_PARSE cor_vspace_parse_d_internal
#elif defined(BASE_FLOAT)
#define BASE float
#define SHORT f32
#define BASE_KIND COR_F32
#define BASE_NAME "f32"
#define BASE_FMT "%.9g\n"
#define BASE_SQRT sqrtf
#define BASE_FABS fabsf
#define BASE_MPFR_GET mpfr_get_flt
#define BASE_MPFR_SET mpfr_set_flt
#define BASE_PARSE cor_vspace_parse_f_internal
#else
#error "templates_on.h: define BASE_DOUBLE or BASE_FLOAT"
#endif

#define ACC double

#define COR_TPL_CONCAT2x(a, b) a##_##b
#define COR_TPL_CONCAT2(a, b) COR_TPL_CONCAT2x(a, b)
#define COR_TPL_CONCAT3x(a, b, c) a##_##b##_##c
#define COR_TPL_CONCAT3(a, b, c) COR_TPL_CONCAT3x(a, b, c)
#define FUNCTION(name) COR_TPL_CONCAT2(SHORT, name)
#define OPS_TABLE COR_TPL_CONCAT3(cor_vspace_ops, SHORT, internal)
