/* check_table.c -- tests of the table writer (lib/table): every format on a small table
 * (exact text), the atomic write, JSON escaping, MPFR digits and misuse statuses. */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mpfr.h>

#include "cor_err.h"
#include "cor_sys.h"
#include "cor_table.h"

/* ---- helpers ------------------------------------------------------------------------------- */

/* The text a table writes to a memory stream. */
typedef struct
{
    FILE *f;
    char *text;
    size_t len;
} memout;

static cor_table *
mem_table(memout *m, cor_table_format fmt)
{
    cor_table *t;

    m->text = NULL;
    m->len = 0;
    m->f = open_memstream(&m->text, &m->len);
    ck_assert_ptr_nonnull(m->f);
    t = cor_table_alloc_stream(m->f, fmt);
    ck_assert_ptr_nonnull(t);
    return t;
}

static const char *
mem_finish(memout *m)
{
    fclose(m->f);
    return m->text;
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Number of entries of dir whose name starts with prefix. */
static int
count_prefix(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)))
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            n++;
    closedir(d);
    return n;
}

/* The small table of the format tests: standard preamble at t = 0, one caller key, columns
 * k name x y, two rows (text needing quotes, a NaN, MPFR values with 10 digits). */
static void
fill_small(cor_table *t)
{
    static const char *const cols[] = {"k", "name", "x", "y"};
    char *argv[] = {"prog", "a b", "--at", "1,2"};
    mpfr_t y;

    mpfr_init2(y, 64);
    ck_assert_int_eq(cor_table_meta_std(t, "prog", 4, argv, 0), COR_OK);
    ck_assert_int_eq(cor_table_meta(t, "loss", "x^2 | y"), COR_OK);
    ck_assert_int_eq(cor_table_set_digits(t, 10), COR_OK);
    ck_assert_int_eq(cor_table_header(t, 4, cols), COR_OK);

    ck_assert_int_eq(cor_table_cell_u64(t, 1), COR_OK);
    ck_assert_int_eq(cor_table_cell_str(t, "a,\"b\""), COR_OK);
    ck_assert_int_eq(cor_table_cell_d(t, 0.5), COR_OK);
    mpfr_set_ui(y, 1, MPFR_RNDN);
    mpfr_div_ui(y, y, 3, MPFR_RNDN);
    ck_assert_int_eq(cor_table_cell_mpfr(t, y), COR_OK);
    ck_assert_int_eq(cor_table_row_end(t), COR_OK);

    ck_assert_int_eq(cor_table_cell_si(t, -2), COR_OK);
    ck_assert_int_eq(cor_table_cell_str(t, "p|q\tr"), COR_OK);
    ck_assert_int_eq(cor_table_cell_d(t, NAN), COR_OK);
    mpfr_sqrt_ui(y, 2, MPFR_RNDN);
    mpfr_neg(y, y, MPFR_RNDN);
    ck_assert_int_eq(cor_table_cell_mpfr(t, y), COR_OK);
    ck_assert_int_eq(cor_table_row_end(t), COR_OK);
    mpfr_clear(y);
}

/* expected with every "@V@" replaced by the library version. */
static char *
with_version(const char *expected)
{
    const char *v = cor_version();
    char *out = malloc(strlen(expected) + 8 * strlen(v) + 1);
    char *p = out;

    ck_assert_ptr_nonnull(out);
    while (*expected)
    {
        if (strncmp(expected, "@V@", 3) == 0)
        {
            p += sprintf(p, "%s", v);
            expected += 3;
        }
        else
            *p++ = *expected++;
    }
    *p = '\0';
    return out;
}

static void
check_format(cor_table_format fmt, const char *expected)
{
    memout m;
    cor_table *t = mem_table(&m, fmt);
    char *want = with_version(expected);

    fill_small(t);
    ck_assert_int_eq(cor_table_close(t), COR_OK);
    ck_assert_str_eq(mem_finish(&m), want);
    free(m.text);
    free(want);
}

/* ---- formats ------------------------------------------------------------------------------- */

START_TEST(test_tsv)
{
    check_format(COR_TABLE_TSV, "# program=prog\n"
                                "# version=@V@\n"
                                "# command=prog 'a b' --at 1,2\n"
                                "# date=1970-01-01T00:00:00Z\n"
                                "# loss=x^2 | y\n"
                                "k\tname\tx\ty\n"
                                "1\ta,\"b\"\t0.5\t0.3333333333\n"
                                "-2\tp|q\\tr\tnan\t-1.414213562\n");
}
END_TEST

START_TEST(test_csv)
{
    check_format(COR_TABLE_CSV, "# program=prog\n"
                                "# version=@V@\n"
                                "# command=prog 'a b' --at 1,2\n"
                                "# date=1970-01-01T00:00:00Z\n"
                                "# loss=x^2 | y\n"
                                "k,name,x,y\n"
                                "1,\"a,\"\"b\"\"\",0.5,0.3333333333\n"
                                "-2,p|q\tr,nan,-1.414213562\n");
}
END_TEST

START_TEST(test_md)
{
    check_format(COR_TABLE_MD, "<!-- program=prog -->\n"
                               "<!-- version=@V@ -->\n"
                               "<!-- command=prog 'a b' --at 1,2 -->\n"
                               "<!-- date=1970-01-01T00:00:00Z -->\n"
                               "<!-- loss=x^2 | y -->\n"
                               "\n"
                               "| k | name | x | y |\n"
                               "| --- | --- | --- | --- |\n"
                               "| 1 | a,\"b\" | 0.5 | 0.3333333333 |\n"
                               "| -2 | p\\|q\tr | nan | -1.414213562 |\n");
}
END_TEST

START_TEST(test_json)
{
    check_format(COR_TABLE_JSON,
                 "{\n"
                 "  \"meta\": {\n"
                 "    \"program\": \"prog\",\n"
                 "    \"version\": \"@V@\",\n"
                 "    \"command\": \"prog 'a b' --at 1,2\",\n"
                 "    \"date\": \"1970-01-01T00:00:00Z\",\n"
                 "    \"loss\": \"x^2 | y\"\n"
                 "  },\n"
                 "  \"columns\": [\"k\", \"name\", \"x\", \"y\"],\n"
                 "  \"rows\": [\n"
                 "    {\"k\": 1, \"name\": \"a,\\\"b\\\"\", \"x\": 0.5, \"y\": \"0.3333333333\"},\n"
                 "    {\"k\": -2, \"name\": \"p|q\\tr\", \"x\": \"nan\", \"y\": \"-1.414213562\"}\n"
                 "  ]\n"
                 "}\n");
}
END_TEST

START_TEST(test_empty_tables)
{
    memout m;
    cor_table *t = mem_table(&m, COR_TABLE_JSON);
    static const char *const one[] = {"a"};

    ck_assert_int_eq(cor_table_close(t), COR_OK);
    ck_assert_str_eq(mem_finish(&m), "{\n  \"meta\": {},\n  \"columns\": [],\n  \"rows\": []\n}\n");
    free(m.text);

    t = mem_table(&m, COR_TABLE_JSON);
    ck_assert_int_eq(cor_table_header(t, 1, one), COR_OK);
    ck_assert_int_eq(cor_table_close(t), COR_OK);
    ck_assert_str_eq(mem_finish(&m),
                     "{\n  \"meta\": {},\n  \"columns\": [\"a\"],\n  \"rows\": []\n}\n");
    free(m.text);

    t = mem_table(&m, COR_TABLE_TSV);
    ck_assert_int_eq(cor_table_header(t, 1, one), COR_OK);
    ck_assert_int_eq(cor_table_close(t), COR_OK);
    ck_assert_str_eq(mem_finish(&m), "a\n");
    free(m.text);
}
END_TEST

START_TEST(test_doubles)
{
    memout m;
    cor_table *t = mem_table(&m, COR_TABLE_TSV);
    static const char *const cols[] = {"a", "b", "c", "d", "e"};

    ck_assert_int_eq(cor_table_header(t, 5, cols), COR_OK);
    ck_assert_int_eq(cor_table_cell_d(t, 0.1), COR_OK);
    ck_assert_int_eq(cor_table_cell_d(t, -INFINITY), COR_OK);
    ck_assert_int_eq(cor_table_cell_d(t, -NAN), COR_OK);
    ck_assert_int_eq(cor_table_cell_missing(t), COR_OK);
    ck_assert_int_eq(cor_table_cell_str(t, NULL), COR_OK);
    ck_assert_int_eq(cor_table_row_end(t), COR_OK);
    ck_assert_int_eq(cor_table_set_digits(t, 3), COR_OK);
    ck_assert_int_eq(cor_table_cell_d(t, 0.1), COR_OK);
    ck_assert_int_eq(cor_table_cell_d(t, 1e300), COR_OK);
    ck_assert_int_eq(cor_table_cell_d(t, INFINITY), COR_OK);
    ck_assert_int_eq(cor_table_cell_d(t, -0.0), COR_OK);
    ck_assert_int_eq(cor_table_cell_d(t, 2.0 / 3.0), COR_OK);
    ck_assert_int_eq(cor_table_row_end(t), COR_OK);
    ck_assert_int_eq(cor_table_close(t), COR_OK);
    ck_assert_str_eq(mem_finish(&m), "a\tb\tc\td\te\n"
                                     "0.10000000000000001\t-inf\tnan\tnan\tnan\n"
                                     "0.1\t1e+300\tinf\t-0\t0.667\n");
    free(m.text);
}
END_TEST

START_TEST(test_format_names)
{
    cor_table_format f = COR_TABLE_TSV;

    ck_assert_int_eq(cor_table_format_parse(&f, "json"), COR_OK);
    ck_assert_int_eq(f, COR_TABLE_JSON);
    ck_assert_int_eq(cor_table_format_parse(&f, "markdown"), COR_OK);
    ck_assert_int_eq(f, COR_TABLE_MD);
    ck_assert_int_eq(cor_table_format_parse(&f, "csv"), COR_OK);
    ck_assert_int_eq(f, COR_TABLE_CSV);
    ck_assert_int_eq(cor_table_format_parse(&f, "tsv"), COR_OK);
    ck_assert_int_eq(f, COR_TABLE_TSV);
    ck_assert_int_eq(cor_table_format_parse(&f, "xml"), COR_EINVAL);
    ck_assert_ptr_nonnull(strstr(cor_last_error()->msg, "'xml'"));
    ck_assert_int_eq(f, COR_TABLE_TSV);
    ck_assert_int_eq(cor_table_format_parse(&f, NULL), COR_EINVAL);
    ck_assert_str_eq(cor_table_format_name(COR_TABLE_MD), "md");
    ck_assert_str_eq(cor_table_format_name((cor_table_format)42), "unknown");
    ck_assert_ptr_null(cor_table_alloc_stream(stdout, (cor_table_format)42));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    ck_assert_ptr_null(cor_table_alloc_stream(NULL, COR_TABLE_TSV));
}
END_TEST

/* ---- escaping ------------------------------------------------------------------------------ */

START_TEST(test_json_escaping)
{
    memout m;
    cor_table *t = mem_table(&m, COR_TABLE_JSON);
    static const char *const cols[] = {"s"};

    ck_assert_int_eq(cor_table_meta(t, "note", "q\"b\\n\nt\tc\001é"), COR_OK);
    ck_assert_int_eq(cor_table_header(t, 1, cols), COR_OK);
    ck_assert_int_eq(cor_table_cell_str(t, "\"\\/\b\f\r\037\x7f"), COR_OK);
    ck_assert_int_eq(cor_table_row_end(t), COR_OK);
    ck_assert_int_eq(cor_table_close(t), COR_OK);
    ck_assert_str_eq(mem_finish(&m), "{\n"
                                     "  \"meta\": {\n"
                                     "    \"note\": \"q\\\"b\\\\n\\nt\\tc\\u0001é\"\n"
                                     "  },\n"
                                     "  \"columns\": [\"s\"],\n"
                                     "  \"rows\": [\n"
                                     "    {\"s\": \"\\\"\\\\/\\b\\f\\r\\u001f\x7f\"}\n"
                                     "  ]\n"
                                     "}\n");
    free(m.text);
}
END_TEST

START_TEST(test_text_escaping)
{
    memout m;
    cor_table *t = mem_table(&m, COR_TABLE_TSV);
    static const char *const cols[] = {"s"};

    ck_assert_int_eq(cor_table_meta(t, "v", "a\\b\nc\rd\te"), COR_OK);
    ck_assert_int_eq(cor_table_header(t, 1, cols), COR_OK);
    ck_assert_int_eq(cor_table_cell_str(t, "x\\y\nz\r\tw"), COR_OK);
    ck_assert_int_eq(cor_table_row_end(t), COR_OK);
    ck_assert_int_eq(cor_table_close(t), COR_OK);
    ck_assert_str_eq(mem_finish(&m), "# v=a\\b\\nc\\rd\te\ns\nx\\\\y\\nz\\r\\tw\n");
    free(m.text);

    t = mem_table(&m, COR_TABLE_CSV);
    ck_assert_int_eq(cor_table_header(t, 1, cols), COR_OK);
    ck_assert_int_eq(cor_table_cell_str(t, "two\nlines"), COR_OK);
    ck_assert_int_eq(cor_table_row_end(t), COR_OK);
    ck_assert_int_eq(cor_table_cell_str(t, ""), COR_OK);
    ck_assert_int_eq(cor_table_row_end(t), COR_OK);
    ck_assert_int_eq(cor_table_close(t), COR_OK);
    ck_assert_str_eq(mem_finish(&m), "s\n\"two\nlines\"\n\n");
    free(m.text);

    t = mem_table(&m, COR_TABLE_MD);
    ck_assert_int_eq(cor_table_meta(t, "c", "a --> b"), COR_OK);
    ck_assert_int_eq(cor_table_header(t, 1, cols), COR_OK);
    ck_assert_int_eq(cor_table_cell_str(t, "a|b\nc"), COR_OK);
    ck_assert_int_eq(cor_table_row_end(t), COR_OK);
    ck_assert_int_eq(cor_table_close(t), COR_OK);
    ck_assert_str_eq(mem_finish(&m), "<!-- c=a -- > b -->\n\n| s |\n| --- |\n| a\\|b c |\n");
    free(m.text);
}
END_TEST

START_TEST(test_shell_quoting)
{
    memout m;
    cor_table *t = mem_table(&m, COR_TABLE_TSV);
    char *argv[] = {"corridor", "probe", "--loss", "sqrt(x^2+y^2)", "it's", "", "-1/3,2"};

    ck_assert_int_eq(cor_table_meta_std(t, "corridor", 7, argv, 86400 + 3661), COR_OK);
    ck_assert_int_eq(cor_table_close(t), COR_OK);
    {
        char *want = with_version("# program=corridor\n# version=@V@\n"
                                  "# command=corridor probe --loss 'sqrt(x^2+y^2)' "
                                  "'it'\\''s' '' -1/3,2\n"
                                  "# date=1970-01-02T01:01:01Z\n");
        ck_assert_str_eq(mem_finish(&m), want);
        free(want);
    }
    free(m.text);
}
END_TEST

/* ---- MPFR digits --------------------------------------------------------------------------- */

START_TEST(test_mpfr_digits)
{
    /* sqrt(2) to 80 digits, from its 1000-digit expansion. */
    static const char sqrt2[] =
        "1.4142135623730950488016887242096980785696718753769480731766797379907324784621";
    char buf[200];
    mpfr_t x, y;

    ck_assert_int_eq(cor_table_default_digits(53), 15);
    ck_assert_int_eq(cor_table_default_digits(256), 76);
    ck_assert_int_eq(cor_table_default_digits(24), 6);
    ck_assert_int_eq(cor_table_default_digits(2), 1);
    ck_assert_int_eq(cor_table_default_digits(1), 1);

    mpfr_inits2(256, x, y, (mpfr_ptr)0);
    mpfr_sqrt_ui(x, 2, MPFR_RNDN);
    /* default: 76 significant digits, the correctly rounded prefix of sqrt(2) */
    ck_assert_uint_eq(cor_table_format_mpfr(buf, sizeof buf, x, 0), 77);
    ck_assert_int_eq(strncmp(buf, sqrt2, 77), 0); /* ...73247846 rounds to ...7324784|62 */
    ck_assert_uint_eq(cor_table_format_mpfr(buf, sizeof buf, x, 5), 6);
    ck_assert_str_eq(buf, "1.4142");
    /* truncated buffer: snprintf semantics */
    ck_assert_uint_eq(cor_table_format_mpfr(buf, 4, x, 5), 6);
    ck_assert_str_eq(buf, "1.4");

    /* 1 + ceil(p log10 2) digits give a bit-exact round trip */
    cor_table_format_mpfr(buf, sizeof buf, x, 1 + 78);
    ck_assert_int_eq(mpfr_set_str(y, buf, 10, MPFR_RNDN), 0);
    ck_assert(mpfr_equal_p(x, y));

    /* small, large, exact and special values */
    mpfr_set_ui(x, 1, MPFR_RNDN);
    mpfr_div_2ui(x, x, 300, MPFR_RNDN);
    cor_table_format_mpfr(buf, sizeof buf, x, 6);
    ck_assert_str_eq(buf, "4.90909e-91");
    mpfr_set_si(x, -100, MPFR_RNDN);
    cor_table_format_mpfr(buf, sizeof buf, x, 0);
    ck_assert_str_eq(buf, "-100");
    mpfr_set_ui(x, 0, MPFR_RNDN);
    cor_table_format_mpfr(buf, sizeof buf, x, 0);
    ck_assert_str_eq(buf, "0");
    mpfr_set_nan(x);
    cor_table_format_mpfr(buf, sizeof buf, x, 0);
    ck_assert_str_eq(buf, "nan");
    mpfr_set_inf(x, -1);
    cor_table_format_mpfr(buf, sizeof buf, x, 0);
    ck_assert_str_eq(buf, "-inf");
    mpfr_clears(x, y, (mpfr_ptr)0);
}
END_TEST

START_TEST(test_mpfr_cells)
{
    memout m;
    cor_table *t = mem_table(&m, COR_TABLE_JSON);
    static const char *const cols[] = {"v"};
    mpfr_t x;

    mpfr_init2(x, 53);
    ck_assert_int_eq(cor_table_header(t, 1, cols), COR_OK);
    mpfr_const_pi(x, MPFR_RNDN);
    ck_assert_int_eq(cor_table_cell_mpfr(t, x), COR_OK);
    ck_assert_int_eq(cor_table_row_end(t), COR_OK);
    mpfr_set_inf(x, 1);
    ck_assert_int_eq(cor_table_cell_mpfr(t, x), COR_OK);
    ck_assert_int_eq(cor_table_row_end(t), COR_OK);
    /* long values grow the scratch buffer */
    mpfr_set_prec(x, 4000);
    mpfr_const_pi(x, MPFR_RNDN);
    ck_assert_int_eq(cor_table_cell_mpfr(t, x), COR_OK);
    ck_assert_int_eq(cor_table_row_end(t), COR_OK);
    ck_assert_int_eq(cor_table_close(t), COR_OK);
    mem_finish(&m);
    ck_assert_ptr_nonnull(strstr(m.text, "{\"v\": \"3.14159265358979\"},\n"));
    ck_assert_ptr_nonnull(strstr(m.text, "{\"v\": \"inf\"},\n"));
    ck_assert_ptr_nonnull(strstr(m.text, "{\"v\": \"3.1415926535897932384626433832795028841971"));
    /* 4000 bits: floor(3999 log10 2) = 1203 digits plus the point and the quotes */
    ck_assert_ptr_nonnull(strstr(m.text, "\"3.14159"));
    ck_assert_uint_eq(strlen(strstr(m.text, "\"3.1415926535897932384")), 1203 + 1 + 2 + 8);
    free(m.text);
    mpfr_clear(x);
}
END_TEST

/* ---- misuse -------------------------------------------------------------------------------- */

START_TEST(test_misuse)
{
    memout m;
    cor_table *t = mem_table(&m, COR_TABLE_TSV);
    static const char *const cols[] = {"a", "b"};
    static const char *const bad[] = {"a", "Bad"};

    ck_assert_int_eq(cor_table_cell_d(t, 1.0), COR_EINVAL);
    ck_assert_int_eq(cor_table_row_end(t), COR_EINVAL);
    ck_assert_int_eq(cor_table_meta(t, "Key", "v"), COR_EINVAL);
    ck_assert_int_eq(cor_table_meta(t, "1key", "v"), COR_EINVAL);
    ck_assert_int_eq(cor_table_meta(t, "", "v"), COR_EINVAL);
    ck_assert_int_eq(cor_table_set_digits(t, -1), COR_EINVAL);
    ck_assert_int_eq(cor_table_header(t, 2, bad), COR_EINVAL);
    ck_assert_int_eq(cor_table_header(t, 0, cols), COR_EINVAL);
    ck_assert_uint_eq(cor_table_ncols(t), 0);
    ck_assert_int_eq(cor_table_header(t, 2, cols), COR_OK);
    ck_assert_uint_eq(cor_table_ncols(t), 2);
    ck_assert_int_eq(cor_table_header(t, 2, cols), COR_EINVAL);
    ck_assert_int_eq(cor_table_meta(t, "late", "v"), COR_EINVAL);
    ck_assert_int_eq(cor_table_cell_d(t, 1.0), COR_OK);
    ck_assert_int_eq(cor_table_row_end(t), COR_EBADLEN);
    ck_assert_int_eq(cor_table_cell_d(t, 2.0), COR_OK);
    ck_assert_int_eq(cor_table_cell_d(t, 3.0), COR_EBADLEN);
    ck_assert_int_eq(cor_table_row_end(t), COR_OK);
    ck_assert_int_eq(cor_table_cell_d(t, 4.0), COR_OK);
    /* closing in the middle of a row is an error */
    ck_assert_int_eq(cor_table_close(t), COR_EBADLEN);
    mem_finish(&m);
    free(m.text);
    ck_assert_int_eq(cor_table_close(NULL), COR_OK);
    cor_table_abort(NULL);
}
END_TEST

START_TEST(test_write_error_sticky)
{
    FILE *f = fopen("/dev/full", "w");
    cor_table *t;
    static const char *const cols[] = {"a"};
    int st = COR_OK;

    if (!f)
        return; /* no /dev/full here */
    setvbuf(f, NULL, _IONBF, 0);
    t = cor_table_alloc_stream(f, COR_TABLE_TSV);
    ck_assert_ptr_nonnull(t);
    st = cor_table_meta(t, "k", "v");
    ck_assert_int_eq(st, COR_EIO);
    ck_assert_int_eq(cor_table_header(t, 1, cols), COR_EIO);
    ck_assert_int_eq(cor_table_cell_d(t, 1.0), COR_EIO);
    ck_assert_int_eq(cor_table_close(t), COR_EIO);
    fclose(f);
}
END_TEST

/* ---- atomic file output -------------------------------------------------------------------- */

static char tmpdir[64];

static void
make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "check_table.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

START_TEST(test_atomic_close)
{
    char path[128];
    cor_table *t;
    struct stat sb;
    static const char *const cols[] = {"a"};
    char *text;

    make_tmpdir();
    snprintf(path, sizeof path, "%s/out.tsv", tmpdir);
    t = cor_table_alloc(path, COR_TABLE_TSV);
    ck_assert_ptr_nonnull(t);
    /* while writing only the temporary exists */
    ck_assert_int_ne(stat(path, &sb), 0);
    ck_assert_int_eq(count_prefix(tmpdir, "out.tsv.tmp."), 1);
    ck_assert_int_eq(cor_table_header(t, 1, cols), COR_OK);
    ck_assert_int_eq(cor_table_cell_si(t, 7), COR_OK);
    ck_assert_int_eq(cor_table_row_end(t), COR_OK);
    ck_assert_int_ne(stat(path, &sb), 0);
    ck_assert_int_eq(cor_table_close(t), COR_OK);
    /* after close: the file, complete, and no temporary */
    text = slurp(path);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "a\n7\n");
    free(text);
    ck_assert_int_eq(count_prefix(tmpdir, "out.tsv.tmp."), 0);
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert(sb.st_mode & S_IRUSR);

    /* overwrite: the old content stays until the new table is complete */
    t = cor_table_alloc(path, COR_TABLE_CSV);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(cor_table_header(t, 1, cols), COR_OK);
    text = slurp(path);
    ck_assert_str_eq(text, "a\n7\n");
    free(text);
    ck_assert_int_eq(cor_table_cell_si(t, 8), COR_OK);
    ck_assert_int_eq(cor_table_row_end(t), COR_OK);
    ck_assert_int_eq(cor_table_close(t), COR_OK);
    text = slurp(path);
    ck_assert_str_eq(text, "a\n8\n");
    free(text);

    unlink(path);
    ck_assert_int_eq(rmdir(tmpdir), 0);
}
END_TEST

START_TEST(test_atomic_abort)
{
    char path[128];
    cor_table *t;
    struct stat sb;
    static const char *const cols[] = {"a"};

    make_tmpdir();
    snprintf(path, sizeof path, "%s/out.json", tmpdir);
    t = cor_table_alloc(path, COR_TABLE_JSON);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(cor_table_header(t, 1, cols), COR_OK);
    ck_assert_int_eq(cor_table_cell_si(t, 7), COR_OK);
    cor_table_abort(t);
    ck_assert_int_ne(stat(path, &sb), 0);
    ck_assert_int_eq(count_prefix(tmpdir, "out.json"), 0);

    /* a close that fails (unfinished row) removes the temporary too */
    t = cor_table_alloc(path, COR_TABLE_TSV);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(cor_table_header(t, 1, cols), COR_OK);
    ck_assert_int_eq(cor_table_cell_si(t, 7), COR_OK);
    ck_assert_int_eq(cor_table_close(t), COR_EBADLEN);
    ck_assert_int_ne(stat(path, &sb), 0);
    ck_assert_int_eq(count_prefix(tmpdir, "out.json"), 0);
    ck_assert_int_eq(rmdir(tmpdir), 0);
}
END_TEST

START_TEST(test_unwritable)
{
    cor_table *t = cor_table_alloc("no-such-dir.check_table/x.tsv", COR_TABLE_TSV);

    ck_assert_ptr_null(t);
    ck_assert_int_eq(cor_last_error()->code, COR_EIO);
    ck_assert_ptr_nonnull(strstr(cor_last_error()->msg, "no-such-dir.check_table/x.tsv"));
    ck_assert_ptr_null(cor_table_alloc("", COR_TABLE_TSV));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
}
END_TEST

START_TEST(test_stdout)
{
    cor_table *t = cor_table_alloc("-", COR_TABLE_TSV);

    ck_assert_ptr_nonnull(t);
    cor_table_abort(t);
    t = cor_table_alloc(NULL, COR_TABLE_TSV);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(cor_table_close(t), COR_OK);
}
END_TEST

static Suite *
table_suite(void)
{
    Suite *s = suite_create("table");
    TCase *tc;

    tc = tcase_create("formats");
    tcase_add_test(tc, test_tsv);
    tcase_add_test(tc, test_csv);
    tcase_add_test(tc, test_md);
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_empty_tables);
    tcase_add_test(tc, test_doubles);
    tcase_add_test(tc, test_format_names);
    suite_add_tcase(s, tc);

    tc = tcase_create("escaping");
    tcase_add_test(tc, test_json_escaping);
    tcase_add_test(tc, test_text_escaping);
    tcase_add_test(tc, test_shell_quoting);
    suite_add_tcase(s, tc);

    tc = tcase_create("mpfr");
    tcase_add_test(tc, test_mpfr_digits);
    tcase_add_test(tc, test_mpfr_cells);
    suite_add_tcase(s, tc);

    tc = tcase_create("misuse");
    tcase_add_test(tc, test_misuse);
    tcase_add_test(tc, test_write_error_sticky);
    suite_add_tcase(s, tc);

    tc = tcase_create("files");
    tcase_add_test(tc, test_atomic_close);
    tcase_add_test(tc, test_atomic_abort);
    tcase_add_test(tc, test_unwritable);
    tcase_add_test(tc, test_stdout);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(table_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
