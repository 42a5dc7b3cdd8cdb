/* templates_off.h -- undoes templates_on.h. */
#undef BASE
#undef SHORT
#undef BASE_KIND
#undef BASE_NAME
#undef BASE_FMT
#undef BASE_SQRT
#undef BASE_FABS
#undef BASE_MPFR_GET
#undef BASE_MPFR_SET
#undef BASE_PARSE
#undef ACC
#undef COR_TPL_CONCAT2x
#undef COR_TPL_CONCAT2
#undef COR_TPL_CONCAT3x
#undef COR_TPL_CONCAT3
#undef FUNCTION
#undef OPS_TABLE
