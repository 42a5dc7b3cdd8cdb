/* testlib.c -- helpers shared by the Check test programs. */
#include <stdio.h>
#include <stdlib.h>

#include <string.h>

#include <check.h>
#include <gmp.h>

#include "cor_err.h"
#include "testlib.h"

uint64_t
cor_test_seed(void)
{
    static int printed;
    const char *s = getenv("COR_TEST_SEED");
    uint64_t seed = s ? strtoull(s, NULL, 0) : 20240213u;
    if (!printed)
    {
        fprintf(stderr, "COR_TEST_SEED=%llu\n", (unsigned long long)seed);
        printed = 1;
    }
    return seed;
}

unsigned
cor_test_multiplier(void)
{
    const char *s = getenv("COR_TEST_MULTIPLIER");
    long m = s ? strtol(s, NULL, 10) : 1;
    return m > 0 ? (unsigned)m : 1u;
}

/* splitmix64 (Steele, Lea, Flood 2014): a full-period 64-bit generator whose outputs pass
 * BigCrush; good enough for drawing test cases, and trivially reproducible. */
void
cor_test_rng_init(cor_test_rng *r, uint64_t seed, uint64_t stream)
{
    r->s = seed ^ (stream * 0xD1B54A32D192ED03u);
    (void)cor_test_rng_u64(r);
}

uint64_t
cor_test_rng_u64(cor_test_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

unsigned long
cor_test_rng_below(cor_test_rng *r, unsigned long n)
{
    return n <= 1 ? 0 : (unsigned long)(cor_test_rng_u64(r) % n);
}

double
cor_test_rng_uniform(cor_test_rng *r, double lo, double hi)
{
    double u = (double)(cor_test_rng_u64(r) >> 11) * 0x1.0p-53;
    return lo + (hi - lo) * u;
}

int
cor_test_rng_bernoulli(cor_test_rng *r, double p)
{
    return cor_test_rng_uniform(r, 0.0, 1.0) < p;
}

int
cor_test_run_cases(const char *suite, const cor_test_case *cases, size_t n,
                   void (*setup)(void), void (*teardown)(void))
{
    Suite *s = suite_create(suite);
    for (size_t i = 0; i < n; i++)
    {
        TCase *tc = tcase_create(cases[i].name);
        if (setup || teardown)
            tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}

static size_t gmp_allocs, gmp_resizes, gmp_frees;
static void *(*saved_alloc)(size_t);
static void *(*saved_realloc)(void *, size_t, size_t);
static void (*saved_free)(void *, size_t);

static void *
count_alloc(size_t n)
{
    gmp_allocs++;
    return malloc(n);
}

static void *
count_realloc(void *p, size_t o, size_t n)
{
    (void)o;
    gmp_resizes++;
    return realloc(p, n);
}

static void
count_free(void *p, size_t n)
{
    (void)n;
    gmp_frees++;
    free(p);
}

void
cor_test_gmp_count_start(void)
{
    mp_get_memory_functions(&saved_alloc, &saved_realloc, &saved_free);
    gmp_allocs = gmp_resizes = gmp_frees = 0;
    mp_set_memory_functions(count_alloc, count_realloc, count_free);
}

void
cor_test_gmp_count_stop(size_t *allocs, size_t *resizes, size_t *frees)
{
    mp_set_memory_functions(saved_alloc, saved_realloc, saved_free);
    if (allocs)
        *allocs = gmp_allocs;
    if (resizes)
        *resizes = gmp_resizes;
    if (frees)
        *frees = gmp_frees;
}

/* ---- scratch folder --------------------------------------------------------------------- */

static char scratch[512];

const char *
cor_test_scratch_make(const char *prefix)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

    snprintf(scratch, sizeof scratch, "%s/%s.XXXXXX", base, prefix);
    return mkdtemp(scratch);
}

const char *
cor_test_scratch_dir(void)
{
    return scratch;
}

void
cor_test_scratch_remove(void)
{
    char cmd[600];

    if (!scratch[0])
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    if (system(cmd) != 0)
        fprintf(stderr, "testlib: could not remove %s\n", scratch);
    scratch[0] = 0;
}

const char *
cor_test_scratch_path(const char *name)
{
    static char buf[4][700];
    static int k;

    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", scratch, name);
    return buf[k];
}

/* ---- files and error messages ----------------------------------------------------------- */

unsigned char *
cor_test_read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b;
    long size;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    ck_assert_int_ge(size, 0);
    ck_assert_int_eq(fseek(f, 0, SEEK_SET), 0);
    b = malloc((size_t)size + 1);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(fread(b, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *n = (size_t)size;
    return b;
}

void
cor_test_write_file(const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path, "wb");

    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

void
cor_test_assert_msg(const char *a, const char *b)
{
    const char *msg = cor_last_error()->msg;

    ck_assert_msg(a == NULL || strstr(msg, a), "message '%s' lacks '%s'", msg, a);
    ck_assert_msg(b == NULL || strstr(msg, b), "message '%s' lacks '%s'", msg, b);
}

/* ---- expression fixture ------------------------------------------------------------------ */

static cor_expr_pool *expr_pool;

cor_expr_pool *
cor_test_expr_setup(const char *vars, cor_node *V)
{
    char name[64];
    size_t k = 0;

    expr_pool = cor_expr_pool_alloc();
    ck_assert_ptr_nonnull(expr_pool);
    for (const char *p = vars; *p;)
    {
        size_t len = strcspn(p, ",");

        ck_assert_msg(len > 0 && len < sizeof name && k < 16, "cor_test_expr_setup: '%s'", vars);
        memcpy(name, p, len);
        name[len] = 0;
        V[k++] = cor_expr_var(expr_pool, name);
        p += len + (p[len] == ',');
    }
    return expr_pool;
}

void
cor_test_expr_teardown(void)
{
    cor_expr_pool_free(expr_pool);
    expr_pool = NULL;
}

cor_node
cor_test_parse(const char *s)
{
    cor_node n = COR_NODE_NONE;

    ck_assert_msg(cor_expr_parse(&n, NULL, s, COR_PARSE_KNOWN_VARS, expr_pool) == COR_OK,
                  "%s: %s", s, cor_last_error()->msg);
    return n;
}
