/* drift_util.h -- what exp_orders, exp_sgd and exp_hbmod share: a problem (loss expression,
 * variables, start point read exactly), the library's steppers run on an MPFR space, the
 * Euclidean distance, and result tables (lib/table) that end with `# summary` lines
 * (claim, prediction, measured, verdict; collected by experiments/summary.sh).
 *
 * Errors: the programs install a stderr handler; these helpers exit with status 2 (bad
 * input) or 1 (I/O or library failure) after one line naming the problem.
 */
#ifndef COR_DRIFT_UTIL_H
#define COR_DRIFT_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include <mpfr.h>

#include "cor_expr.h"
#include "cor_objective.h"
#include "cor_step.h"
#include "cor_table.h"
#include "cor_vspace.h"

/* exits with status after printing "PROGRAM: message" */
void dx_die(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
/* the program name used in messages (set once by dx_init) */
void dx_init(const char *program, int argc, char **argv);

/* The --prec value arg: an integer in [min, 100000] bits; exits 2 otherwise. */
mpfr_prec_t dx_parse_prec(const char *arg, long min);
/* After the options: exits 2 when an operand is left (argv[optind] on). */
void dx_no_operands(int argc, char **argv);

/* A loss: pool, expression, variables in order, and a start point at prec. */
typedef struct
{
    const char *name; /* short label for the tables */
    const char *text; /* the expression */
    cor_expr_pool *pool;
    cor_node loss;
    size_t n;
    cor_node vars[16];
    mpfr_t theta0[16];
    mpfr_prec_t prec;
} dx_problem;

/* Parses text with the comma-separated variable list vars (all identifiers of text must be
 * listed) and the start point theta0 (comma-separated constant expressions). Exits 2 on bad
 * input. */
void dx_problem_load(dx_problem *p, const char *name, const char *text, const char *vars,
                     const char *theta0, mpfr_prec_t prec);
void dx_problem_free(dx_problem *p);
/* A constant expression (decimal, fraction) of p's pool; exits 2 otherwise. */
cor_node dx_const(dx_problem *p, const char *text, const char *what);

/* A stepper run: the library's stepper `method` on objective obj from x (theta0 copied in),
 * N updates with step h (rounded once to the space), parameters name=value pairs params[0..np); the iterate after
 * the run in out[0..n). Exits 1 on a library error, 3 on divergence. */
void dx_run_stepper(mpfr_t *out, const char *method, cor_objective *obj, const cor_vspace *V,
                    const mpfr_t *theta0, mpfr_srcptr h, long N, const char *const *params,
                    size_t np);

/* |a - b| (Euclidean) into d. */
void dx_dist(mpfr_ptr d, const mpfr_t *a, const mpfr_t *b, size_t n);

/* A result table written atomically to path: the standard preamble (program, version,
 * command line, date, build) plus experiment/paper keys; summary lines are collected and
 * written after the rows by dx_table_close. */
typedef struct dx_table dx_table;
dx_table *dx_table_open(const char *path, const char *experiment, const char *paper);
cor_table *dx_table_t(dx_table *t);
/* exits 1 if st is not COR_OK */
void dx_check(int st);
/* adds a summary line; verdict is "holds" when holds, else "fails" */
void dx_summary(dx_table *t, const char *claim, const char *prediction, const char *measured,
                int holds);
/* writes the summary lines, closes, renames into place; returns the number of failed
 * verdicts */
int dx_table_close(dx_table *t);

/* x with `digits` significant digits into a static rotating buffer */
const char *dx_fmt(mpfr_srcptr x, int digits);

#endif
