/* table.c -- the table writer (see cor_table.h for the formats and the atomic-write rule).
 *
 * The writer streams: every call writes its text at once, so a table of any length needs
 * only the header names and one scratch buffer. The only state is the phase (preamble or
 * rows), the counts needed to place separators (JSON commas), and a sticky status: after the
 * first failed write nothing more is written and close reports the failure and removes the
 * temporary file.
 */
#define _POSIX_C_SOURCE 200809L

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cor_err.h"
#include "cor_sys.h"
#include "cor_table.h"

enum
{
    PHASE_META = 0,
    PHASE_ROWS
};

/* How a cell's text is written: escaped text, a number (never needs escaping), or a number
 * that JSON keeps as a string (MPFR values, non-finite doubles). */
typedef enum
{
    CELL_TEXT,
    CELL_NUMBER,
    CELL_NUMBER_STRING
} cell_kind;

struct cor_table
{
    cor_table_format fmt;
    FILE *out;
    int own;      /* out was opened here and must be closed */
    char *path;   /* final file name, NULL for a stream */
    char *tmp;    /* temporary file name, NULL for a stream */
    int phase;
    int status;   /* COR_OK, or the first error */
    size_t nmeta; /* preamble entries written */
    size_t ncols;
    char **cols;
    size_t col;   /* cells written in the current row */
    size_t nrows; /* rows completed */
    int digits;   /* 0: defaults */
    char *buf;    /* scratch for number formatting */
    size_t buflen;
};

static const char *
table_name(const cor_table *t)
{
    return t->path ? t->path : "<stream>";
}

/* Records the first write failure and returns the sticky status. */
static int
table_fail_io(cor_table *t, int err)
{
    if (t->status == COR_OK)
        t->status = COR_ERROR(COR_EIO, "cannot write '%s': %s", table_name(t),
                              strerror(err ? err : EIO));
    return t->status;
}

static int
put(cor_table *t, const char *s)
{
    if (t->status != COR_OK)
        return t->status;
    if (fputs(s, t->out) == EOF)
        return table_fail_io(t, errno);
    return COR_OK;
}

static int
putch(cor_table *t, int c)
{
    if (t->status != COR_OK)
        return t->status;
    if (putc(c, t->out) == EOF)
        return table_fail_io(t, errno);
    return COR_OK;
}

/* JSON string body (without the quotes), RFC 8259 escapes. */
static int
put_json_escaped(cor_table *t, const char *s)
{
    char hex[8];
    int st = COR_OK;

    for (; *s && st == COR_OK; s++)
    {
        unsigned char c = (unsigned char)*s;
        switch (c)
        {
        case '"':
            st = put(t, "\\\"");
            break;
        case '\\':
            st = put(t, "\\\\");
            break;
        case '\n':
            st = put(t, "\\n");
            break;
        case '\r':
            st = put(t, "\\r");
            break;
        case '\t':
            st = put(t, "\\t");
            break;
        case '\b':
            st = put(t, "\\b");
            break;
        case '\f':
            st = put(t, "\\f");
            break;
        default:
            if (c < 0x20)
            {
                snprintf(hex, sizeof hex, "\\u%04x", c);
                st = put(t, hex);
            }
            else
                st = putch(t, c);
        }
    }
    return st;
}

static int
put_json_string(cor_table *t, const char *s)
{
    int st = putch(t, '"');
    if (st == COR_OK)
        st = put_json_escaped(t, s);
    if (st == COR_OK)
        st = putch(t, '"');
    return st;
}

/* Backslash escapes for TSV cells (backslash, tab, newline, CR), or for preamble values
 * (newline and CR only, so that the command line stays copyable into a shell). */
static int
put_backslash_escaped(cor_table *t, const char *s, int cell_escapes)
{
    int st = COR_OK;

    for (; *s && st == COR_OK; s++)
    {
        if (*s == '\\' && cell_escapes)
            st = put(t, "\\\\");
        else if (*s == '\n')
            st = put(t, "\\n");
        else if (*s == '\r')
            st = put(t, "\\r");
        else if (*s == '\t' && cell_escapes)
            st = put(t, "\\t");
        else
            st = putch(t, (unsigned char)*s);
    }
    return st;
}

/* RFC 4180: quote a field that holds a comma, a quote, CR or LF; double inner quotes. */
static int
put_csv_field(cor_table *t, const char *s)
{
    int st = COR_OK;

    if (!strpbrk(s, ",\"\r\n"))
        return put(t, s);
    st = putch(t, '"');
    for (; *s && st == COR_OK; s++)
        st = *s == '"' ? put(t, "\"\"") : putch(t, (unsigned char)*s);
    if (st == COR_OK)
        st = putch(t, '"');
    return st;
}

/* Markdown cell: '|' as "\|", newlines as spaces. */
static int
put_md_cell(cor_table *t, const char *s)
{
    int st = COR_OK;

    for (; *s && st == COR_OK; s++)
    {
        if (*s == '|')
            st = put(t, "\\|");
        else if (*s == '\n' || *s == '\r')
            st = putch(t, ' ');
        else
            st = putch(t, (unsigned char)*s);
    }
    return st;
}

/* Markdown preamble value inside <!-- -->: "-->" would end the comment early. */
static int
put_md_comment_text(cor_table *t, const char *s)
{
    int st = COR_OK;

    for (; *s && st == COR_OK; s++)
    {
        if (strncmp(s, "-->", 3) == 0)
        {
            st = put(t, "-- >");
            s += 2;
        }
        else if (*s == '\n' || *s == '\r')
            st = put(t, *s == '\n' ? "\\n" : "\\r");
        else
            st = putch(t, (unsigned char)*s);
    }
    return st;
}

static int
is_snake_case(const char *s)
{
    if (!s || !(*s >= 'a' && *s <= 'z'))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* ---- formats ---------------------------------------------------------------------------- */

int
cor_table_format_parse(cor_table_format *out, const char *name)
{
    static const struct
    {
        const char *name;
        cor_table_format fmt;
    } names[] = {{"tsv", COR_TABLE_TSV},
                 {"csv", COR_TABLE_CSV},
                 {"md", COR_TABLE_MD},
                 {"markdown", COR_TABLE_MD},
                 {"json", COR_TABLE_JSON}};

    if (!name)
        return COR_ERROR(COR_EINVAL, "no table format given");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    {
        if (strcmp(name, names[i].name) == 0)
        {
            *out = names[i].fmt;
            return COR_OK;
        }
    }
    return COR_ERROR(COR_EINVAL, "unknown table format '%s' (tsv, csv, md or json)", name);
}

const char *
cor_table_format_name(cor_table_format fmt)
{
    switch (fmt)
    {
    case COR_TABLE_TSV:
        return "tsv";
    case COR_TABLE_CSV:
        return "csv";
    case COR_TABLE_MD:
        return "md";
    case COR_TABLE_JSON:
        return "json";
    }
    return "unknown";
}

static int
format_valid(cor_table_format fmt)
{
    return fmt == COR_TABLE_TSV || fmt == COR_TABLE_CSV || fmt == COR_TABLE_MD
           || fmt == COR_TABLE_JSON;
}

/* ---- creation and closing ---------------------------------------------------------------- */

static cor_table *
table_new(cor_table_format fmt)
{
    cor_table *t;

    if (!format_valid(fmt))
    {
        COR_ERROR(COR_EINVAL, "invalid table format %d", (int)fmt);
        return NULL;
    }
    t = cor_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->fmt = fmt;
    t->phase = PHASE_META;
    t->status = COR_OK;
    return t;
}

static void
table_free(cor_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ncols; i++)
        cor_free(t->cols[i]);
    cor_free(t->cols);
    cor_free(t->path);
    cor_free(t->tmp);
    cor_free(t->buf);
    cor_free(t);
}

/* The opening text of the format (JSON: the object and the meta object). */
static int
table_start(cor_table *t)
{
    if (t->fmt == COR_TABLE_JSON)
        return put(t, "{\n  \"meta\": {");
    return COR_OK;
}

/* Creates path.tmp.XXXXXX with O_EXCL (mode 0666, so the umask applies as for any new file),
 * retrying with another suffix when the name exists. The suffix mixes the clock, the pid and
 * an address, so concurrent writers of the same file pick different names. */
static int
open_temp(cor_table *t)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    size_t n = strlen(t->path);
    struct timespec ts;
    uint64_t x;
    int fd = -1;

    t->tmp = cor_malloc(n + sizeof ".tmp.XXXXXX");
    if (!t->tmp)
        return COR_ENOMEM;
    clock_gettime(CLOCK_REALTIME, &ts);
    x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40)
        ^ (uint64_t)(uintptr_t)t;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++)
    {
        memcpy(t->tmp, t->path, n);
        memcpy(t->tmp + n, ".tmp.", 5);
        for (int i = 0; i < 6; i++)
        {
            /* xorshift64* step */
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            t->tmp[n + 5 + i] = alphabet[((x * 2685821657736338717ULL) >> 58) % 62];
        }
        t->tmp[n + 11] = '\0';
        fd = open(t->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0)
        return COR_ERROR(COR_EIO, "cannot create '%s' (temporary for '%s'): %s", t->tmp, t->path,
                         strerror(errno));
    t->out = fdopen(fd, "w");
    if (!t->out)
    {
        int err = errno;
        close(fd);
        unlink(t->tmp);
        return COR_ERROR(COR_EIO, "cannot open '%s': %s", t->tmp, strerror(err));
    }
    t->own = 1;
    return COR_OK;
}

cor_table *
cor_table_alloc(const char *path, cor_table_format fmt)
{
    cor_table *t;

    if (!path || strcmp(path, "-") == 0)
        return cor_table_alloc_stream(stdout, fmt);
    if (!*path)
    {
        COR_ERROR(COR_EINVAL, "empty output file name");
        return NULL;
    }
    t = table_new(fmt);
    if (!t)
        return NULL;
    t->path = cor_strdup(path);
    if (!t->path || open_temp(t) != COR_OK)
    {
        table_free(t);
        return NULL;
    }
    if (table_start(t) != COR_OK)
    {
        cor_table_abort(t);
        return NULL;
    }
    return t;
}

cor_table *
cor_table_alloc_stream(FILE *stream, cor_table_format fmt)
{
    cor_table *t;

    if (!stream)
    {
        COR_ERROR(COR_EINVAL, "no output stream");
        return NULL;
    }
    t = table_new(fmt);
    if (!t)
        return NULL;
    t->out = stream;
    if (table_start(t) != COR_OK)
    {
        table_free(t);
        return NULL;
    }
    return t;
}

void
cor_table_abort(cor_table *t)
{
    if (!t)
        return;
    if (t->own)
    {
        fclose(t->out);
        unlink(t->tmp);
    }
    table_free(t);
}

static int write_header(cor_table *t, size_t ncols, const char *const *names);

int
cor_table_close(cor_table *t)
{
    int st;

    if (!t)
        return COR_OK;
    if (t->phase == PHASE_META)
        (void)write_header(t, 0, NULL);
    if (t->status == COR_OK && t->col != 0)
        t->status = COR_ERROR(COR_EBADLEN, "table '%s' closed in the middle of a row",
                              table_name(t));
    if (t->fmt == COR_TABLE_JSON)
        (void)put(t, t->nrows ? "\n  ]\n}\n" : "]\n}\n");
    if (t->status == COR_OK && fflush(t->out) == EOF)
        (void)table_fail_io(t, errno);
    if (t->own)
    {
        if (fclose(t->out) == EOF)
            (void)table_fail_io(t, errno);
        if (t->status == COR_OK && rename(t->tmp, t->path) != 0)
            (void)table_fail_io(t, errno);
        if (t->status != COR_OK)
            unlink(t->tmp);
    }
    st = t->status;
    table_free(t);
    return st;
}

int
cor_table_set_digits(cor_table *t, int digits)
{
    if (digits < 0)
        return COR_ERROR(COR_EINVAL, "negative digit count %d", digits);
    t->digits = digits;
    return COR_OK;
}

int
cor_table_default_digits(mpfr_prec_t prec)
{
    /* floor((p - 1) log10 2); log10 2 is irrational, so (p - 1) log10 2 is never within the
     * double's rounding error of an integer for the precisions an MPFR value can have in
     * memory. */
    double d = floor((double)(prec - 1) * 0.30102999566398119521);
    return d < 1 ? 1 : (int)d;
}

/* ---- preamble ---------------------------------------------------------------------------- */

static int
check_meta_phase(cor_table *t, const char *key)
{
    if (t->status != COR_OK)
        return t->status;
    if (t->phase != PHASE_META)
        return COR_ERROR(COR_EINVAL, "table '%s': preamble key '%s' after the header",
                         table_name(t), key ? key : "(null)");
    if (!is_snake_case(key))
        return COR_ERROR(COR_EINVAL, "table '%s': preamble key '%s' is not snake_case",
                         table_name(t), key ? key : "(null)");
    return COR_OK;
}

int
cor_table_meta(cor_table *t, const char *key, const char *value)
{
    int st = check_meta_phase(t, key);

    if (st != COR_OK)
        return st;
    if (!value)
        value = "";
    switch (t->fmt)
    {
    case COR_TABLE_TSV:
    case COR_TABLE_CSV:
        st = put(t, "# ");
        if (st == COR_OK)
            st = put(t, key);
        if (st == COR_OK)
            st = putch(t, '=');
        if (st == COR_OK)
            st = put_backslash_escaped(t, value, 0);
        if (st == COR_OK)
            st = putch(t, '\n');
        break;
    case COR_TABLE_MD:
        st = put(t, "<!-- ");
        if (st == COR_OK)
            st = put(t, key);
        if (st == COR_OK)
            st = putch(t, '=');
        if (st == COR_OK)
            st = put_md_comment_text(t, value);
        if (st == COR_OK)
            st = put(t, " -->\n");
        break;
    case COR_TABLE_JSON:
        st = put(t, t->nmeta ? ",\n    " : "\n    ");
        if (st == COR_OK)
            st = put_json_string(t, key);
        if (st == COR_OK)
            st = put(t, ": ");
        if (st == COR_OK)
            st = put_json_string(t, value);
        break;
    }
    if (st == COR_OK)
        t->nmeta++;
    return st;
}

int
cor_table_meta_printf(cor_table *t, const char *key, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    char *text = small;
    int n;
    int st;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return COR_ERROR(COR_EINVAL, "bad format for preamble key '%s'", key ? key : "(null)");
    if ((size_t)n >= sizeof small)
    {
        text = cor_malloc((size_t)n + 1);
        if (!text)
            return COR_ENOMEM;
        va_start(ap, fmt);
        vsnprintf(text, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    st = cor_table_meta(t, key, text);
    if (text != small)
        cor_free(text);
    return st;
}

/* Length of word quoted for a POSIX shell, and the quoted text into dst (if not NULL). A word
 * made only of safe characters stays as it is; any other is put in single quotes, with each
 * single quote written '\''. */
static size_t
shell_quote(char *dst, const char *word)
{
    static const char safe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                               "_@%+=:,./-";
    size_t n = 0;

    if (*word && strspn(word, safe) == strlen(word))
    {
        n = strlen(word);
        if (dst)
            memcpy(dst, word, n);
        return n;
    }
    if (dst)
        dst[n] = '\'';
    n++;
    for (const char *s = word; *s; s++)
    {
        if (*s == '\'')
        {
            if (dst)
                memcpy(dst + n, "'\\''", 4);
            n += 4;
        }
        else
        {
            if (dst)
                dst[n] = *s;
            n++;
        }
    }
    if (dst)
        dst[n] = '\'';
    return n + 1;
}

int
cor_table_meta_std(cor_table *t, const char *program, int argc, char *const *argv,
                   time_t when)
{
    char date[32];
    struct tm tm;
    int st;

    st = cor_table_meta(t, "program", program ? program : "");
    if (st == COR_OK)
        st = cor_table_meta(t, "version", cor_version());
    if (st == COR_OK && argc > 0 && argv)
    {
        size_t len = 1;
        char *cmd;
        char *p;

        for (int i = 0; i < argc; i++)
            len += shell_quote(NULL, argv[i] ? argv[i] : "") + 1;
        cmd = cor_malloc(len);
        if (!cmd)
            return COR_ENOMEM;
        p = cmd;
        for (int i = 0; i < argc; i++)
        {
            if (i)
                *p++ = ' ';
            p += shell_quote(p, argv[i] ? argv[i] : "");
        }
        *p = '\0';
        st = cor_table_meta(t, "command", cmd);
        cor_free(cmd);
    }
    if (st == COR_OK)
    {
        if (when == COR_TABLE_NOW)
            when = time(NULL);
        if (!gmtime_r(&when, &tm) || !strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm))
            snprintf(date, sizeof date, "unknown");
        st = cor_table_meta(t, "date", date);
    }
    return st;
}

/* ---- header and rows ----------------------------------------------------------------------- */

static int
write_header(cor_table *t, size_t ncols, const char *const *names)
{
    int st = t->status;

    t->phase = PHASE_ROWS;
    if (st != COR_OK)
        return st;
    switch (t->fmt)
    {
    case COR_TABLE_TSV:
    case COR_TABLE_CSV:
        for (size_t i = 0; i < ncols && st == COR_OK; i++)
        {
            if (i)
                st = putch(t, t->fmt == COR_TABLE_TSV ? '\t' : ',');
            if (st == COR_OK)
                st = put(t, names[i]);
        }
        if (st == COR_OK && ncols)
            st = putch(t, '\n');
        break;
    case COR_TABLE_MD:
        if (!ncols)
            break;
        if (t->nmeta)
            st = putch(t, '\n');
        for (size_t i = 0; i < ncols && st == COR_OK; i++)
        {
            st = put(t, i ? " | " : "| ");
            if (st == COR_OK)
                st = put(t, names[i]);
        }
        if (st == COR_OK)
            st = put(t, " |\n");
        for (size_t i = 0; i < ncols && st == COR_OK; i++)
            st = put(t, i ? " --- |" : "| --- |");
        if (st == COR_OK)
            st = putch(t, '\n');
        break;
    case COR_TABLE_JSON:
        st = put(t, t->nmeta ? "\n  },\n  \"columns\": [" : "},\n  \"columns\": [");
        for (size_t i = 0; i < ncols && st == COR_OK; i++)
        {
            if (i)
                st = put(t, ", ");
            if (st == COR_OK)
                st = put_json_string(t, names[i]);
        }
        if (st == COR_OK)
            st = put(t, "],\n  \"rows\": [");
        break;
    }
    return st;
}

int
cor_table_header(cor_table *t, size_t ncols, const char *const *names)
{
    if (t->status != COR_OK)
        return t->status;
    if (t->phase != PHASE_META)
        return COR_ERROR(COR_EINVAL, "table '%s': header written twice", table_name(t));
    if (ncols == 0 || !names)
        return COR_ERROR(COR_EINVAL, "table '%s': a header needs at least one column",
                         table_name(t));
    for (size_t i = 0; i < ncols; i++)
        if (!is_snake_case(names[i]))
            return COR_ERROR(COR_EINVAL, "table '%s': column name '%s' is not snake_case",
                             table_name(t), names[i] ? names[i] : "(null)");
    t->cols = cor_calloc(ncols, sizeof *t->cols);
    if (!t->cols)
        return COR_ENOMEM;
    for (size_t i = 0; i < ncols; i++)
    {
        t->cols[i] = cor_strdup(names[i]);
        if (!t->cols[i])
        {
            for (size_t j = 0; j < i; j++)
                cor_free(t->cols[j]);
            cor_free(t->cols);
            t->cols = NULL;
            return COR_ENOMEM;
        }
    }
    t->ncols = ncols;
    return write_header(t, ncols, names);
}

size_t
cor_table_ncols(const cor_table *t)
{
    return t->ncols;
}

static int
cell(cor_table *t, const char *text, cell_kind kind)
{
    int st;

    if (t->status != COR_OK)
        return t->status;
    if (t->phase != PHASE_ROWS || t->ncols == 0)
        return COR_ERROR(COR_EINVAL, "table '%s': cell before the header", table_name(t));
    if (t->col >= t->ncols)
        return COR_ERROR(COR_EBADLEN, "table '%s': row %zu has more than %zu cells",
                         table_name(t), t->nrows + 1, t->ncols);
    switch (t->fmt)
    {
    case COR_TABLE_TSV:
        st = t->col ? putch(t, '\t') : COR_OK;
        if (st == COR_OK)
            st = kind == CELL_TEXT ? put_backslash_escaped(t, text, 1) : put(t, text);
        break;
    case COR_TABLE_CSV:
        st = t->col ? putch(t, ',') : COR_OK;
        if (st == COR_OK)
            st = kind == CELL_TEXT ? put_csv_field(t, text) : put(t, text);
        break;
    case COR_TABLE_MD:
        st = put(t, t->col ? " | " : "| ");
        if (st == COR_OK)
            st = kind == CELL_TEXT ? put_md_cell(t, text) : put(t, text);
        break;
    case COR_TABLE_JSON:
    default:
        st = t->col ? put(t, ", ") : put(t, t->nrows ? ",\n    {" : "\n    {");
        if (st == COR_OK)
            st = put_json_string(t, t->cols[t->col]);
        if (st == COR_OK)
            st = put(t, ": ");
        if (st == COR_OK)
            st = kind == CELL_NUMBER ? put(t, text) : put_json_string(t, text);
        break;
    }
    if (st == COR_OK)
        t->col++;
    return st;
}

int
cor_table_cell_str(cor_table *t, const char *s)
{
    if (!s)
        return cor_table_cell_missing(t);
    return cell(t, s, CELL_TEXT);
}

int
cor_table_cell_missing(cor_table *t)
{
    return cell(t, "nan", CELL_NUMBER_STRING);
}

int
cor_table_cell_d(cor_table *t, double x)
{
    char text[64];
    int digits = t->digits > 0 && t->digits < 17 ? t->digits : 17;

    if (isnan(x))
        return cell(t, "nan", CELL_NUMBER_STRING);
    if (isinf(x))
        return cell(t, x > 0 ? "inf" : "-inf", CELL_NUMBER_STRING);
    snprintf(text, sizeof text, "%.*g", digits, x);
    return cell(t, text, CELL_NUMBER);
}

int
cor_table_cell_si(cor_table *t, long x)
{
    char text[32];

    snprintf(text, sizeof text, "%ld", x);
    return cell(t, text, CELL_NUMBER);
}

int
cor_table_cell_u64(cor_table *t, uint64_t x)
{
    char text[32];

    snprintf(text, sizeof text, "%" PRIu64, x);
    return cell(t, text, CELL_NUMBER);
}

size_t
cor_table_format_mpfr(char *buf, size_t len, mpfr_srcptr x, int digits)
{
    const char *special = NULL;
    int n;

    if (mpfr_nan_p(x))
        special = "nan";
    else if (mpfr_inf_p(x))
        special = mpfr_sgn(x) > 0 ? "inf" : "-inf";
    if (special)
    {
        if (len)
            snprintf(buf, len, "%s", special);
        return strlen(special);
    }
    if (digits <= 0)
        digits = cor_table_default_digits(mpfr_get_prec(x));
    n = mpfr_snprintf(buf, len, "%.*RNg", digits, x);
    return n < 0 ? 0 : (size_t)n;
}

int
cor_table_cell_mpfr(cor_table *t, mpfr_srcptr x)
{
    size_t need;

    if (t->status != COR_OK)
        return t->status;
    if (mpfr_nan_p(x) || mpfr_inf_p(x))
    {
        char text[8];
        cor_table_format_mpfr(text, sizeof text, x, 1);
        return cell(t, text, CELL_NUMBER_STRING);
    }
    need = cor_table_format_mpfr(t->buf, t->buflen, x, t->digits);
    if (need + 1 > t->buflen)
    {
        char *p = cor_realloc(t->buf, need + 1);
        if (!p)
            return COR_ENOMEM;
        t->buf = p;
        t->buflen = need + 1;
        cor_table_format_mpfr(t->buf, t->buflen, x, t->digits);
    }
    return cell(t, t->buf, t->fmt == COR_TABLE_JSON ? CELL_NUMBER_STRING : CELL_NUMBER);
}

int
cor_table_row_end(cor_table *t)
{
    int st;

    if (t->status != COR_OK)
        return t->status;
    if (t->phase != PHASE_ROWS || t->ncols == 0)
        return COR_ERROR(COR_EINVAL, "table '%s': row ended before the header", table_name(t));
    if (t->col != t->ncols)
        return COR_ERROR(COR_EBADLEN, "table '%s': row %zu has %zu cells, the header %zu",
                         table_name(t), t->nrows + 1, t->col, t->ncols);
    switch (t->fmt)
    {
    case COR_TABLE_MD:
        st = put(t, " |\n");
        break;
    case COR_TABLE_JSON:
        st = putch(t, '}');
        break;
    default:
        st = putch(t, '\n');
        break;
    }
    if (st == COR_OK)
    {
        t->col = 0;
        t->nrows++;
    }
    return st;
}
