/* cli.h -- what the subcommands of the `corridor` driver share: the subcommand table entry,
 * the common options (--loss --vars --prec --double --digits --format -o --help --version),
 * reading the loss and points, opening the output table, and the one-line error exit.
 *
 * Error policy (DESIGN.md, "The command-line contract"): every failure prints exactly one
 * line "corridor: <message>" on stderr and exits with CLI_EXIT_USAGE (2) for bad input,
 * CLI_EXIT_IO (1) for a file that cannot be read or written (or another failure of the
 * program), CLI_EXIT_DIVERGED (3) for a run that diverged or a non-finite value. The library
 * only records errors (no handler is installed); these helpers turn the record into the line.
 *
 * Adding a subcommand: write corridor_NAME.c defining `const cli_command cli_cmd_NAME`, declare
 * it below, add it to the table in corridor.c and the file to corridor.mk.
 */
#ifndef COR_CLI_H
#define COR_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#include <mpfr.h>

#include "cor_diff.h"
#include "cor_err.h"
#include "cor_eval.h"
#include "cor_expr.h"
#include "cor_sys.h"
#include "cor_table.h"

/* Exit statuses of the driver. */
enum
{
    CLI_EXIT_OK = 0,
    CLI_EXIT_IO = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_DIVERGED = 3
};

/* Default and largest accepted --prec (bits). */
#define CLI_PREC_DEFAULT 256
#define CLI_PREC_MAX (1L << 24)
/* Precision at which --double reads its point before rounding it once to double. */
#define CLI_PREC_DOUBLE_READ 256

/* A subcommand: name, one-line summary for `corridor --help`, and its main, called with
 * argv[0] = the subcommand name and the remaining words after it. */
typedef struct
{
    const char *name;
    const char *summary;
    int (*main)(int argc, char **argv);
} cli_command;

extern const cli_command cli_cmd_probe;
extern const cli_command cli_cmd_flow;
extern const cli_command cli_cmd_run;

/* ---- process-wide setup and errors ---------------------------------------------------- */

/* Records the full command line (for the table preamble) and sets up error reporting. */
void cli_init(int argc, char **argv);

/* Prints "corridor: <message>" (one line; newlines in it become spaces) on stderr and exits
 * with status. */
void cli_die(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

/* cli_die with the message of the library's last error, after "context: " if context is not
 * NULL. */
void cli_die_lib(int status, const char *context) __attribute__((noreturn));

/* Prints "corridor: <message>" on stderr without exiting (a note after a table, e.g. that a
 * value was not finite). */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Flushes stdout; exits CLI_EXIT_IO with a message if that fails. Returns status. */
int cli_finish(int status);

/* ---- options ---------------------------------------------------------------------------- */

/* Option codes: short letters, and values from 256 for long-only options. Subcommands number
 * their own long-only options from CLI_OPT_LOCAL. */
enum
{
    CLI_OPT_HELP = 'h',
    CLI_OPT_LOSS = 'l',
    CLI_OPT_OUTPUT = 'o',
    CLI_OPT_VERSION = 'V',
    CLI_OPT_VARS = 256,
    CLI_OPT_PREC,
    CLI_OPT_DOUBLE,
    CLI_OPT_DIGITS,
    CLI_OPT_FORMAT,
    CLI_OPT_LOCAL = 512
};

/* The short options of CLI_COMMON_LONGOPTS, for getopt's optstring. */
#define CLI_COMMON_SHORTOPTS "hl:o:V"

/* The common entries of a getopt_long option array (follow with the subcommand's own and
 * a {0} terminator). */
#define CLI_COMMON_LONGOPTS                                                                     \
    {"help", no_argument, NULL, CLI_OPT_HELP}, {"version", no_argument, NULL, CLI_OPT_VERSION}, \
        {"loss", required_argument, NULL, CLI_OPT_LOSS},                                        \
        {"vars", required_argument, NULL, CLI_OPT_VARS},                                        \
        {"prec", required_argument, NULL, CLI_OPT_PREC},                                        \
        {"double", no_argument, NULL, CLI_OPT_DOUBLE},                                          \
        {"digits", required_argument, NULL, CLI_OPT_DIGITS},                                    \
        {"format", required_argument, NULL, CLI_OPT_FORMAT},                                    \
        {"output", required_argument, NULL, CLI_OPT_OUTPUT}

/* The values of the common options. */
typedef struct
{
    const char *cmd;   /* subcommand name */
    const char *usage; /* its --help text */
    const char *loss;  /* --loss text, NULL if not given */
    const char *vars;  /* --vars text, NULL if not given */
    mpfr_prec_t prec;  /* --prec, CLI_PREC_DEFAULT, or 53 with --double */
    int prec_given;
    int use_double;    /* --double */
    int digits;        /* --digits, 0 for the default */
    cor_table_format format;
    const char *output; /* -o FILE, NULL for stdout */
} cli_common;

/* Defaults for subcommand cmd with help text usage. */
void cli_common_init(cli_common *c, const char *cmd, const char *usage);

/* Handles opt if it is a common option (--help and --version print and exit 0; a bad value
 * exits 2) and returns 1; returns 0 for any other option. */
int cli_common_option(cli_common *c, int opt, const char *arg);

/* Checks the combination of common options after parsing (e.g. --double with --prec). */
void cli_common_finish(cli_common *c);

/* getopt_long over argv (argv[0] = the subcommand) that exits 2 with one line on an unknown
 * or ambiguous option, a missing value, a value given to a flag, or a value that is itself an
 * option name (`--loss --vars x`). Returns the option code, or -1 at the end, after checking
 * that no word is left over (the subcommands take no operands). A new argv restarts getopt. */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *cmd);

/* Reads a positive integer option value in [1, max]; exits 2 naming opt otherwise. */
long cli_parse_positive(const char *opt, const char *text, long max);

/* ---- the problem: loss, variables, points -------------------------------------------- */

typedef struct
{
    cor_expr_pool *pool;
    cor_node loss;
    size_t n;       /* number of coordinates */
    cor_node *vars; /* the variables in coordinate order */
} cli_problem;

/* Parses --vars (if given: names in order, no repeats) and --loss (with --vars every
 * identifier must be one of them; without, the loss must have exactly one variable). Exits 2
 * on bad input ("--loss: column C: ..."), 1 on other failures. */
void cli_problem_load(cli_problem *p, const cli_common *c);
void cli_problem_free(cli_problem *p);

/* The variable names joined by commas (static storage until the next call). */
const char *cli_problem_var_list(const cli_problem *p);

/* Reads a point of n coordinates from text for option opt: comma-separated constant
 * expressions (commas inside parentheses belong to the coordinate, as in min(1,2)), each
 * parsed exactly (decimals are exact rationals) and evaluated at precision prec, never
 * through a C double. Writes n values initialised at prec into x (caller clears them).
 * Exits 2 on a parse error (with the column in the whole text), a wrong number of
 * coordinates or a non-finite value. */
void cli_point_parse(mpfr_t *x, const char *opt, const char *text, size_t n, mpfr_prec_t prec);

/* ---- output ------------------------------------------------------------------------------ */

/* Opens the output table (-o FILE or stdout, --format) and writes the standard preamble
 * (program, version, command line, date: SOURCE_DATE_EPOCH if set, else now) and the
 * subcommand name. Exits 1 if the file cannot be created. */
cor_table *cli_table_open(const cli_common *c);

/* If st is not COR_OK: abandons the table (an existing file stays untouched) and exits 1
 * with the library's message (an I/O failure; a misuse of the table would be a bug of the
 * program, reported the same way). */
void cli_table_check(cor_table *t, int st);

/* Closes the table (renaming the file into place); exits 1 on failure. */
void cli_table_close(cor_table *t);

#endif
