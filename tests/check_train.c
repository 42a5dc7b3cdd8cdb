/* check_train.c -- tests of lib/train (checkpoint files: CRC-32, atomic write, round trip,
 * every corruption reported with its offset) and of the stepper state save/restore of lib/step
 * that checkpoints rely on (cor_step_state_save / _load): for every stepper with a history,
 * k steps, save, m more steps must equal k steps, load into a fresh instance, m steps, bit for
 * bit, on f32 and f64. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cor_step.h"
#include "cor_train.h"
#include "testlib.h"

static void
setup(void)
{
    ck_assert_ptr_nonnull(cor_test_scratch_make("check_train"));
}

static void
teardown(void)
{
    cor_test_scratch_remove();
}


/* ---- CRC and checkpoints ---------------------------------------------------------------------- */

START_TEST(test_crc32)
{
    const char *s = "123456789";

    /* the standard check value of CRC-32/ISO-HDLC */
    ck_assert_uint_eq(cor_crc32(0, s, 9), 0xCBF43926u);
    ck_assert_uint_eq(cor_crc32(cor_crc32(0, s, 4), s + 4, 5), 0xCBF43926u);
    ck_assert_uint_eq(cor_crc32(0, "", 0), 0);
}
END_TEST

static float ref_params[1000];
static const unsigned char blob[13] = "binary\0blob!";

/* Writes the reference checkpoint to path. */
static void
write_ref(const char *path, const char *progress)
{
    cor_ckpt *c = cor_ckpt_alloc();

    for (int i = 0; i < 1000; i++)
        ref_params[i] = (float)sin(i) * 1e-3f * (float)i;
    ref_params[7] = -0.0f;
    ref_params[8] = INFINITY;
    ck_assert_int_eq(cor_ckpt_add_text(c, "config", "model=mlp:4-3\nseed=5\n"), COR_OK);
    ck_assert_int_eq(cor_ckpt_add_text(c, "progress", progress), COR_OK);
    ck_assert_int_eq(cor_ckpt_add_f32(c, "params", ref_params, 1000), COR_OK);
    ck_assert_int_eq(cor_ckpt_add(c, "stepper", blob, sizeof blob), COR_OK);
    ck_assert_int_eq(cor_ckpt_add(c, "empty", NULL, 0), COR_OK);
    ck_assert_int_eq(cor_ckpt_write(c, path), COR_OK);
    cor_ckpt_free(c);
}

START_TEST(test_ckpt_roundtrip)
{
    const char *p = cor_test_scratch_path("run.ckpt");
    cor_ckpt *c;
    float back[1000];
    char val[64];
    size_t len;
    const void *d;

    write_ref(p, "step=10\nepoch=1\n");
    write_ref(p, "step=20\nepoch=2\n"); /* replaces the first atomically */
    c = cor_ckpt_read(p);
    ck_assert_msg(c != NULL, "%s", cor_last_error()->msg);
    ck_assert_uint_eq(cor_ckpt_nsections(c), 5);
    ck_assert_str_eq(cor_ckpt_section_name(c, 2), "params");
    ck_assert_ptr_null(cor_ckpt_section_name(c, 5));
    ck_assert_int_eq(cor_ckpt_get_f32(c, "params", back, 1000), COR_OK);
    ck_assert_mem_eq(back, ref_params, sizeof back);
    ck_assert_int_eq(cor_ckpt_get_f32(c, "params", back, 999), COR_EPARSE);
    cor_test_assert_msg(p, "section 'params' holds 4000 bytes");
    d = cor_ckpt_get(c, "stepper", &len);
    ck_assert_uint_eq(len, sizeof blob);
    ck_assert_mem_eq(d, blob, sizeof blob);
    ck_assert_ptr_nonnull(cor_ckpt_get(c, "empty", &len));
    ck_assert_uint_eq(len, 0);
    ck_assert_ptr_null(cor_ckpt_get(c, "nothing", &len));
    ck_assert_int_eq(cor_ckpt_get_kv(c, "progress", "step", val, sizeof val), COR_OK);
    ck_assert_str_eq(val, "20");
    ck_assert_int_eq(cor_ckpt_get_kv(c, "config", "seed", val, sizeof val), COR_OK);
    ck_assert_str_eq(val, "5");
    ck_assert_int_eq(cor_ckpt_get_kv(c, "config", "model", val, sizeof val), COR_OK);
    ck_assert_str_eq(val, "mlp:4-3");
    ck_assert_int_eq(cor_ckpt_get_kv(c, "config", "see", val, sizeof val), COR_EPARSE);
    ck_assert_int_eq(cor_ckpt_get_kv(c, "config", "model", val, 3), COR_EBADLEN);
    cor_ckpt_free(c);
    /* no temporary file is left behind */
    {
        DIR *dir = opendir(cor_test_scratch_dir());
        struct dirent *e;
        int files = 0;
        while ((e = readdir(dir)))
            if (e->d_name[0] != '.')
            {
                files++;
                ck_assert_msg(strstr(e->d_name, ".tmp.") == NULL, "left %s", e->d_name);
            }
        closedir(dir);
        ck_assert_int_eq(files, 1);
    }
}
END_TEST

START_TEST(test_ckpt_names)
{
    cor_ckpt *c = cor_ckpt_alloc();

    ck_assert_int_eq(cor_ckpt_add(c, "Params", blob, 1), COR_EINVAL);
    ck_assert_int_eq(cor_ckpt_add(c, "", blob, 1), COR_EINVAL);
    ck_assert_int_eq(cor_ckpt_add(c, "a_very_long_name_x", blob, 1), COR_EINVAL);
    ck_assert_int_eq(cor_ckpt_add(c, "ok", blob, 1), COR_OK);
    ck_assert_int_eq(cor_ckpt_add(c, "ok", blob, 1), COR_EINVAL);
    cor_test_assert_msg("added twice", NULL);
    ck_assert_int_eq(cor_ckpt_write(c, "/nonexistent-dir/x.ckpt"), COR_EIO);
    cor_test_assert_msg("/nonexistent-dir/x.ckpt", NULL);
    cor_ckpt_free(c);
}
END_TEST

/* Every byte of the file matters: a flipped byte anywhere is detected. */
START_TEST(test_ckpt_corruption)
{
    const char *p = cor_test_scratch_path("a.ckpt"), *q = cor_test_scratch_path("b.ckpt");
    unsigned char *b;
    size_t n, params_off = 0;

    write_ref(p, "step=1\n");
    b = cor_test_read_file(p, &n);
    /* locate the params payload: header 24, then sections of 32 + padded payload */
    {
        size_t off = 24;
        for (int s = 0; s < 5; s++)
        {
            uint64_t len = 0;
            for (int k = 0; k < 8; k++)
                len |= (uint64_t)b[off + 16 + k] << (8 * k);
            if (strcmp((const char *)b + off, "params") == 0)
                params_off = off + 32;
            off += 32 + ((len + 7) & ~(uint64_t)7);
        }
        ck_assert_uint_eq(off + 8, n);
    }
    ck_assert_uint_gt(params_off, 0);
    /* a flipped byte in the parameters */
    b[params_off + 1234] ^= 0x01;
    cor_test_write_file(q, b, n);
    ck_assert_ptr_null(cor_ckpt_read(q));
    ck_assert_int_eq(cor_last_error()->code, COR_EPARSE);
    {
        char expect[80];
        snprintf(expect, sizeof expect, "section 'params' (payload at byte offset %zu", params_off);
        cor_test_assert_msg(q, expect);
    }
    cor_test_assert_msg("checksum mismatch", "corrupt");
    b[params_off + 1234] ^= 0x01;
    /* every single-byte flip is rejected (sampled every 37 bytes, and the last 40) */
    for (size_t i = 0; i < n; i += (i + 40 < n ? 37 : 1))
    {
        b[i] ^= 0x40;
        cor_test_write_file(q, b, n);
        ck_assert_msg(cor_ckpt_read(q) == NULL, "flip at %zu not detected", i);
        ck_assert_int_eq(cor_last_error()->code, COR_EPARSE);
        b[i] ^= 0x40;
    }
    /* truncation */
    cor_test_write_file(q, b, n - 100);
    ck_assert_ptr_null(cor_ckpt_read(q));
    {
        char expect[80];
        snprintf(expect, sizeof expect, "truncated at byte offset %zu", n - 100);
        cor_test_assert_msg(q, expect);
    }
    cor_test_write_file(q, b, 5);
    ck_assert_ptr_null(cor_ckpt_read(q));
    cor_test_assert_msg(q, "not a corridor checkpoint");
    /* data appended */
    {
        unsigned char *c = malloc(n + 3);
        memcpy(c, b, n);
        memset(c + n, 0, 3);
        cor_test_write_file(q, c, n + 3);
        free(c);
        ck_assert_ptr_null(cor_ckpt_read(q));
        cor_test_assert_msg(q, "unexpected data");
    }
    /* another version */
    b[8] = 2;
    cor_test_write_file(q, b, n);
    ck_assert_ptr_null(cor_ckpt_read(q));
    cor_test_assert_msg(q, "byte offset 8: checkpoint format version 2");
    /* missing file */
    ck_assert_ptr_null(cor_ckpt_read(cor_test_scratch_path("missing.ckpt")));
    ck_assert_int_eq(cor_last_error()->code, COR_EIO);
    free(b);
}
END_TEST

/* ---- stepper state -------------------------------------------------------------------------- */

#define DIM 6
#define NB 3

/* L_k(x) = 1/2 sum_i a_i (x_i - c_{k,i})^2 for batch k; the full loss is their mean. */
typedef struct
{
    double a[DIM], c[NB][DIM];
    size_t batch; /* COR_BATCH_FULL or k */
} quad;

static double
quad_center(const quad *q, int i)
{
    double s = 0;

    if (q->batch != COR_BATCH_FULL)
        return q->c[q->batch][i];
    for (int k = 0; k < NB; k++)
        s += q->c[k][i];
    return s / NB;
}

static int
q_value(cor_scalar *L, const cor_vec *x, void *params)
{
    const quad *q = params;
    const cor_vspace *V = cor_vec_space(x);
    double s = 0;

    for (int i = 0; i < DIM; i++)
    {
        double xi, d;
        if (cor_vec_get_d(&xi, x, (size_t)i, V) != COR_OK)
            return COR_NONFINITE;
        if (q->batch == COR_BATCH_FULL)
            for (int k = 0; k < NB; k++)
                d = xi - q->c[k][i], s += 0.5 * q->a[i] * d * d / NB;
        else
            d = xi - q->c[q->batch][i], s += 0.5 * q->a[i] * d * d;
    }
    return cor_scalar_set_d(L, s);
}

static int
q_grad(cor_vec *g, const cor_vec *x, void *params)
{
    const quad *q = params;
    const cor_vspace *V = cor_vec_space(x);

    for (int i = 0; i < DIM; i++)
    {
        double xi;
        int st;
        if (cor_vec_get_d(&xi, x, (size_t)i, V) != COR_OK)
            return COR_NONFINITE;
        if ((st = cor_vec_set_d(g, (size_t)i, q->a[i] * (xi - quad_center(q, i)), V)) != COR_OK)
            return st;
    }
    return COR_OK;
}

static int
q_select(size_t k, void *params)
{
    ((quad *)params)->batch = k;
    return COR_OK;
}

static void
quad_objective(cor_objective *obj, quad *q, const cor_vspace *V)
{
    for (int i = 0; i < DIM; i++)
    {
        q->a[i] = 0.5 + 0.3 * i;
        for (int k = 0; k < NB; k++)
            q->c[k][i] = sin(1.0 + i + 3.0 * k);
    }
    q->batch = COR_BATCH_FULL;
    memset(obj, 0, sizeof *obj);
    obj->V = V;
    obj->n = DIM;
    obj->flags = COR_OBJ_VALUE | COR_OBJ_GRAD | COR_OBJ_BATCHES;
    obj->nbatches = NB;
    obj->value = q_value;
    obj->grad = q_grad;
    obj->select_batch = q_select;
    obj->params = q;
}

static cor_step *
make_stepper(const char *name, const cor_vspace *V, cor_scalar *h)
{
    cor_step *s = cor_step_alloc(cor_step_type_lookup(name), V);

    ck_assert_msg(s != NULL, "%s: %s", name, cor_last_error()->msg);
    ck_assert_int_eq(cor_scalar_set_d(h, strcmp(name, "adam") == 0 ? 0.05 : 0.1), COR_OK);
    if (strcmp(name, "sgd") == 0)
    {
        ck_assert_int_eq(cor_step_set_param(s, "mode", "shuffle"), COR_OK);
        ck_assert_int_eq(cor_step_set_param(s, "seed", "17"), COR_OK);
    }
    if (strcmp(name, "polyak_lb") == 0)
        ck_assert_int_eq(cor_step_set_param(s, "period", "2"), COR_OK);
    if (strcmp(name, "decsps") == 0 || strcmp(name, "sps") == 0)
        ck_assert_int_eq(cor_step_set_param(s, "gamma_b", "2"), COR_OK);
    return s;
}

static void
set_x0(cor_vec *x, const cor_vspace *V)
{
    for (int i = 0; i < DIM; i++)
        ck_assert_int_eq(cor_vec_set_d(x, (size_t)i, 2.0 - 0.7 * i, V), COR_OK);
}

static void
steps(cor_step *s, cor_objective *obj, cor_vec *x, const cor_scalar *h, int m)
{
    for (int k = 0; k < m; k++)
    {
        int st = cor_step_apply(s, obj, x, h, NULL);
        ck_assert_msg(st == COR_OK, "%s step %d: %d %s", cor_step_name(s), k, st,
                      cor_last_error()->msg);
    }
}

/* Max |a_i - b_i| bits: 1 when some element differs in any bit. */
static int
vec_differs(const cor_vec *a, const cor_vec *b, const cor_vspace *V)
{
    for (size_t i = 0; i < DIM; i++)
    {
        double u, v;
        ck_assert_int_eq(cor_vec_get_d(&u, a, i, V), COR_OK);
        ck_assert_int_eq(cor_vec_get_d(&v, b, i, V), COR_OK);
        if (memcmp(&u, &v, sizeof u) != 0)
            return 1;
    }
    return 0;
}

static const char *const stateful[] = {"heavyball", "nesterov", "adam", "decsps", "polyak_lb",
                                       "sgd"};
static const char *const all_names[] = {"gd",  "heavyball", "nesterov", "rk4",       "clr",
                                        "sps", "decsps",    "adam",     "polyak_lb", "sgd"};

START_TEST(test_step_state_resume)
{
    for (int kind = 0; kind < 2; kind++)
        for (size_t t = 0; t < sizeof all_names / sizeof all_names[0]; t++)
        {
            const char *name = all_names[t];
            cor_vspace *V = kind ? cor_vspace_alloc_f64(DIM) : cor_vspace_alloc_f32(DIM);
            cor_objective obj;
            quad q;
            cor_scalar *h = cor_scalar_alloc(V);
            cor_step *A = make_stepper(name, V, h), *B, *C;
            cor_vec *xa = cor_vec_alloc(V), *xb = cor_vec_alloc(V), *xc = cor_vec_alloc(V);
            unsigned char buf[4096];
            size_t need, len;
            int stateful_type = 0;

            for (size_t k = 0; k < sizeof stateful / sizeof stateful[0]; k++)
                stateful_type |= strcmp(stateful[k], name) == 0;
            quad_objective(&obj, &q, V);
            set_x0(xa, V);
            steps(A, &obj, xa, h, 4);
            /* save after 4 steps (size query first) */
            ck_assert_int_eq(cor_step_state_save(A, NULL, 0, &need), COR_OK);
            ck_assert_uint_le(need, sizeof buf);
            ck_assert_int_eq(cor_step_state_save(A, buf, sizeof buf, &len), COR_OK);
            ck_assert_uint_eq(len, need);
            ck_assert_int_eq(cor_step_state_save(A, buf, need - 1, &len), COR_EBADLEN);
            ck_assert_int_eq(cor_step_state_save(A, buf, sizeof buf, &len), COR_OK);
            ck_assert_int_eq(cor_vec_copy(xb, xa, V), COR_OK);
            ck_assert_int_eq(cor_vec_copy(xc, xa, V), COR_OK);
            steps(A, &obj, xa, h, 7);
            /* a fresh instance with the loaded state continues identically */
            B = make_stepper(name, V, h);
            if (strcmp(name, "sgd") == 0)
                ck_assert_int_eq(cor_step_prepare(B, &obj), COR_OK);
            ck_assert_msg(cor_step_state_load(B, buf, len) == COR_OK, "%s: %s", name,
                          cor_last_error()->msg);
            steps(B, &obj, xb, h, 7);
            ck_assert_msg(!vec_differs(xa, xb, V), "%s (%s): resumed run differs", name,
                          kind ? "f64" : "f32");
            /* without the state, a stepper with history goes elsewhere */
            C = make_stepper(name, V, h);
            steps(C, &obj, xc, h, 7);
            if (stateful_type)
                ck_assert_msg(vec_differs(xa, xc, V), "%s: the state made no difference", name);
            /* loading into another type is refused */
            if (strcmp(name, "gd") != 0)
            {
                cor_step *G = cor_step_alloc(&cor_step_gd, V);
                ck_assert_int_eq(cor_step_state_load(G, buf, len), COR_EINVAL);
                cor_test_assert_msg("cannot be loaded into 'gd'", NULL);
                cor_step_free(G);
            }
            /* truncated record */
            {
                cor_step *D = make_stepper(name, V, h);
                if (strcmp(name, "sgd") == 0)
                    ck_assert_int_eq(cor_step_prepare(D, &obj), COR_OK);
                ck_assert_int_eq(cor_step_state_load(D, buf, len - 1), COR_EPARSE);
                ck_assert_int_eq(cor_step_state_load(D, buf, 5), COR_EPARSE);
                cor_test_assert_msg("truncated at byte offset 5", NULL);
                buf[len] = 0;
                ck_assert_int_eq(cor_step_state_load(D, buf, len + 1), COR_EPARSE);
                cor_test_assert_msg("unexpected bytes", NULL);
                cor_step_free(D);
            }
            cor_step_free(A);
            cor_step_free(B);
            cor_step_free(C);
            cor_vec_free(xa);
            cor_vec_free(xb);
            cor_vec_free(xc);
            cor_scalar_free(h);
            cor_vspace_free(V);
        }
}
END_TEST

START_TEST(test_step_state_errors)
{
    cor_vspace *V = cor_vspace_alloc_f32(DIM), *W = cor_vspace_alloc_f64(DIM);
    cor_vspace *U = cor_vspace_alloc_f32(DIM + 1), *M = cor_vspace_alloc_mpfr(DIM, 64);
    cor_step *a = cor_step_alloc(&cor_step_adam, V), *b = cor_step_alloc(&cor_step_adam, W);
    cor_step *c = cor_step_alloc(&cor_step_adam, U), *m = cor_step_alloc(&cor_step_adam, M);
    cor_step *s = cor_step_alloc(&cor_step_sgd, V);
    unsigned char buf[1024];
    size_t len;

    ck_assert_int_eq(cor_step_state_save(a, buf, sizeof buf, &len), COR_OK);
    ck_assert_int_eq(cor_step_state_load(b, buf, len), COR_EINVAL); /* f32 into f64 */
    ck_assert_int_eq(cor_step_state_load(c, buf, len), COR_EINVAL); /* dimension */
    cor_test_assert_msg("dimension 6", NULL);
    ck_assert_int_eq(cor_step_state_save(m, buf, sizeof buf, &len), COR_EUNSUP);
    ck_assert_int_eq(cor_step_state_save(a, buf, sizeof buf, &len), COR_OK);
    buf[0] = 'X';
    ck_assert_int_eq(cor_step_state_load(a, buf, len), COR_EPARSE);
    cor_test_assert_msg("bad magic", NULL);
    buf[0] = 'C';
    buf[7] = 9;
    ck_assert_int_eq(cor_step_state_load(a, buf, len), COR_EPARSE);
    cor_test_assert_msg("version 9", NULL);
    /* sgd must be prepared first */
    ck_assert_int_eq(cor_step_state_save(s, buf, sizeof buf, &len), COR_OK);
    ck_assert_int_eq(cor_step_state_load(s, buf, len), COR_EINVAL);
    cor_test_assert_msg("cor_step_prepare", NULL);
    cor_step_free(a);
    cor_step_free(b);
    cor_step_free(c);
    cor_step_free(m);
    cor_step_free(s);
    cor_vspace_free(V);
    cor_vspace_free(W);
    cor_vspace_free(U);
    cor_vspace_free(M);
}
END_TEST

int
main(void)
{
    const cor_test_case cases[] = {
        {"crc32", test_crc32},
        {"ckpt_roundtrip", test_ckpt_roundtrip},
        {"ckpt_names", test_ckpt_names},
        {"ckpt_corruption", test_ckpt_corruption},
        {"step_state_resume", test_step_state_resume},
        {"step_state_errors", test_step_state_errors},
    };

    return cor_test_run_cases("train", cases, sizeof cases / sizeof cases[0], setup, teardown);
}
