/* check_nn.c -- tests of lib/nn.
 *
 *  - fd_*: every layer's backward pass against central finite differences of its forward
 *    pass, in double (the reference kernels are templated): for a random direction r the
 *    scalar f(inputs) = <r, forward(inputs)> is differentiated numerically (step 1e-6) in
 *    every coordinate of every input and parameter and compared with backward(dout = r).
 *    Tolerance 1e-7 (1 + |g|): the central difference error is O(h^2) + O(eps/h) ~ 1e-10.
 *  - backends: oneDNN against the reference kernels on whole models (loss, all gradients,
 *    inference mode, running statistics), relative 1e-4.
 *  - torch: ResNet-18 (CIFAR) loss and gradients against PyTorch's float64 result on the
 *    same weights and inputs (tests/nn_fixtures/resnet18_cifar.tsv, made by
 *    tests/make_nn_fixtures.py), relative 1e-4, on every backend.
 *  - dnnl_no_ref: no convolution of the small Fashion-MNIST models runs on oneDNN's
 *    reference loops (with AVX-512).
 *  - objective, determinism, errors.
 *  - curvature: on softmax regression ("mlp:12-4", one fully connected layer: smooth, with
 *    the Hessian in closed form, H = (1/N) sum_n (diag p_n - p_n p_n^T) (x) a_n a_n^T + wd I,
 *    a_n = (x_n, 1), p_n = softmax of the logits) the objective's hg and hvp against H g and
 *    H v computed in double, and the Lanczos sharpness (lib/spectral on the f32 space)
 *    against the largest eigenvalue of H by GSL's symmetric eigensolver. Tolerance 1e-3
 *    relative: the central difference has a relative error of order eps32^(2/3) ~ 4e-5
 *    times the third-derivative scale (doc/nn.md), the float32 forward pass 1e-6.
 *  - objective_undisturbed: Lanczos (hvp) and hg on cnn-small (batch norm) leave the
 *    parameters, the running statistics and the recorded training accuracy as they were,
 *    and the next value_grad gives bitwise the same loss, gradient and running statistics
 *    as without them (same model, deterministic, one thread).
 *  - ncorrect: cor_nn_objective_last_ncorrect against the model's own count.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>

#include "cor_nn.h"
#include "cor_spectral.h"
#include "nn_impl.h"
#include "testlib.h"

static cor_test_rng rng;

static void
rnd(double *x, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        x[i] = cor_test_rng_uniform(&rng, lo, hi);
}

static double
dot(const double *a, const double *b, size_t n)
{
    double s = 0;

    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* A layer under test: forward(out, inputs) over up to 3 inputs (data and parameters). */
typedef struct
{
    double *in[3];
    size_t nin[3];
    size_t nout;
    void (*fwd)(const void *ctx, double *out, double *const *in);
    /* writes the gradients of <r, out> with respect to each input into d[k] */
    void (*bwd)(const void *ctx, double *const *d, const double *r, double *const *in,
                const double *out);
    const void *ctx;
} layer_case;

static void
fd_check(const char *what, layer_case *lc)
{
    const double h = 1e-6;
    double *out = malloc(lc->nout * sizeof *out), *r = malloc(lc->nout * sizeof *r);
    double *d[3] = {NULL, NULL, NULL};
    double worst = 0;

    rnd(r, lc->nout, -1, 1);
    lc->fwd(lc->ctx, out, lc->in);
    for (int k = 0; k < 3; k++)
        if (lc->nin[k])
            d[k] = calloc(lc->nin[k], sizeof(double));
    lc->bwd(lc->ctx, d, r, lc->in, out);
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < lc->nin[k]; i++)
        {
            const double x0 = lc->in[k][i];
            double fp, fm;

            lc->in[k][i] = x0 + h;
            lc->fwd(lc->ctx, out, lc->in);
            fp = dot(r, out, lc->nout);
            lc->in[k][i] = x0 - h;
            lc->fwd(lc->ctx, out, lc->in);
            fm = dot(r, out, lc->nout);
            lc->in[k][i] = x0;
            const double fd = (fp - fm) / (2 * h), err = fabs(fd - d[k][i]) / (1 + fabs(d[k][i]));

            if (err > worst)
                worst = err;
            ck_assert_msg(err <= 1e-7, "%s: input %d coordinate %zu: backward %.12g, FD %.12g",
                          what, k, i, d[k][i], fd);
        }
    printf("fd %-28s worst relative difference %.2e\n", what, worst);
    for (int k = 0; k < 3; k++)
        free(d[k]);
    free(out);
    free(r);
}

/* ---- convolution -------------------------------------------------------------------- */

static void
conv_fwd(const void *ctx, double *out, double *const *in)
{
    const cor_nn_geom *g = ctx;

    cor_nn_conv_fwd_f64(out, in[0], in[1], in[2], g);
}

static void
conv_bwd(const void *ctx, double *const *d, const double *r, double *const *in,
         const double *out)
{
    (void)out;
    cor_nn_conv_bwd_f64(d[0], d[1], d[2], r, in[0], in[1], ctx);
}

static void
geom(cor_nn_geom *g, int N, int C, int H, int W, int K, int R, int S, int stride, int pad)
{
    g->N = N, g->C = C, g->H = H, g->W = W, g->K = K, g->R = R, g->S = S;
    g->stride = stride, g->pad = pad;
    g->P = (H + 2 * pad - R) / stride + 1;
    g->Q = (W + 2 * pad - S) / stride + 1;
}

START_TEST(fd_conv)
{
    static const int cfg[][9] = {
        /* N C H W K R S stride pad */
        {2, 3, 5, 5, 4, 3, 3, 1, 1}, {2, 2, 7, 6, 3, 3, 3, 2, 1}, {1, 3, 6, 6, 2, 1, 1, 2, 0},
        {1, 2, 6, 7, 2, 5, 5, 1, 2}, {1, 2, 9, 9, 2, 7, 7, 2, 3}, {2, 2, 5, 4, 3, 2, 3, 1, 0},
        {1, 1, 4, 4, 2, 3, 3, 3, 2},
    };
    for (size_t t = 0; t < sizeof cfg / sizeof cfg[0]; t++)
    {
        const int *c = cfg[t];
        cor_nn_geom g;
        layer_case lc;
        char what[64];

        geom(&g, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]);
        memset(&lc, 0, sizeof lc);
        lc.nin[0] = (size_t)g.N * g.C * g.H * g.W;
        lc.nin[1] = (size_t)g.K * g.C * g.R * g.S;
        lc.nin[2] = (size_t)g.K;
        lc.nout = (size_t)g.N * g.K * g.P * g.Q;
        for (int k = 0; k < 3; k++)
        {
            lc.in[k] = malloc(lc.nin[k] * sizeof(double));
            rnd(lc.in[k], lc.nin[k], -1, 1);
        }
        lc.fwd = conv_fwd;
        lc.bwd = conv_bwd;
        lc.ctx = &g;
        snprintf(what, sizeof what, "conv %dx%d s%d p%d", g.R, g.S, g.stride, g.pad);
        fd_check(what, &lc);
        for (int k = 0; k < 3; k++)
            free(lc.in[k]);
    }
}
END_TEST

/* ---- batch norm (training statistics, with and without the fused ReLU) --------------- */

typedef struct
{
    int N, C, HW, relu;
} bn_ctx;

static void
bn_fwd(const void *ctx, double *out, double *const *in)
{
    const bn_ctx *b = ctx;
    double mean[8], var[8];

    cor_nn_bn_fwd_train_f64(out, mean, var, in[0], in[1], in[2], b->N, b->C, b->HW, 1e-5);
    if (b->relu)
        cor_nn_relu_fwd_f64(out, out, (size_t)b->N * b->C * b->HW);
}

static void
bn_bwd(const void *ctx, double *const *d, const double *r, double *const *in,
       const double *out)
{
    const bn_ctx *b = ctx;
    const size_t n = (size_t)b->N * b->C * b->HW;
    double mean[8], var[8], *tmp = malloc(n * sizeof *tmp), *dy = malloc(n * sizeof *dy);

    cor_nn_bn_fwd_train_f64(tmp, mean, var, in[0], in[1], in[2], b->N, b->C, b->HW, 1e-5);
    if (b->relu)
        cor_nn_relu_bwd_f64(dy, r, out, n);
    else
        memcpy(dy, r, n * sizeof *dy);
    cor_nn_bn_bwd_f64(d[0], d[1], d[2], dy, in[0], mean, var, in[1], b->N, b->C, b->HW, 1e-5);
    free(tmp);
    free(dy);
}

START_TEST(fd_bn)
{
    for (int relu = 0; relu < 2; relu++)
    {
        bn_ctx b = {3, 4, 5, relu};
        layer_case lc;

        memset(&lc, 0, sizeof lc);
        lc.nin[0] = lc.nout = (size_t)b.N * b.C * b.HW;
        lc.nin[1] = lc.nin[2] = (size_t)b.C;
        for (int k = 0; k < 3; k++)
            lc.in[k] = malloc(lc.nin[k] * sizeof(double));
        rnd(lc.in[0], lc.nin[0], -2, 2);
        rnd(lc.in[1], lc.nin[1], 0.5, 1.5);
        rnd(lc.in[2], lc.nin[2], -0.5, 0.5);
        lc.fwd = bn_fwd;
        lc.bwd = bn_bwd;
        lc.ctx = &b;
        fd_check(relu ? "batch norm + relu (train)" : "batch norm (train)", &lc);
        for (int k = 0; k < 3; k++)
            free(lc.in[k]);
    }
}
END_TEST

/* ---- pooling, relu, gap, fc, add ------------------------------------------------------ */

typedef struct
{
    int kind; /* 0 max, 1 avg, 2 gap, 3 relu, 4 fc, 5 add */
    cor_nn_geom g;
} op_ctx;

static void
op_fwd(const void *ctx, double *out, double *const *in)
{
    const op_ctx *o = ctx;
    const cor_nn_geom *g = &o->g;

    switch (o->kind)
    {
    case 0:
        cor_nn_maxpool_fwd_f64(out, in[0], g);
        break;
    case 1:
        cor_nn_avgpool_fwd_f64(out, in[0], g);
        break;
    case 2:
        cor_nn_gap_fwd_f64(out, in[0], g->N, g->C, g->H * g->W);
        break;
    case 3:
        cor_nn_relu_fwd_f64(out, in[0], (size_t)g->N * g->C * g->H * g->W);
        break;
    case 4:
        cor_nn_fc_fwd_f64(out, in[0], in[1], in[2], g->N, g->C, g->K);
        break;
    case 5:
        cor_nn_add_f64(out, in[0], in[1], (size_t)g->N * g->C * g->H * g->W);
        break;
    }
}

static void
op_bwd(const void *ctx, double *const *d, const double *r, double *const *in,
       const double *out)
{
    const op_ctx *o = ctx;
    const cor_nn_geom *g = &o->g;
    const size_t n = (size_t)g->N * g->C * g->H * g->W;

    switch (o->kind)
    {
    case 0:
        cor_nn_maxpool_bwd_f64(d[0], r, in[0], g);
        break;
    case 1:
        cor_nn_avgpool_bwd_f64(d[0], r, g);
        break;
    case 2:
        cor_nn_gap_bwd_f64(d[0], r, g->N, g->C, g->H * g->W);
        break;
    case 3:
        cor_nn_relu_bwd_f64(d[0], r, out, n);
        break;
    case 4:
        cor_nn_fc_bwd_f64(d[0], d[1], d[2], r, in[0], in[1], g->N, g->C, g->K);
        break;
    case 5:
        memcpy(d[0], r, n * sizeof(double));
        memcpy(d[1], r, n * sizeof(double));
        break;
    }
}

START_TEST(fd_ops)
{
    static const struct
    {
        const char *name;
        int kind, N, C, H, W, K, R, stride, pad;
    } cfg[] = {
        {"maxpool 2x2 s2", 0, 2, 2, 6, 6, 2, 2, 2, 0},
        {"maxpool 3x3 s2 p1", 0, 2, 2, 7, 7, 2, 3, 2, 1},
        {"avgpool 2x2 s2", 1, 2, 2, 6, 6, 2, 2, 2, 0},
        {"avgpool 3x3 s2 p1", 1, 2, 2, 7, 5, 2, 3, 2, 1},
        {"global average pool", 2, 2, 3, 4, 5, 3, 4, 1, 0},
        {"relu", 3, 2, 3, 4, 4, 3, 1, 1, 0},
        {"fully connected", 4, 3, 7, 1, 1, 5, 1, 1, 0},
        {"residual add", 5, 2, 3, 3, 3, 3, 1, 1, 0},
    };
    for (size_t t = 0; t < sizeof cfg / sizeof cfg[0]; t++)
    {
        op_ctx o;
        layer_case lc;

        memset(&o, 0, sizeof o);
        memset(&lc, 0, sizeof lc);
        o.kind = cfg[t].kind;
        geom(&o.g, cfg[t].N, cfg[t].C, cfg[t].H, cfg[t].W, cfg[t].K, cfg[t].R, cfg[t].R,
             cfg[t].stride, cfg[t].pad);
        lc.nin[0] = (size_t)cfg[t].N * cfg[t].C * cfg[t].H * cfg[t].W;
        switch (o.kind)
        {
        case 2:
            lc.nout = (size_t)cfg[t].N * cfg[t].C;
            break;
        case 3:
        case 5:
            lc.nout = lc.nin[0];
            if (o.kind == 5)
                lc.nin[1] = lc.nin[0];
            break;
        case 4:
            lc.nin[1] = (size_t)cfg[t].K * cfg[t].C;
            lc.nin[2] = (size_t)cfg[t].K;
            lc.nout = (size_t)cfg[t].N * cfg[t].K;
            break;
        default:
            lc.nout = (size_t)o.g.N * o.g.C * o.g.P * o.g.Q;
        }
        for (int k = 0; k < 3; k++)
            if (lc.nin[k])
            {
                lc.in[k] = malloc(lc.nin[k] * sizeof(double));
                rnd(lc.in[k], lc.nin[k], -1, 1);
            }
        lc.fwd = op_fwd;
        lc.bwd = op_bwd;
        lc.ctx = &o;
        fd_check(cfg[t].name, &lc);
        for (int k = 0; k < 3; k++)
            free(lc.in[k]);
    }
}
END_TEST

/* Softmax cross-entropy: the gradient against FD of the mean loss. */
START_TEST(fd_xent)
{
    const int N = 4, K = 5;
    double z[20], dz[20];
    int32_t y[4] = {0, 3, 4, 3};
    int hits;
    const double h = 1e-6;

    rnd(z, 20, -3, 3);
    cor_nn_xent_f64(dz, &hits, z, y, N, K);
    for (int i = 0; i < N * K; i++)
    {
        const double z0 = z[i];

        z[i] = z0 + h;
        const double fp = cor_nn_xent_f64(NULL, NULL, z, y, N, K);

        z[i] = z0 - h;
        const double fm = cor_nn_xent_f64(NULL, NULL, z, y, N, K);

        z[i] = z0;
        ck_assert_double_eq_tol(dz[i], (fp - fm) / (2 * h), 1e-8);
    }
    /* an independent value: uniform logits give log K */
    for (int i = 0; i < N * K; i++)
        z[i] = 0.25;
    ck_assert_double_eq_tol(cor_nn_xent_f64(NULL, NULL, z, y, N, K), log(K), 1e-15);
}
END_TEST

/* ---- models ------------------------------------------------------------------------- */

static float *
rnd_images(int n, int c, int h, int w)
{
    size_t k = (size_t)n * c * h * w;
    float *x = malloc(k * sizeof *x);

    for (size_t i = 0; i < k; i++)
        x[i] = (float)cor_test_rng_uniform(&rng, -1, 1);
    return x;
}

static double
rel_l2(const float *a, const float *b, size_t n)
{
    double e = 0, s = 0;

    for (size_t i = 0; i < n; i++)
    {
        e += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        s += (double)b[i] * b[i];
    }
    return sqrt(e / (s > 0 ? s : 1));
}

START_TEST(backends)
{
    static const struct
    {
        const char *name;
        int c, h, n;
    } cfg[] = {{"mlp:48-20-7-10", 3, 4, 5},  {"cnn-small", 3, 12, 4}, {"vgg-small", 1, 28, 3},
               {"resnet-small", 3, 16, 4}, {"resnet-small", 1, 28, 3}, {"cnn-medium", 1, 28, 3}};

    for (size_t t = 0; t < sizeof cfg / sizeof cfg[0]; t++)
    {
        cor_nn_model *a = cor_nn_model_alloc(cfg[t].name, cfg[t].c, cfg[t].h, cfg[t].h, 10, 8);
        cor_nn_model *b = cor_nn_model_alloc(cfg[t].name, cfg[t].c, cfg[t].h, cfg[t].h, 10, 8);
        float *x = rnd_images(cfg[t].n, cfg[t].c, cfg[t].h, cfg[t].h);
        int32_t y[8];
        double la, lb;
        int ha, hb;

        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        for (int i = 0; i < 8; i++)
            y[i] = (int32_t)cor_test_rng_below(&rng, 10);
        ck_assert_int_eq(cor_nn_model_init(a, 5), COR_OK);
        ck_assert_int_eq(cor_nn_model_init(b, 5), COR_OK);
        ck_assert_int_eq(cor_nn_model_set_reference(a, 1), COR_OK);
        if (strcmp(cor_nn_model_backend(b), "onednn") != 0)
        {
            printf("backends: %s has no oneDNN backend in this build; skipped\n", cfg[t].name);
            goto next;
        }
        ck_assert_mem_eq(cor_nn_model_params(a), cor_nn_model_params(b),
                         cor_nn_model_nparams(a) * sizeof(float));
        for (int pass = 0; pass < 2; pass++)
        {
            ck_assert_int_eq(cor_nn_model_forward_backward(a, &la, &ha, x, y, cfg[t].n, 1), 0);
            ck_assert_int_eq(cor_nn_model_forward_backward(b, &lb, &hb, x, y, cfg[t].n, 1), 0);
            ck_assert_double_eq_tol(la, lb, 1e-4 * fabs(la));
            ck_assert_int_eq(ha, hb);
            const double eg = rel_l2(cor_nn_model_grads(b), cor_nn_model_grads(a),
                                     cor_nn_model_nparams(a));
            const double es = cor_nn_model_nstate(a)
                                  ? rel_l2(cor_nn_model_state(b), cor_nn_model_state(a),
                                           cor_nn_model_nstate(a))
                                  : 0;

            printf("backends %-16s %dx%d pass %d: loss %.9g vs %.9g, grad rel l2 %.2e, "
                   "state rel l2 %.2e\n",
                   cfg[t].name, cfg[t].h, cfg[t].h, pass, la, lb, eg, es);
            ck_assert_msg(eg <= 1e-4, "%s gradients differ: %g", cfg[t].name, eg);
            ck_assert_msg(es <= 1e-5, "%s running statistics differ: %g", cfg[t].name, es);
        }
        /* inference mode (running statistics), and a different batch size */
        ck_assert_int_eq(cor_nn_model_forward_backward(a, &la, &ha, x, y, cfg[t].n - 1, 0), 0);
        ck_assert_int_eq(cor_nn_model_forward_backward(b, &lb, &hb, x, y, cfg[t].n - 1, 0), 0);
        ck_assert_double_eq_tol(la, lb, 1e-4 * fabs(la));
    next:
        free(x);
        cor_nn_model_free(a);
        cor_nn_model_free(b);
    }
}
END_TEST

/* oneDNN runs every convolution (forward, backward data and weights) of the small models on
 * Fashion-MNIST's 1x28x28 images with one of its optimised kernels, none with its reference
 * loops ("ref:any", 7-10x slower than lib/nn's own loops; doc/nn.md), at the training batch
 * sizes and at a small one. Checked where oneDNN has AVX-512 kernels (the layout choices of
 * nn_dnnl.c are made by querying oneDNN, but only verified there). */
START_TEST(dnnl_no_ref)
{
#ifdef HAVE_DNNL
    static const char *const names[] = {"resnet-small", "cnn-small", "cnn-medium", "vgg-small"};
    static const int batch[] = {64, 128, 8};

    for (size_t t = 0; t < sizeof names / sizeof names[0]; t++)
        for (size_t b = 0; b < sizeof batch / sizeof batch[0]; b++)
        {
            cor_nn_model *m = cor_nn_model_alloc(names[t], 1, 28, 28, 10, batch[b]);

            ck_assert_ptr_nonnull(m);
            if (strcmp(cor_nn_model_backend(m), "onednn") != 0)
            {
                printf("dnnl_no_ref: %s has no oneDNN backend in this build; skipped\n",
                       names[t]);
                cor_nn_model_free(m);
                continue;
            }
            const int nconv = cor_nn_dnnl_count_ref_internal(m, 1);
            const int nall = cor_nn_dnnl_count_ref_internal(m, 0);

            printf("dnnl_no_ref %-12s batch %3d: %d convolution and %d other primitives on "
                   "oneDNN's reference loops\n",
                   names[t], batch[b], nconv, nall - nconv);
            ck_assert_int_ge(nconv, 0);
            if (cor_nn_dnnl_avx512_internal())
            {
                ck_assert_msg(nconv == 0, "%s batch %d: %d convolution primitives on ref",
                              names[t], batch[b], nconv);
                ck_assert_msg(nall == 0, "%s batch %d: %d primitives on ref", names[t],
                              batch[b], nall);
            }
            cor_nn_model_free(m);
        }
    if (!cor_nn_dnnl_avx512_internal())
        printf("dnnl_no_ref: oneDNN has no AVX-512 kernels on this CPU; counts not checked\n");
#else
    printf("dnnl_no_ref: built without oneDNN; skipped\n");
#endif
}
END_TEST

/* ---- ResNet-18 against PyTorch ---------------------------------------------------------- */

static uint64_t
mix64(uint64_t i)
{
    uint64_t z = (i + 1) * 0x9E3779B97F4A7C15ULL;

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double
unif(uint64_t i)
{
    return (double)(mix64(i) >> 11) * 0x1.0p-53 - 0.5;
}

static void
torch_case(int reference)
{
    char path[1024], line[512];
    FILE *f;
    cor_nn_model *m;
    float *x = NULL, *P, *G;
    int32_t y[16];
    int N = 0, C = 0, S = 0, K = 0, ntensor = 0, nsample = 0;
    double loss_ref = NAN, loss, worst_norm = 0, worst_entry = 0, worst_loss;
    size_t total = 0;

    snprintf(path, sizeof path, "%s/tests/nn_fixtures/resnet18_cifar.tsv", TOP_SRCDIR);
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    while (fgets(line, sizeof line, f) && line[0] == '#')
        ;
    ck_assert_int_eq(sscanf(line, "batch %d %d %d %d", &N, &C, &S, &K), 4);
    ck_assert(N >= 1 && N <= 16);
    m = cor_nn_model_alloc("resnet18-cifar", C, S, S, K, N);
    ck_assert_ptr_nonnull(m);
    if (reference)
        ck_assert_int_eq(cor_nn_model_set_reference(m, 1), COR_OK);
    else if (strcmp(cor_nn_model_backend(m), "onednn") != 0)
    {
        printf("torch: no oneDNN backend in this build; skipped\n");
        fclose(f);
        cor_nn_model_free(m);
        return;
    }
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    {
        char *p = line + 6;

        ck_assert(strncmp(line, "labels", 6) == 0);
        for (int i = 0; i < N; i++)
            y[i] = (int32_t)strtol(p, &p, 10);
    }
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_int_eq(sscanf(line, "loss %lf", &loss_ref), 1);
    x = malloc((size_t)N * C * S * S * sizeof *x);
    for (size_t j = 0; j < (size_t)N * C * S * S; j++)
        x[j] = (float)(2.0 * unif((1ULL << 40) + j));
    P = cor_nn_model_params(m);
    G = cor_nn_model_grads(m);
    /* first pass: parameters from the tensor table */
    {
        long pos = ftell(f);

        while (fgets(line, sizeof line, f))
        {
            char name[128], kind[16];
            size_t off, n;
            int fan;
            double gn;

            if (sscanf(line, "tensor %127s %zu %zu %15s %d %lf", name, &off, &n, kind, &fan,
                       &gn) != 6)
                continue;
            ck_assert_msg(off == total, "tensor %s at %zu, expected %zu", name, off, total);
            ck_assert(off + n <= cor_nn_model_nparams(m));
            for (size_t j = 0; j < n; j++)
            {
                const double u = unif(off + j);

                P[off + j] = strcmp(kind, "weight") == 0  ? (float)(u * 2.0 * sqrt(6.0 / fan))
                             : strcmp(kind, "gamma") == 0 ? (float)(1.0 + 0.2 * u)
                                                          : (float)(0.2 * u);
            }
            total += n;
            ntensor++;
        }
        ck_assert_uint_eq(total, cor_nn_model_nparams(m));
        fseek(f, pos, SEEK_SET);
    }
    ck_assert_int_eq(cor_nn_model_forward_backward(m, &loss, NULL, x, y, N, 1), COR_OK);
    worst_loss = fabs(loss - loss_ref) / fabs(loss_ref);
    ck_assert_msg(worst_loss <= 1e-4, "loss %.10g, PyTorch %.10g", loss, loss_ref);
    {
        char name[128] = "", kind[16];
        size_t off = 0, n = 0;
        int fan;
        double gn = 0;

        while (fgets(line, sizeof line, f))
        {
            size_t idx;
            double ref;

            if (sscanf(line, "tensor %127s %zu %zu %15s %d %lf", name, &off, &n, kind, &fan,
                       &gn) == 6)
            {
                double s = 0;

                for (size_t j = 0; j < n; j++)
                    s += (double)G[off + j] * G[off + j];
                const double e = fabs(sqrt(s) - gn) / gn;

                if (e > worst_norm)
                    worst_norm = e;
                ck_assert_msg(e <= 1e-4, "%s: |grad| %.10g, PyTorch %.10g", name, sqrt(s), gn);
            }
            else if (sscanf(line, "grad %zu %lf", &idx, &ref) == 2)
            {
                /* an entry, relative to itself but floored at the tensor's RMS gradient
                 * (entries near zero carry the absolute rounding of their neighbours) */
                const double scale = fmax(fabs(ref), gn / sqrt((double)n));
                const double e = fabs(G[idx] - ref) / scale;

                if (e > worst_entry)
                    worst_entry = e;
                ck_assert_msg(e <= 1e-4, "%s[%zu]: grad %.10g, PyTorch %.10g", name, idx - off,
                              (double)G[idx], ref);
                nsample++;
            }
        }
    }
    printf("torch resnet18-cifar (%s): loss %.10g vs %.10g (rel %.2e); %d tensor norms worst "
           "rel %.2e; %d sampled entries worst rel %.2e\n",
           cor_nn_model_backend(m), loss, loss_ref, worst_loss, ntensor, worst_norm, nsample,
           worst_entry);
    fclose(f);
    free(x);
    cor_nn_model_free(m);
}

START_TEST(torch_onednn)
{
    torch_case(0);
}
END_TEST

START_TEST(torch_reference)
{
    torch_case(1);
}
END_TEST

/* ---- determinism ------------------------------------------------------------------------ */

START_TEST(determinism)
{
    for (int ref = 0; ref < 2; ref++)
    {
        float *g1, *x = rnd_images(6, 3, 16, 16);
        int32_t y[6] = {1, 2, 3, 4, 5, 6};
        cor_nn_model *m = cor_nn_model_alloc("resnet-small", 3, 16, 16, 10, 6);
        double l1, l2;
        size_t np;

        ck_assert_ptr_nonnull(m);
        np = cor_nn_model_nparams(m);
        ck_assert_int_eq(cor_nn_model_set_deterministic(m, 1), COR_OK);
        if (ref)
            ck_assert_int_eq(cor_nn_model_set_reference(m, 1), COR_OK);
        ck_assert_int_eq(cor_nn_model_init(m, 9), COR_OK);
        ck_assert_int_eq(cor_nn_model_forward_backward(m, &l1, NULL, x, y, 6, 1), COR_OK);
        g1 = malloc(np * sizeof *g1);
        memcpy(g1, cor_nn_model_grads(m), np * sizeof *g1);
        ck_assert_int_eq(cor_nn_model_init(m, 9), COR_OK);
        ck_assert_int_eq(cor_nn_model_forward_backward(m, &l2, NULL, x, y, 6, 1), COR_OK);
        ck_assert(l1 == l2);
        ck_assert_mem_eq(g1, cor_nn_model_grads(m), np * sizeof *g1);
        /* init is deterministic and seed-dependent */
        memcpy(g1, cor_nn_model_params(m), np * sizeof *g1);
        ck_assert_int_eq(cor_nn_model_init(m, 9), COR_OK);
        ck_assert_mem_eq(g1, cor_nn_model_params(m), np * sizeof *g1);
        ck_assert_int_eq(cor_nn_model_init(m, 10), COR_OK);
        ck_assert(memcmp(g1, cor_nn_model_params(m), np * sizeof *g1) != 0);
        free(g1);
        free(x);
        cor_nn_model_free(m);
    }
}
END_TEST

/* ---- the objective ---------------------------------------------------------------------- */

START_TEST(objective)
{
    cor_nn_model *m = cor_nn_model_alloc("mlp:12-9-4", 3, 2, 2, 4, 6);
    cor_objective *obj;
    const cor_vspace *V;
    cor_vec *th, *g, *g0, *u, *v, *hu, *hv, *hg;
    cor_scalar *L, *d1, *d2;
    float *x = rnd_images(6, 3, 2, 2);
    int32_t y[6] = {0, 1, 2, 3, 1, 2};
    const double wd = 0.05;
    size_t n;

    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(cor_nn_model_init(m, 3), COR_OK);
    ck_assert_ptr_null(cor_nn_objective_alloc(m, -1.0));
    obj = cor_nn_objective_alloc(m, wd);
    ck_assert_ptr_nonnull(obj);
    V = cor_nn_objective_space(obj);
    ck_assert_ptr_eq(V, obj->V);
    n = cor_vspace_dim(V);
    ck_assert_uint_eq(n, cor_nn_model_nparams(m));
    th = cor_vec_wrap_f32(V, cor_nn_model_params(m));
    g = cor_vec_alloc(V), g0 = cor_vec_alloc(V), u = cor_vec_alloc(V), v = cor_vec_alloc(V);
    hu = cor_vec_alloc(V), hv = cor_vec_alloc(V), hg = cor_vec_alloc(V);
    L = cor_scalar_alloc(V), d1 = cor_scalar_alloc(V), d2 = cor_scalar_alloc(V);
    /* no batch yet */
    ck_assert_int_eq(cor_objective_value(obj, L, th), COR_EINVAL);
    ck_assert_int_eq(cor_nn_objective_set_batch(obj, x, y, 7), COR_EINVAL);
    ck_assert_int_eq(cor_nn_objective_set_batch(obj, x, y, 6), COR_OK);
    ck_assert_int_eq(cor_objective_value_grad(obj, L, g, th), COR_OK);
    /* the weight decay term: value and gradient against the model alone */
    {
        double l0, s = 0;
        const float *G = cor_nn_model_grads(m), *P = cor_nn_model_params(m);

        ck_assert_int_eq(cor_nn_model_forward_backward(m, &l0, NULL, x, y, 6, 1), COR_OK);
        for (size_t i = 0; i < n; i++)
        {
            s += (double)P[i] * P[i];
            ck_assert_float_eq_tol(cor_vec_const_data_f32(g)[i], G[i] + (float)(wd * P[i]),
                                   1e-6f);
        }
        ck_assert_double_eq_tol(cor_scalar_get_d(L), l0 + 0.5 * wd * s, 1e-6);
    }
    /* directional derivative against a double-step FD of the float loss. The step: small
     * enough that no ReLU kink lies within +-h along u (h = 1e-2 crossed one for the random
     * state that Check's no-fork mode leaves here: FD 0.715 against 0.655, and the FD
     * converges to the gradient from h = 1e-3 down), large enough that the float32 rounding
     * of L (about 1e-7) costs under 1e-4 */
    {
        float *U = cor_vec_data_f32(u), *T = malloc(n * sizeof *T);
        const double h = 1e-3;
        double lp, lm, gd = 0;

        memcpy(T, cor_nn_model_params(m), n * sizeof *T);
        for (size_t i = 0; i < n; i++)
            U[i] = (float)cor_test_rng_uniform(&rng, -1, 1);
        for (size_t i = 0; i < n; i++)
            gd += (double)U[i] * cor_vec_const_data_f32(g)[i];
        for (size_t i = 0; i < n; i++)
            cor_nn_model_params(m)[i] = (float)(T[i] + h * U[i]);
        ck_assert_int_eq(cor_objective_value(obj, L, th), COR_OK);
        lp = cor_scalar_get_d(L);
        for (size_t i = 0; i < n; i++)
            cor_nn_model_params(m)[i] = (float)(T[i] - h * U[i]);
        ck_assert_int_eq(cor_objective_value(obj, L, th), COR_OK);
        lm = cor_scalar_get_d(L);
        memcpy(cor_nn_model_params(m), T, n * sizeof *T);
        ck_assert_double_eq_tol((lp - lm) / (2 * h), gd, 2e-3 * (1 + fabs(gd)));
        free(T);
    }
    /* HVP: symmetric (u.Hv = v.Hu), state untouched, hg = H g */
    {
        float *S0 = malloc(cor_nn_model_nstate(m) * sizeof(float) + 1);
        float *V_ = cor_vec_data_f32(v);

        for (size_t i = 0; i < n; i++)
            V_[i] = (float)cor_test_rng_uniform(&rng, -1, 1);
        memcpy(S0, cor_nn_model_state(m), cor_nn_model_nstate(m) * sizeof(float));
        ck_assert_int_eq(cor_objective_hvp(obj, hv, th, v), COR_OK);
        ck_assert_int_eq(cor_objective_hvp(obj, hu, th, u), COR_OK);
        ck_assert_mem_eq(S0, cor_nn_model_state(m), cor_nn_model_nstate(m) * sizeof(float));
        ck_assert_int_eq(cor_vec_dot(d1, u, hv, V), COR_OK);
        ck_assert_int_eq(cor_vec_dot(d2, v, hu, V), COR_OK);
        ck_assert_double_eq_tol(cor_scalar_get_d(d1), cor_scalar_get_d(d2),
                                1e-2 * fabs(cor_scalar_get_d(d1)) + 1e-4);
        /* the weight-decay part: H(wd) - H(0) = wd I, checked along v through v.Hv */
        ck_assert_int_eq(cor_objective_grad(obj, g0, th), COR_OK);
        ck_assert_int_eq(cor_objective_hg(obj, hg, th), COR_OK);
        ck_assert_int_eq(cor_objective_hvp(obj, hv, th, g0), COR_OK);
        ck_assert_double_eq_tol(rel_l2(cor_vec_const_data_f32(hg), cor_vec_const_data_f32(hv), n),
                                0, 1e-3);
        free(S0);
    }
    cor_scalar_free(L), cor_scalar_free(d1), cor_scalar_free(d2);
    cor_vec_free(th), cor_vec_free(g), cor_vec_free(g0), cor_vec_free(u), cor_vec_free(v);
    cor_vec_free(hu), cor_vec_free(hv), cor_vec_free(hg);
    cor_objective_free(obj);
    cor_nn_model_free(m);
    free(x);
}
END_TEST

/* ---- curvature: hvp, hg and Lanczos against the closed-form Hessian ------------------------- */

/* The Hessian (n x n, row-major, n = K*(C+1)) of mean softmax cross-entropy of logits
 * z_n = W x_n + b plus (wd/2)|theta|^2, theta = (W (K x C row-major), b), in double; also
 * the gradient g. */
static void
softmax_hessian(double *H, double *g, const float *theta, const float *x, const int32_t *y,
                int N, int C, int K, double wd)
{
    const size_t n = (size_t)K * (C + 1);
    double *p = malloc((size_t)K * sizeof *p), *a = malloc((size_t)(C + 1) * sizeof *a);

    memset(H, 0, n * n * sizeof *H);
    memset(g, 0, n * sizeof *g);
    for (int s = 0; s < N; s++)
    {
        double zmax = -INFINITY, se = 0;

        for (int j = 0; j < C; j++)
            a[j] = x[(size_t)s * C + j];
        a[C] = 1;
        for (int k = 0; k < K; k++)
        {
            double z = theta[(size_t)K * C + k];
            for (int j = 0; j < C; j++)
                z += (double)theta[(size_t)k * C + j] * a[j];
            p[k] = z;
            zmax = fmax(zmax, z);
        }
        for (int k = 0; k < K; k++)
            se += (p[k] = exp(p[k] - zmax));
        for (int k = 0; k < K; k++)
            p[k] /= se;
        for (int k = 0; k < K; k++)
            for (int j = 0; j <= C; j++)
            {
                const size_t r = j < C ? (size_t)k * C + j : (size_t)K * C + k;

                g[r] += (p[k] - (k == y[s])) * a[j] / N;
                for (int l = 0; l < K; l++)
                    for (int i = 0; i <= C; i++)
                    {
                        const size_t q = i < C ? (size_t)l * C + i : (size_t)K * C + l;

                        H[r * n + q] += ((k == l ? p[k] : 0) - p[k] * p[l]) * a[j] * a[i] / N;
                    }
            }
    }
    for (size_t r = 0; r < n; r++)
    {
        H[r * n + r] += wd;
        g[r] += wd * theta[r];
    }
    free(p);
    free(a);
}

static double
rel_l2_fd(const float *a, const double *b, size_t n)
{
    double e = 0, s = 0;

    for (size_t i = 0; i < n; i++)
    {
        e += (a[i] - b[i]) * (a[i] - b[i]);
        s += b[i] * b[i];
    }
    return sqrt(e / (s > 0 ? s : 1));
}

START_TEST(curvature)
{
    enum { N = 16, C = 12, K = 4 };
    const double wd = 0.05;
    const size_t n = (size_t)K * (C + 1);
    cor_nn_model *m = cor_nn_model_alloc("mlp:12-4", 3, 2, 2, K, N);
    float *x = rnd_images(N, 3, 2, 2);
    int32_t y[N];
    double *H = malloc(n * n * sizeof *H), *g = malloc(n * sizeof *g);
    double *Hg = malloc(n * sizeof *Hg), *Hv = malloc(n * sizeof *Hv), lmax;
    cor_objective *obj;
    const cor_vspace *V;
    cor_vec *th, *v, *hv, *hg;
    cor_scalar *lam;
    cor_spectral *sw;
    cor_spectral_info info;

    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(cor_nn_model_nparams(m), n);
    ck_assert_int_eq(cor_nn_model_init(m, 11), COR_OK);
    for (int i = 0; i < N; i++)
        y[i] = (int32_t)cor_test_rng_below(&rng, K);
    /* biases away from zero, so that the bias block is exercised */
    for (int k = 0; k < K; k++)
        cor_nn_model_params(m)[(size_t)K * C + k] = (float)cor_test_rng_uniform(&rng, -1, 1);
    obj = cor_nn_objective_alloc(m, wd);
    ck_assert_ptr_nonnull(obj);
    V = cor_nn_objective_space(obj);
    ck_assert_int_eq(cor_nn_objective_set_batch(obj, x, y, N), COR_OK);
    th = cor_vec_wrap_f32(V, cor_nn_model_params(m));
    v = cor_vec_alloc(V), hv = cor_vec_alloc(V), hg = cor_vec_alloc(V);
    lam = cor_scalar_alloc(V);
    ck_assert(th && v && hv && hg && lam);
    softmax_hessian(H, g, cor_nn_model_params(m), x, y, N, C, K, wd);
    for (size_t r = 0; r < n; r++)
    {
        Hg[r] = dot(H + r * n, g, n);
        cor_vec_data_f32(v)[r] = (float)cor_test_rng_uniform(&rng, -1, 1);
    }
    for (size_t r = 0; r < n; r++)
    {
        Hv[r] = 0;
        for (size_t q = 0; q < n; q++)
            Hv[r] += H[r * n + q] * cor_vec_const_data_f32(v)[q];
    }
    /* hg and hvp */
    ck_assert_int_eq(cor_objective_hg(obj, hg, th), COR_OK);
    ck_assert_int_eq(cor_objective_hvp(obj, hv, th, v), COR_OK);
    {
        const double ehg = rel_l2_fd(cor_vec_const_data_f32(hg), Hg, n);
        const double ehv = rel_l2_fd(cor_vec_const_data_f32(hv), Hv, n);

        printf("curvature: |hg - H g|/|H g| = %.2e, |hvp - H v|/|H v| = %.2e\n", ehg, ehv);
        ck_assert_msg(ehg <= 1e-3, "hg differs from H g: %g", ehg);
        ck_assert_msg(ehv <= 1e-3, "hvp differs from H v: %g", ehv);
    }
    /* the largest eigenvalue of H (GSL, symmetric QR) against Lanczos on the f32 objective */
    {
        gsl_matrix_view hm = gsl_matrix_view_array(H, n, n); /* destroyed by the solver */
        gsl_vector *ev = gsl_vector_alloc(n);
        gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(n);

        ck_assert_int_eq(gsl_eigen_symm(&hm.matrix, ev, ws), 0);
        lmax = gsl_vector_max(ev);
        gsl_eigen_symm_free(ws);
        gsl_vector_free(ev);
    }
    sw = cor_spectral_alloc(V, 40);
    ck_assert_ptr_nonnull(sw);
    ck_assert_int_eq(cor_spectral_set_tol(sw, 1e-3), COR_OK);
    ck_assert_int_eq(cor_spectral_sharpness(sw, lam, NULL, obj, th, NULL, &info), COR_OK);
    printf("curvature: Lanczos sharpness %.9g after %zu steps, closed form %.9g (rel %.2e)\n",
           cor_scalar_get_d(lam), info.iters, lmax, fabs(cor_scalar_get_d(lam) - lmax) / lmax);
    ck_assert_double_eq_tol(cor_scalar_get_d(lam), lmax, 1e-3 * lmax);
    ck_assert(lmax > 2 * wd); /* the data part is not negligible */
    cor_spectral_free(sw);
    cor_scalar_free(lam);
    cor_vec_free(th), cor_vec_free(v), cor_vec_free(hv), cor_vec_free(hg);
    cor_objective_free(obj);
    cor_nn_model_free(m);
    free(H), free(g), free(Hg), free(Hv), free(x);
}
END_TEST

START_TEST(objective_undisturbed)
{
    enum { N = 8 };
    cor_nn_model *m = cor_nn_model_alloc("cnn-small", 1, 10, 10, 10, N);
    float *x = rnd_images(N, 1, 10, 10);
    int32_t y[N];
    cor_objective *obj;
    const cor_vspace *V;
    cor_vec *th, *g, *gA, *hg;
    cor_scalar *L, *lam;
    cor_spectral *sw;
    float *P0, *S0, *SA;
    double LA;
    size_t np, ns;
    int nc0, nc1, nb, st;

    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(cor_nn_model_set_deterministic(m, 1), COR_OK);
    ck_assert_int_eq(cor_nn_model_set_threads(m, 1), COR_OK);
    ck_assert_int_eq(cor_nn_model_init(m, 4), COR_OK);
    np = cor_nn_model_nparams(m), ns = cor_nn_model_nstate(m);
    for (int i = 0; i < N; i++)
        y[i] = (int32_t)cor_test_rng_below(&rng, 10);
    obj = cor_nn_objective_alloc(m, 1e-3);
    ck_assert_ptr_nonnull(obj);
    V = cor_nn_objective_space(obj);
    th = cor_vec_wrap_f32(V, cor_nn_model_params(m));
    g = cor_vec_alloc(V), gA = cor_vec_alloc(V), hg = cor_vec_alloc(V);
    L = cor_scalar_alloc(V), lam = cor_scalar_alloc(V);
    sw = cor_spectral_alloc(V, 8);
    ck_assert(th && g && gA && hg && L && lam && sw);
    P0 = malloc(np * sizeof *P0), S0 = malloc(ns * sizeof *S0), SA = malloc(ns * sizeof *SA);
    ck_assert_int_eq(cor_nn_objective_set_batch(obj, x, y, N), COR_OK);
    ck_assert_int_eq(cor_objective_value_grad(obj, L, g, th), COR_OK); /* moves BN stats */
    ck_assert_int_eq(cor_nn_objective_last_ncorrect(&nc0, &nb, obj), COR_OK);
    memcpy(P0, cor_nn_model_params(m), np * sizeof *P0);
    memcpy(S0, cor_nn_model_state(m), ns * sizeof *S0);
    /* A: the next evaluation without probes */
    ck_assert_int_eq(cor_objective_value_grad(obj, L, gA, th), COR_OK);
    LA = cor_scalar_get_d(L);
    memcpy(SA, cor_nn_model_state(m), ns * sizeof *SA);
    ck_assert(memcmp(SA, S0, ns * sizeof *SA) != 0); /* a train-mode pass moves them */
    /* B: back to the state before A, probe, then the same evaluation */
    memcpy(cor_nn_model_state(m), S0, ns * sizeof *S0);
    ck_assert_int_eq(cor_nn_objective_set_batch(obj, x, y, N), COR_OK);
    ck_assert_int_eq(cor_objective_value(obj, L, th), COR_OK);
    memcpy(cor_nn_model_state(m), S0, ns * sizeof *S0);
    ck_assert_int_eq(cor_nn_objective_last_ncorrect(&nc0, &nb, obj), COR_OK);
    st = cor_spectral_sharpness(sw, lam, NULL, obj, th, NULL, NULL);
    ck_assert(st == COR_OK || st == COR_MAXITER);
    ck_assert(isfinite(cor_scalar_get_d(lam)) && cor_scalar_get_d(lam) > 0);
    ck_assert_int_eq(cor_objective_hg(obj, hg, th), COR_OK);
    ck_assert_mem_eq(P0, cor_nn_model_params(m), np * sizeof *P0);
    ck_assert_mem_eq(S0, cor_nn_model_state(m), ns * sizeof *S0);
    ck_assert_int_eq(cor_nn_objective_last_ncorrect(&nc1, &nb, obj), COR_OK);
    ck_assert_int_eq(nc0, nc1);
    ck_assert_int_eq(cor_objective_value_grad(obj, L, g, th), COR_OK);
    ck_assert(cor_scalar_get_d(L) == LA);
    ck_assert_mem_eq(cor_vec_const_data_f32(g), cor_vec_const_data_f32(gA), np * sizeof(float));
    ck_assert_mem_eq(cor_nn_model_state(m), SA, ns * sizeof *SA);
    cor_spectral_free(sw);
    cor_scalar_free(L), cor_scalar_free(lam);
    cor_vec_free(th), cor_vec_free(g), cor_vec_free(gA), cor_vec_free(hg);
    cor_objective_free(obj);
    cor_nn_model_free(m);
    free(P0), free(S0), free(SA), free(x);
}
END_TEST

START_TEST(ncorrect)
{
    enum { N = 9 };
    cor_nn_model *m = cor_nn_model_alloc("mlp:12-9-4", 3, 2, 2, 4, N);
    float *x = rnd_images(N, 3, 2, 2), *zero;
    int32_t y[N];
    cor_objective *obj;
    const cor_vspace *V;
    cor_vec *th, *z, *g;
    cor_scalar *L;
    double l;
    int nc, nb, want, zeros = 0;

    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(cor_nn_model_init(m, 5), COR_OK);
    for (int i = 0; i < N; i++)
    {
        y[i] = (int32_t)cor_test_rng_below(&rng, 4);
        zeros += y[i] == 0;
    }
    y[0] = 1; /* at least one label that the zero network (argmax class 0) gets wrong */
    zeros -= y[0] == 0;
    obj = cor_nn_objective_alloc(m, 0);
    ck_assert_ptr_nonnull(obj);
    V = cor_nn_objective_space(obj);
    th = cor_vec_wrap_f32(V, cor_nn_model_params(m));
    z = cor_vec_alloc(V), g = cor_vec_alloc(V), L = cor_scalar_alloc(V);
    ck_assert(th && z && g && L);
    zero = cor_vec_data_f32(z);
    for (size_t i = 0; i < cor_nn_model_nparams(m); i++)
        zero[i] = 0;
    ck_assert_int_eq(cor_nn_objective_last_ncorrect(&nc, &nb, NULL), COR_EINVAL);
    ck_assert_int_eq(cor_nn_objective_set_batch(obj, x, y, N), COR_OK);
    ck_assert_int_eq(cor_nn_objective_last_ncorrect(&nc, &nb, obj), COR_EINVAL); /* none yet */
    /* the model's own count at theta (train mode, as the objective) */
    ck_assert_int_eq(cor_nn_model_forward_backward(m, &l, &want, x, y, N, 1), COR_OK);
    ck_assert_int_eq(cor_objective_value_grad(obj, L, g, th), COR_OK);
    ck_assert_int_eq(cor_nn_objective_last_ncorrect(&nc, &nb, obj), COR_OK);
    ck_assert_int_eq(nc, want);
    ck_assert_int_eq(nb, N);
    /* a gradient-only evaluation elsewhere (at zero: every image classified 0) leaves it */
    ck_assert_int_eq(cor_objective_grad(obj, g, z), COR_OK);
    ck_assert_int_eq(cor_nn_objective_last_ncorrect(&nc, NULL, obj), COR_OK);
    ck_assert_int_eq(nc, want);
    /* a value evaluation at zero records the zero network's hits */
    ck_assert_int_eq(cor_objective_value(obj, L, z), COR_OK);
    ck_assert_int_eq(cor_nn_objective_last_ncorrect(&nc, NULL, obj), COR_OK);
    ck_assert_int_eq(nc, zeros);
    ck_assert_double_eq_tol(cor_scalar_get_d(L), log(4.0), 1e-6);
    /* a new batch forgets it */
    ck_assert_int_eq(cor_nn_objective_set_batch(obj, x, y, N - 1), COR_OK);
    ck_assert_int_eq(cor_nn_objective_last_ncorrect(&nc, NULL, obj), COR_EINVAL);
    cor_scalar_free(L);
    cor_vec_free(th), cor_vec_free(z), cor_vec_free(g);
    cor_objective_free(obj);
    cor_nn_model_free(m);
    free(x);
}
END_TEST

/* ---- errors and model shapes ------------------------------------------------------------ */

START_TEST(errors)
{
    cor_nn_model *m;
    float x[32] = {0};
    int32_t y[2] = {0, 1};

    ck_assert_ptr_null(cor_nn_model_alloc("nonesuch", 3, 32, 32, 10, 4));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    ck_assert_ptr_null(cor_nn_model_alloc("vgg11", 1, 28, 28, 10, 4)); /* too small */
    ck_assert_ptr_null(cor_nn_model_alloc("mlp:10-5-10", 1, 28, 28, 10, 4));
    ck_assert_ptr_null(cor_nn_model_alloc("mlp:784-x", 1, 28, 28, 10, 4));
    ck_assert_ptr_null(cor_nn_model_alloc("cnn-small", 0, 28, 28, 10, 4));
    cor_nn_model_free(NULL);
    m = cor_nn_model_alloc("mlp:16-3", 1, 4, 4, 3, 2);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(cor_nn_model_nparams(m), 16 * 3 + 3);
    ck_assert_uint_eq(cor_nn_model_nstate(m), 0);
    ck_assert_int_eq(cor_nn_model_forward_backward(m, NULL, NULL, x, y, 3, 1), COR_EINVAL);
    y[1] = 3;
    ck_assert_int_eq(cor_nn_model_forward_backward(m, NULL, NULL, x, y, 2, 1), COR_EINVAL);
    ck_assert_int_eq(cor_nn_model_set_threads(m, 0), COR_EINVAL);
    /* all-zero weights: uniform softmax, loss log 3 */
    y[1] = 2;
    {
        double L;
        int hits;

        ck_assert_int_eq(cor_nn_model_forward_backward(m, &L, &hits, x, y, 2, 1), COR_OK);
        ck_assert_double_eq_tol(L, log(3.0), 1e-6);
    }
    cor_nn_model_free(m);
}
END_TEST

START_TEST(shapes)
{
    /* parameter counts of the standard networks (torchvision / the CIFAR variants) */
    static const struct
    {
        const char *name;
        int c, h, k;
        size_t np;
    } cfg[] = {
        {"resnet18-cifar", 3, 32, 10, 11173962},
        {"resnet18-imagenet", 3, 64, 1000, 11689512},
        {"resnet50", 3, 64, 1000, 25557032},
        {"mlp:784-256-10", 1, 28, 10, 203530},
        /* 3*3*16 + 2*16 + 3*3*16*32 + 2*32 + (7*7*32)*128 + 128 + 128*10 + 10 */
        {"cnn-medium", 1, 28, 10, 206970},
    };
    for (size_t t = 0; t < sizeof cfg / sizeof cfg[0]; t++)
    {
        cor_nn_model *m = cor_nn_model_alloc(cfg[t].name, cfg[t].c, cfg[t].h, cfg[t].h, cfg[t].k, 1);

        ck_assert_msg(m != NULL, "%s: %s", cfg[t].name, cor_last_error()->msg);
        ck_assert_msg(cor_nn_model_nparams(m) == cfg[t].np, "%s: %zu parameters", cfg[t].name,
                      cor_nn_model_nparams(m));
        cor_nn_model_free(m);
    }
}
END_TEST

/* Every test starts from the same random state, whether Check forks (each test then starts
 * from main's state) or not (CK_FORK=no, as under valgrind: the tests share the process). */
static void
reseed(void)
{
    cor_test_rng_init(&rng, cor_test_seed(), 17);
}

int
main(void)
{
    Suite *s = suite_create("nn");
    const struct
    {
        const char *name;
        const TTest *test;
        int timeout;
    } tests[] = {
        {"fd_conv", fd_conv, 30},         {"fd_bn", fd_bn, 10},
        {"fd_ops", fd_ops, 10},           {"fd_xent", fd_xent, 10},
        {"backends", backends, 120},      {"torch_onednn", torch_onednn, 120},
        {"torch_reference", torch_reference, 300}, {"determinism", determinism, 60},
        {"objective", objective, 30},     {"errors", errors, 10},
        {"curvature", curvature, 30},     {"objective_undisturbed", objective_undisturbed, 30},
        {"ncorrect", ncorrect, 10},
        {"shapes", shapes, 60},           {"dnnl_no_ref", dnnl_no_ref, 60},
    };

    reseed();
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
    {
        TCase *tc = tcase_create(tests[i].name);

        tcase_add_checked_fixture(tc, reseed, NULL);
        tcase_add_test(tc, tests[i].test);
        tcase_set_timeout(tc, tests[i].timeout);
        suite_add_tcase(s, tc);
    }
    SRunner *sr = srunner_create(s);

    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);

    srunner_free(sr);
    return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
