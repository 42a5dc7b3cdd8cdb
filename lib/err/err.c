/* err.c -- status messages and the thread-local last-error record. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cor_err.h"

static _Thread_local cor_error_record last_error;
static _Thread_local cor_error_handler handler;
static const char *progname = "corridor";

const char *
cor_strerror(int status)
{
    switch (status)
    {
#define COR_STATUS(name, value, msg) case value: return msg;
#include "cor_errors.def"
#undef COR_STATUS
    default:
        return "unknown status";
    }
}

const char *
cor_status_name(int status)
{
    switch (status)
    {
#define COR_STATUS(name, value, msg) case value: return #name;
#include "cor_errors.def"
#undef COR_STATUS
    default:
        return "UNKNOWN";
    }
}

int
cor_error_raise(int code, const char *file, int line, const char *func, const char *fmt, ...)
{
    va_list ap;

    last_error.code = code;
    last_error.file = file;
    last_error.line = line;
    last_error.func = func;
    va_start(ap, fmt);
    vsnprintf(last_error.msg, sizeof last_error.msg, fmt, ap);
    va_end(ap);
    if (handler)
        handler(&last_error);
    return code;
}

const cor_error_record *
cor_last_error(void)
{
    return &last_error;
}

void
cor_error_clear(void)
{
    memset(&last_error, 0, sizeof last_error);
}

cor_error_handler
cor_set_error_handler(cor_error_handler h)
{
    cor_error_handler old = handler;
    handler = h;
    return old;
}

void
cor_error_set_progname(const char *name)
{
    progname = name ? name : "corridor";
}

void
cor_error_print_handler(const cor_error_record *rec)
{
    fprintf(stderr, "%s: %s\n", progname, rec->msg);
}
