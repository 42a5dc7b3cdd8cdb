/* testlib.h -- helpers shared by the Check test programs. */
#ifndef COR_TESTLIB_H
#define COR_TESTLIB_H
#include <stdint.h>
/* Test seed: COR_TEST_SEED from the environment, or a fixed default; printed on failure. */
uint64_t cor_test_seed(void);
/* Multiplier for the number of random cases (COR_TEST_MULTIPLIER, default 1). */
unsigned cor_test_multiplier(void);

/* ---- small deterministic RNG for randomized tests (splitmix64) ------------------------ */

/* A generator state. Seed it with cor_test_rng_init(seed, stream): distinct streams of one
 * seed give unrelated sequences, so case k of a randomized test can be replayed alone. */
typedef struct
{
    uint64_t s;
} cor_test_rng;

void cor_test_rng_init(cor_test_rng *r, uint64_t seed, uint64_t stream);
uint64_t cor_test_rng_u64(cor_test_rng *r);
/* Uniform integer in [0, n) (n >= 1). */
unsigned long cor_test_rng_below(cor_test_rng *r, unsigned long n);
/* Uniform double in [lo, hi). */
double cor_test_rng_uniform(cor_test_rng *r, double lo, double hi);
/* Nonzero with probability p. */
int cor_test_rng_bernoulli(cor_test_rng *r, double p);


#include <stddef.h>

#include <check.h>

/* One named test of a table run by cor_test_run_cases. */
typedef struct
{
    const char *name;
    const TTest *test;
} cor_test_case;

/* Runs each test in its own TCase (named after it) with the given fixture (either may be
 * NULL), in Check's default fork mode; returns EXIT_SUCCESS or EXIT_FAILURE. */
int cor_test_run_cases(const char *suite, const cor_test_case *cases, size_t n,
                       void (*setup)(void), void (*teardown)(void));
/* Counting GMP/MPFR allocations: every GMP and MPFR allocation goes through GMP's memory
 * functions. Start installs counting functions; stop restores the previous ones and returns
 * the numbers of new blocks, of resizes and of released blocks since start (any may be
 * NULL). A zero-allocation test asserts allocs + resizes == 0. */
void cor_test_gmp_count_start(void);
void cor_test_gmp_count_stop(size_t *allocs, size_t *resizes, size_t *frees);
/* ---- scratch folder for tests that write files ----------------------------------------- */

/* Creates a fresh folder $TMPDIR/<prefix>.XXXXXX (TMPDIR defaults to /tmp) and makes it the
 * current scratch folder; returns its path, NULL if it cannot be made. For Check fixtures:
 * call it in setup, cor_test_scratch_remove in teardown. */
const char *cor_test_scratch_make(const char *prefix);
/* The current scratch folder's path. */
const char *cor_test_scratch_dir(void);
/* Removes the current scratch folder and everything in it (warns on stderr on failure). */
void cor_test_scratch_remove(void);
/* "<scratch folder>/<name>" in one of 4 rotating static buffers (so up to 4 paths can be
 * used in one expression). */
const char *cor_test_scratch_path(const char *name);

/* ---- files and error messages ----------------------------------------------------------- */

/* The whole file at path, in a malloc'ed buffer with one spare byte (the caller frees it);
 * its size in *n. Fails the test when the file cannot be read. */
unsigned char *cor_test_read_file(const char *path, size_t *n);
/* Writes b[0..n) to path (created or truncated); fails the test on any error. */
void cor_test_write_file(const char *path, const unsigned char *b, size_t n);
/* Fails the test unless the last error message (cor_last_error) contains a and b (either may
 * be NULL). */
void cor_test_assert_msg(const char *a, const char *b);

/* ---- expression fixture ------------------------------------------------------------------ */

#include "cor_expr.h"

/* For the tests of the expression modules: makes a pool and the variables named in vars
 * (comma-separated, at most 16) into V[0..], and returns the pool (failing the test when it
 * cannot be made). One fixture at a time: call it in a Check setup, cor_test_expr_teardown
 * in its teardown. */
cor_expr_pool *cor_test_expr_setup(const char *vars, cor_node *V);
/* Frees the fixture's pool. */
void cor_test_expr_teardown(void);
/* Parses s in the fixture's pool (COR_PARSE_KNOWN_VARS: only its variables); fails the test,
 * naming s and the parser's message, when s does not parse. */
cor_node cor_test_parse(const char *s);

#endif
