/* cor_table.h -- tables with a metadata preamble, in TSV, CSV, markdown or JSON.
 *
 * Every number the project reports leaves through a cor_table. A table is written in three
 * phases, in this order:
 *
 *   1. the preamble: key=value pairs (cor_table_meta_std for program, version, command line
 *      and UTC date, then cor_table_meta / cor_table_meta_printf for the caller's keys);
 *   2. one header row of snake_case column names (cor_table_header);
 *   3. data rows: one cor_table_cell_* call per column, then cor_table_row_end.
 *
 * Calls out of this order return COR_EINVAL; a row with too many or too few cells returns
 * COR_EBADLEN. Keys and column names are snake_case: [a-z][a-z0-9_]*.
 *
 * Formats (cor_table_format):
 *   TSV   (default)  "# key=value" preamble lines, then tab-separated rows. A tab, newline,
 *                    carriage return or backslash inside a cell is written as \t, \n, \r, \\.
 *                    Preamble values write newline and carriage return as \n, \r and keep
 *                    tabs and backslashes as they are (the command line stays copyable).
 *   CSV   "# key=value" preamble lines (readers skip them as comments, e.g. pandas
 *         comment='#'), then RFC 4180 rows: a field containing a comma, a double quote, CR or
 *         LF is enclosed in double quotes with inner quotes doubled. Lines end in LF.
 *   MD    one "<!-- key=value -->" HTML comment line per preamble key (invisible when
 *         rendered; "-->" inside a value is written "-- >"), a blank line, then a markdown
 *         pipe table: header, "| --- |" separator, rows; '|' in a cell is written "\|",
 *         a newline as a space.
 *   JSON  one object: {"meta": {key: value, ...}, "columns": [...], "rows": [{column:
 *         value, ...}, ...]}, one row object per line. Strings are JSON strings (escaped per
 *         RFC 8259). Finite doubles and integers are JSON numbers; non-finite doubles and
 *         missing values are the strings "nan", "inf", "-inf". MPFR values are always JSON
 *         *strings* holding the decimal text, so that a reader which parses numbers into
 *         doubles cannot silently drop digits; convert them with an arbitrary-precision reader.
 *
 * Numbers: doubles print with %.17g (round trip) unless the table has a digit count set
 * (cor_table_set_digits), then with that many significant digits (at most 17). A missing value
 * prints as nan, never as an empty field. An MPFR value prints with the table's digit count
 * if set, otherwise with all the digits its precision p carries, floor((p - 1) log10 2)
 * significant digits (the DBL_DIG formula: 15 for p = 53, 76 for p = 256): every decimal of
 * that length survives a round trip through p bits, and a value correct to about one ulp is
 * correct to the printed digits except when it lies extremely close to a decimal rounding
 * boundary. (A bit-exact round trip of the binary value needs 1 + ceil(p log10 2) digits; ask
 * for them with cor_table_set_digits.) Values are rounded to nearest, printed in %g style
 * (trailing zeros dropped, exponent form below 1e-4 or from 10^digits on).
 *
 * Output: to a named file, atomically: the table is written to "FILE.tmp.XXXXXX" in the same
 * directory (created with O_EXCL, mode 0666 minus the umask) and renamed to FILE only by a
 * successful cor_table_close, so a file named FILE is always complete; cor_table_abort, or a
 * close after any write error, removes the temporary file and leaves FILE untouched. With no
 * file (NULL or "-") the table streams to stdout, which is flushed but not closed.
 *
 * Errors: functions return COR_OK, COR_EINVAL (misuse, bad name), COR_EBADLEN (cell count),
 * COR_ENOMEM or COR_EIO (the message names the file). After a write error the table is
 * "failed": every later call returns the same status without writing. The library prints
 * nothing itself. A table is not thread safe.
 */
#ifndef COR_TABLE_H
#define COR_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <mpfr.h>

#include "cor_err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cor_table cor_table;

/* Output formats. */
typedef enum
{
    COR_TABLE_TSV = 0,
    COR_TABLE_CSV,
    COR_TABLE_MD,
    COR_TABLE_JSON
} cor_table_format;

/* Pass as `when` to cor_table_meta_std for the current time. */
#define COR_TABLE_NOW ((time_t)-1)

/* Reads a format name ("tsv", "csv", "md" or "markdown", "json"; case sensitive) into *out.
 * Returns COR_OK, or COR_EINVAL naming the text (then *out is unchanged). */
int cor_table_format_parse(cor_table_format *out, const char *name) COR_WARN_UNUSED;

/* The canonical name of a format ("tsv", "csv", "md", "json"), or "unknown". */
const char *cor_table_format_name(cor_table_format fmt);

/* A table in format fmt written to the file path, or to stdout when path is NULL or "-".
 * For a file, creates the temporary "path.tmp.XXXXXX" now, so a directory that cannot be
 * written is reported here. Returns NULL on error (COR_EINVAL for a bad format, COR_EIO
 * naming the file, COR_ENOMEM), with the last error set. Allocates. */
cor_table *cor_table_alloc(const char *path, cor_table_format fmt);

/* A table written to a stream the caller owns (it is flushed, never closed). NULL on error
 * (COR_EINVAL for a NULL stream or bad format, COR_ENOMEM). Allocates. */
cor_table *cor_table_alloc_stream(FILE *stream, cor_table_format fmt);

/* Finishes the table: writes what the format still needs (the header if none was written,
 * the closing brackets of JSON), flushes, and for a file closes it and renames the temporary
 * file to its final name. On any error (also one recorded earlier) the temporary file is
 * removed and FILE is left as it was. Frees t in every case; NULL is a no-op returning
 * COR_OK. Returns COR_OK, COR_EIO (naming the file) or the table's earlier error status. */
int cor_table_close(cor_table *t) COR_WARN_UNUSED;

/* Abandons the table: for a file, closes and removes the temporary file (FILE is untouched);
 * for a stream, writes nothing more. Frees t; NULL is a no-op. Records nothing. */
void cor_table_abort(cor_table *t);

/* Significant digits for numeric cells written from now on: digits >= 1, or 0 for the
 * defaults described above. COR_EINVAL for a negative count. */
int cor_table_set_digits(cor_table *t, int digits) COR_WARN_UNUSED;

/* The digits an MPFR value of precision prec prints with by default: floor((prec-1) log10 2),
 * at least 1. */
int cor_table_default_digits(mpfr_prec_t prec);

/* The standard preamble keys, in this order: program=PROGRAM, version=cor_version(),
 * command=ARGV (argv[0..argc) joined by spaces, each word quoted for a POSIX shell when it
 * needs quoting; the key is omitted when argc is 0), date=YYYY-MM-DDTHH:MM:SSZ (UTC, from
 * `when`, or the current time for COR_TABLE_NOW). Call before the caller's keys. Returns as
 * cor_table_meta. */
int cor_table_meta_std(cor_table *t, const char *program, int argc, char *const *argv,
                       time_t when) COR_WARN_UNUSED;

/* Adds the preamble line key=value (value may be any text; it is escaped as the format
 * needs). Only before the header (COR_EINVAL after, or for a key that is not snake_case).
 * Keys are not checked for repeats. Returns COR_OK, COR_EINVAL, COR_ENOMEM or COR_EIO. */
int cor_table_meta(cor_table *t, const char *key, const char *value) COR_WARN_UNUSED;

/* cor_table_meta with a printf-formatted value. */
int cor_table_meta_printf(cor_table *t, const char *key, const char *fmt, ...)
    COR_PRINTF(3, 4) COR_WARN_UNUSED;

/* Ends the preamble and writes the header row: ncols >= 1 snake_case names (copied).
 * Exactly once, before any cell (COR_EINVAL otherwise). */
int cor_table_header(cor_table *t, size_t ncols, const char *const *names) COR_WARN_UNUSED;

/* Number of columns (0 before the header). */
size_t cor_table_ncols(const cor_table *t);

/* Cells of the current row, left to right. COR_EINVAL before the header, COR_EBADLEN when
 * the row already has ncols cells. */
/* A text cell (NULL is written as a missing value). */
int cor_table_cell_str(cor_table *t, const char *s) COR_WARN_UNUSED;
/* A double: %.17g, or the table's digit count; NaN and infinities as nan, inf, -inf. */
int cor_table_cell_d(cor_table *t, double x) COR_WARN_UNUSED;
/* An MPFR value with the table's digit count, or the default for its precision. */
int cor_table_cell_mpfr(cor_table *t, mpfr_srcptr x) COR_WARN_UNUSED;
/* Integers (step counters, sizes). */
int cor_table_cell_si(cor_table *t, long x) COR_WARN_UNUSED;
int cor_table_cell_u64(cor_table *t, uint64_t x) COR_WARN_UNUSED;
/* A missing value: nan (JSON: the string "nan"). */
int cor_table_cell_missing(cor_table *t) COR_WARN_UNUSED;

/* Ends the current row; COR_EBADLEN unless it has exactly ncols cells. */
int cor_table_row_end(cor_table *t) COR_WARN_UNUSED;

/* Formats x with `digits` significant digits (0: cor_table_default_digits of its precision),
 * as the table cells do, into buf of size len (always NUL terminated when len > 0). Returns
 * the length the full text needs, excluding the NUL, as snprintf does. Allocates nothing. */
size_t cor_table_format_mpfr(char *buf, size_t len, mpfr_srcptr x, int digits);

#ifdef __cplusplus
}
#endif
#endif
