/* bench_train -- corridor's side of bench/train: train steps of a network, timed.
 *
 * Each step is one heavy-ball update (lib/step, momentum 0.9, lr 0.01) on the nn objective of
 * one batch: forward, backward, update. After --warmup steps, --steps steps are timed one by
 * one; the output is one TSV row (median images/s, median step time, peak RSS, FLOPs).
 * --gemm measures instead the float32 GEMM rate of oneDNN's sgemm (n x n x n, median of 5).
 * Data: --data FILE.f32 and --labels FILE.i32 (raw arrays, as written by run_bench.py),
 * else uniform random images (speed does not depend on the values).
 */
#include <config.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef HAVE_DNNL
#include <oneapi/dnnl/dnnl.h>
#endif

#include "cor_nn.h"
#include "cor_step.h"

static double
now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int
cmpd(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmpd);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double
peak_mb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

static int
gemm(int n, int threads)
{
#ifdef HAVE_DNNL
    float *a = malloc((size_t)n * n * 4), *b = malloc((size_t)n * n * 4), *c = malloc((size_t)n * n * 4);
    double t[5];

#ifdef _OPENMP
    omp_set_num_threads(threads);
#endif
    for (size_t i = 0; i < (size_t)n * n; i++)
        a[i] = b[i] = (float)(i % 7) * 0.1f;
    dnnl_sgemm('N', 'N', n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
    for (int r = 0; r < 5; r++)
    {
        double t0 = now();

        dnnl_sgemm('N', 'N', n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        t[r] = now() - t0;
    }
    printf("gemm\t%d\t%d\t%.6g\n", n, threads, 2.0 * n * n * (double)n / median(t, 5) / 1e9);
    free(a), free(b), free(c);
    return 0;
#else
    (void)n, (void)threads;
    fprintf(stderr, "bench_train: --gemm needs oneDNN\n");
    return 2;
#endif
}

int
main(int argc, char **argv)
{
    const char *model = "resnet18-cifar", *data = NULL, *labels = NULL;
    int batch = 128, steps = 12, warmup = 3, threads = 2, c = 3, hw = 32, nclass = 10, gemm_n = 0;
    static const struct option opts[] = {
        {"model", 1, 0, 'm'},   {"batch", 1, 0, 'b'}, {"steps", 1, 0, 's'},
        {"warmup", 1, 0, 'w'},  {"threads", 1, 0, 't'}, {"channels", 1, 0, 'c'},
        {"size", 1, 0, 'z'},    {"data", 1, 0, 'd'},  {"labels", 1, 0, 'l'},
        {"gemm", 1, 0, 'g'},    {"help", 0, 0, 'h'},  {0, 0, 0, 0}};
    int o;

    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1)
        switch (o)
        {
        case 'm': model = optarg; break;
        case 'b': batch = atoi(optarg); break;
        case 's': steps = atoi(optarg); break;
        case 'w': warmup = atoi(optarg); break;
        case 't': threads = atoi(optarg); break;
        case 'c': c = atoi(optarg); break;
        case 'z': hw = atoi(optarg); break;
        case 'd': data = optarg; break;
        case 'l': labels = optarg; break;
        case 'g': gemm_n = atoi(optarg); break;
        case 'h':
            printf("usage: bench_train [--model NAME] [--batch B] [--steps S] [--warmup W]\n"
                   "  [--threads T] [--channels C] [--size HW] [--data F.f32 --labels F.i32]\n"
                   "  | --gemm N\n");
            return 0;
        default: return 2;
        }
    if (gemm_n > 0)
        return gemm(gemm_n, threads);
    if (batch < 1 || steps < 1 || warmup < 0 || threads < 1)
    {
        fprintf(stderr, "bench_train: bad option value\n");
        return 2;
    }
    cor_nn_model *m = cor_nn_model_alloc(model, c, hw, hw, nclass, batch);

    if (!m)
    {
        fprintf(stderr, "bench_train: %s\n", cor_last_error()->msg);
        return 2;
    }
    const size_t img = (size_t)c * hw * hw;
    size_t nimg = (size_t)batch;
    float *x = NULL;
    int32_t *y = NULL;

    if (data && labels)
    {
        FILE *f = fopen(data, "rb"), *g = fopen(labels, "rb");

        if (!f || !g)
        {
            fprintf(stderr, "bench_train: cannot open the data files\n");
            return 1;
        }
        fseek(g, 0, SEEK_END);
        nimg = (size_t)ftell(g) / 4;
        fseek(g, 0, SEEK_SET);
        x = malloc(nimg * img * sizeof *x);
        y = malloc(nimg * sizeof *y);
        if (fread(x, sizeof *x, nimg * img, f) != nimg * img || fread(y, 4, nimg, g) != nimg)
        {
            fprintf(stderr, "bench_train: short data file\n");
            return 1;
        }
        fclose(f);
        fclose(g);
    }
    else
    {
        uint64_t s = 88172645463325252ULL;

        x = malloc(nimg * img * sizeof *x);
        y = malloc(nimg * sizeof *y);
        for (size_t i = 0; i < nimg * img; i++)
        {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            x[i] = (float)((s >> 11) * 0x1.0p-53 - 0.5);
        }
        for (size_t i = 0; i < nimg; i++)
            y[i] = (int32_t)(i % (size_t)nclass);
    }
    if (cor_nn_model_init(m, 1) || cor_nn_model_set_threads(m, threads))
        return 1;
    cor_objective *obj = cor_nn_objective_alloc(m, 0.0);
    const cor_vspace *V = cor_nn_objective_space(obj);
    cor_vec *th = cor_vec_wrap_f32(V, cor_nn_model_params(m));
    cor_step *st = cor_step_alloc(&cor_step_heavyball, V);
    cor_scalar *lr = cor_scalar_alloc(V);
    double *t = malloc((size_t)steps * sizeof *t), loss = NAN;
    cor_step_info info;

    if (!obj || !th || !st || !lr || cor_scalar_set_d(lr, 0.01) ||
        cor_step_set_param(st, "beta", "0.9"))
    {
        fprintf(stderr, "bench_train: %s\n", cor_last_error()->msg);
        return 1;
    }
    for (int k = 0; k < warmup + steps; k++)
    {
        const size_t first = ((size_t)k * batch) % (nimg - (size_t)batch + 1);
        double t0 = now();
        int rc;

        if (cor_nn_objective_set_batch(obj, x + first * img, y + first, batch) ||
            cor_status_is_error(rc = cor_step_apply(st, obj, th, lr, &info)))
        {
            fprintf(stderr, "bench_train: %s\n", cor_last_error()->msg);
            return 1;
        }
        if (k >= warmup)
            t[k - warmup] = now() - t0;
        loss = info.loss ? cor_scalar_get_d(info.loss) : NAN;
    }
    const double med = median(t, steps);

    printf("corridor\t%s\t%d\t%d\t%.6g\t%.6g\t%.1f\t%.6g\t%.6g\t%s\n", model, batch, threads,
           batch / med, med, peak_mb(), cor_nn_model_flops(m), loss, cor_nn_model_backend(m));
    cor_scalar_free(lr);
    cor_step_free(st);
    cor_vec_free(th);
    cor_objective_free(obj);
    cor_nn_model_free(m);
    free(t), free(x), free(y);
    return 0;
}
