/* cor_err.h -- status codes and the last-error record of libcorridor.
 *
 * The library never prints, exits or aborts. A fallible function returns an int status:
 * COR_OK (0), an *outcome* (1..99: COR_DIVERGED, COR_NONFINITE, COR_MAXITER, COR_STOPPED),
 * which is a result to record, or an *error* (>= 100), which means the call did not do its
 * job. Constructors return NULL on error. Every error is recorded, with a formatted message,
 * in a thread-local last-error slot (cor_last_error) and passed to the user's handler, if one
 * is installed; the default handler does nothing else. Programs (experiments/, proofs-checks/)
 * install a handler that prints, libraries must not.
 */
#ifndef COR_ERR_H
#define COR_ERR_H

#ifdef __cplusplus
extern "C" {
#endif

enum cor_status
{
#define COR_STATUS(name, value, msg) COR_##name = value,
#include "cor_errors.def"
#undef COR_STATUS
};

#if defined(__GNUC__)
#define COR_WARN_UNUSED __attribute__((warn_unused_result))
#define COR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define COR_WARN_UNUSED
#define COR_PRINTF(f, a)
#endif

/* The record of the most recent error in this thread. */
typedef struct
{
    int code;          /* status code, COR_OK if none since cor_error_clear */
    const char *file;  /* source file that raised it */
    int line;
    const char *func;
    char msg[512];     /* formatted, one line, no trailing newline */
} cor_error_record;

/* Error handler: called with the filled record after every COR_ERROR. */
typedef void (*cor_error_handler)(const cor_error_record *rec);

/* Static message for a status code ("unknown status" for codes not in the list). */
const char *cor_strerror(int status);

/* Name of a status code without the prefix, e.g. "EPARSE" (for tables and logs). */
const char *cor_status_name(int status);

/* Nonzero when status is an error (>= 100), zero for COR_OK and outcomes. */
static inline int cor_status_is_error(int status) { return status >= 100; }

/* Records an error and calls the handler; returns code. Use through COR_ERROR. */
int cor_error_raise(int code, const char *file, int line, const char *func,
                    const char *fmt, ...) COR_PRINTF(5, 6);

/* COR_ERROR(code, fmt, ...): record and return code from the current function. Expression
 * form, e.g. `return COR_ERROR(COR_EINVAL, "dimension %zu is zero", n);`. */
#define COR_ERROR(code, ...) cor_error_raise((code), __FILE__, __LINE__, __func__, __VA_ARGS__)

/* The last error of this thread (never NULL; code COR_OK when none). */
const cor_error_record *cor_last_error(void);

/* Forget the last error. */
void cor_error_clear(void);

/* Install a handler (NULL: record only); returns the previous one. */
cor_error_handler cor_set_error_handler(cor_error_handler h);

/* A ready-made handler for programs: prints "PROGRAM: message" to stderr. The library
 * never installs it. Set the program name with cor_error_set_progname. */
void cor_error_print_handler(const cor_error_record *rec);
void cor_error_set_progname(const char *name);

/* Internal invariants, compiled in with --enable-assert: report COR_ESANITY and return. */
#ifdef COR_WANT_ASSERT
#define COR_ASSERT(cond)                                                        \
    do                                                                          \
    {                                                                           \
        if (!(cond))                                                            \
            return COR_ERROR(COR_ESANITY, "assertion failed: %s", #cond);       \
    } while (0)
#else
#define COR_ASSERT(cond) ((void)0)
#endif

#ifdef __cplusplus
}
#endif
#endif
