/* cor_sys.h -- checked allocation, version and build information.
 *
 * The allocation helpers record COR_ENOMEM in the last-error slot and return NULL on
 * failure; they never abort. cor_free(NULL) is a no-op.
 */
#ifndef COR_SYS_H
#define COR_SYS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* malloc/calloc/realloc that record COR_ENOMEM on failure. A zero size allocates one byte,
 * so NULL always means failure. */
void *cor_malloc(size_t size);
void *cor_calloc(size_t count, size_t size);
void *cor_realloc(void *ptr, size_t size);
/* Overflow-checked count * size (records COR_ENOMEM on overflow). */
void *cor_mallocarray(size_t count, size_t size);
void cor_free(void *ptr);
/* A copy of s (NULL records COR_ENOMEM). */
char *cor_strdup(const char *s);

/* Library version, "MAJOR.MINOR.PATCH". */
const char *cor_version(void);
/* One-line build description for table preambles: version, configure flags, GMP/MPFR/GSL
 * versions. Static storage. */
const char *cor_build_info(void);

#ifdef __cplusplus
}
#endif
#endif
