/* nn_ref_source.c -- the reference kernels of lib/nn (a template).
 *
 * Not compiled on its own: nn_ref.c includes it twice, with T = float, SUF = f32 and
 * T = double, SUF = f64. The double instance exists for the finite-difference tests of
 * every backward pass (tests/check_nn.c); the float instance is the model's fallback when
 * oneDNN is absent and the oracle the oneDNN kernels are compared with.
 *
 * Shape letters as in nn_impl.h. Every kernel is a plain loop nest. OpenMP splits the
 * loops over independent outputs only (each output element is summed by one thread in a
 * fixed order), so results do not depend on the number of threads. Sums over a batch or an
 * image (batch-norm statistics, weight gradients, the loss) accumulate in double.
 */

#define FN(name) CAT3(cor_nn_, name, SUF)
#define CAT3(a, b, c) CAT3_(a, b, c)
#define CAT3_(a, b, c) a##b##_##c

/* out[n,k,p,q] = b[k] + sum_{c,r,s} w[k,c,r,s] in[n,c,p*st+r-pad,q*st+s-pad] (zero padding).
 * The inner loop runs over q with the kernel offset fixed, so it vectorises. */
void
FN(conv_fwd)(T *out, const T *in, const T *w, const T *b, const cor_nn_geom *g)
{
    const int N = g->N, C = g->C, H = g->H, W = g->W, K = g->K, R = g->R, S = g->S;
    const int P = g->P, Q = g->Q, st = g->stride, pd = g->pad;

#pragma omp parallel for collapse(2) schedule(static)
    for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++)
        {
            T *o = out + ((size_t)n * K + k) * P * Q;
            const T bias = b ? b[k] : (T)0;

            for (int i = 0; i < P * Q; i++)
                o[i] = 0;
            for (int c = 0; c < C; c++)
            {
                const T *x = in + ((size_t)n * C + c) * H * W;
                const T *wk = w + ((size_t)k * C + c) * R * S;

                for (int r = 0; r < R; r++)
                    for (int s = 0; s < S; s++)
                    {
                        const T wv = wk[r * S + s];
                        /* q range with 0 <= q*st + s - pd < W */
                        int q0 = 0, q1 = Q;

                        while (q0 < Q && q0 * st + s - pd < 0)
                            q0++;
                        while (q1 > q0 && (q1 - 1) * st + s - pd >= W)
                            q1--;
                        for (int p = 0; p < P; p++)
                        {
                            const int h = p * st + r - pd;

                            if (h < 0 || h >= H)
                                continue;
                            const T *xr = x + (size_t)h * W + s - pd;
                            T *orow = o + (size_t)p * Q;

                            for (int q = q0; q < q1; q++)
                                orow[q] += wv * xr[q * st];
                        }
                    }
            }
            for (int i = 0; i < P * Q; i++)
                o[i] += bias;
        }
}

/* din[n,c,h,w] = sum_{k,r,s: h = p*st+r-pad, w = q*st+s-pad} w[k,c,r,s] dout[n,k,p,q];
 * dw[k,c,r,s] = sum_{n,p,q} dout[n,k,p,q] in[n,c,p*st+r-pad,q*st+s-pad]; db[k] = sum dout. */
void
FN(conv_bwd)(T *din, T *dw, T *db, const T *dout, const T *in, const T *w,
             const cor_nn_geom *g)
{
    const int N = g->N, C = g->C, H = g->H, W = g->W, K = g->K, R = g->R, S = g->S;
    const int P = g->P, Q = g->Q, st = g->stride, pd = g->pad;

    if (din)
    {
#pragma omp parallel for collapse(2) schedule(static)
        for (int n = 0; n < N; n++)
            for (int c = 0; c < C; c++)
            {
                T *dx = din + ((size_t)n * C + c) * H * W;

                for (int i = 0; i < H * W; i++)
                    dx[i] = 0;
                for (int k = 0; k < K; k++)
                {
                    const T *dy = dout + ((size_t)n * K + k) * P * Q;
                    const T *wk = w + ((size_t)k * C + c) * R * S;

                    for (int r = 0; r < R; r++)
                        for (int s = 0; s < S; s++)
                        {
                            const T wv = wk[r * S + s];
                            int q0 = 0, q1 = Q;

                            while (q0 < Q && q0 * st + s - pd < 0)
                                q0++;
                            while (q1 > q0 && (q1 - 1) * st + s - pd >= W)
                                q1--;
                            for (int p = 0; p < P; p++)
                            {
                                const int h = p * st + r - pd;

                                if (h < 0 || h >= H)
                                    continue;
                                T *xr = dx + (size_t)h * W + s - pd;
                                const T *yr = dy + (size_t)p * Q;

                                for (int q = q0; q < q1; q++)
                                    xr[q * st] += wv * yr[q];
                            }
                        }
                }
            }
    }
    if (dw)
    {
#pragma omp parallel for collapse(2) schedule(static)
        for (int k = 0; k < K; k++)
            for (int c = 0; c < C; c++)
                for (int r = 0; r < R; r++)
                    for (int s = 0; s < S; s++)
                    {
                        double acc = 0;
                        int q0 = 0, q1 = Q;

                        while (q0 < Q && q0 * st + s - pd < 0)
                            q0++;
                        while (q1 > q0 && (q1 - 1) * st + s - pd >= W)
                            q1--;
                        for (int n = 0; n < N; n++)
                        {
                            const T *x = in + ((size_t)n * C + c) * H * W;
                            const T *dy = dout + ((size_t)n * K + k) * P * Q;

                            for (int p = 0; p < P; p++)
                            {
                                const int h = p * st + r - pd;

                                if (h < 0 || h >= H)
                                    continue;
                                const T *xr = x + (size_t)h * W + s - pd;
                                const T *yr = dy + (size_t)p * Q;
                                T part = 0;

                                for (int q = q0; q < q1; q++)
                                    part += yr[q] * xr[q * st];
                                acc += part;
                            }
                        }
                        dw[(((size_t)k * C + c) * R + r) * S + s] = (T)acc;
                    }
    }
    if (db)
    {
#pragma omp parallel for schedule(static)
        for (int k = 0; k < K; k++)
        {
            double acc = 0;

            for (int n = 0; n < N; n++)
            {
                const T *dy = dout + ((size_t)n * K + k) * P * Q;

                for (int i = 0; i < P * Q; i++)
                    acc += dy[i];
            }
            db[k] = (T)acc;
        }
    }
}

/* Batch statistics per channel over (n, h, w): mean and biased variance (two passes in
 * double), out = gamma (in - mean) / sqrt(var + eps) + beta. */
void
FN(bn_fwd_train)(T *out, T *mean, T *var, const T *in, const T *gamma, const T *beta, int N,
                 int C, int HW, double eps)
{
#pragma omp parallel for schedule(static)
    for (int c = 0; c < C; c++)
    {
        double s = 0, ss = 0;
        const double cnt = (double)N * HW;

        for (int n = 0; n < N; n++)
        {
            const T *x = in + ((size_t)n * C + c) * HW;

            for (int i = 0; i < HW; i++)
                s += x[i];
        }
        const double mu = s / cnt;

        for (int n = 0; n < N; n++)
        {
            const T *x = in + ((size_t)n * C + c) * HW;

            for (int i = 0; i < HW; i++)
            {
                const double d = x[i] - mu;

                ss += d * d;
            }
        }
        const double v = ss / cnt;
        const double a = gamma[c] / sqrt(v + eps);

        mean[c] = (T)mu;
        var[c] = (T)v;
        for (int n = 0; n < N; n++)
        {
            const T *x = in + ((size_t)n * C + c) * HW;
            T *y = out + ((size_t)n * C + c) * HW;

            for (int i = 0; i < HW; i++)
                y[i] = (T)(a * (x[i] - mu) + beta[c]);
        }
    }
}

void
FN(bn_fwd_infer)(T *out, const T *in, const T *gamma, const T *beta, const T *rmean,
                 const T *rvar, int N, int C, int HW, double eps)
{
#pragma omp parallel for collapse(2) schedule(static)
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
        {
            const double a = gamma[c] / sqrt((double)rvar[c] + eps);
            const T *x = in + ((size_t)n * C + c) * HW;
            T *y = out + ((size_t)n * C + c) * HW;

            for (int i = 0; i < HW; i++)
                y[i] = (T)(a * (x[i] - (double)rmean[c]) + beta[c]);
        }
}

/* With xhat = (x - mean) / sqrt(var + eps) and M = N*HW:
 * dbeta = sum dy, dgamma = sum dy xhat,
 * dx = gamma / sqrt(var + eps) * (dy - dbeta / M - xhat dgamma / M). */
void
FN(bn_bwd)(T *din, T *dgamma, T *dbeta, const T *dout, const T *in, const T *mean,
           const T *var, const T *gamma, int N, int C, int HW, double eps)
{
#pragma omp parallel for schedule(static)
    for (int c = 0; c < C; c++)
    {
        const double mu = mean[c], istd = 1.0 / sqrt((double)var[c] + eps);
        const double M = (double)N * HW;
        double sdy = 0, sdyx = 0;

        for (int n = 0; n < N; n++)
        {
            const T *x = in + ((size_t)n * C + c) * HW;
            const T *dy = dout + ((size_t)n * C + c) * HW;

            for (int i = 0; i < HW; i++)
            {
                sdy += dy[i];
                sdyx += dy[i] * ((x[i] - mu) * istd);
            }
        }
        if (dgamma)
            dgamma[c] = (T)sdyx;
        if (dbeta)
            dbeta[c] = (T)sdy;
        if (din)
        {
            const double a = gamma[c] * istd;

            for (int n = 0; n < N; n++)
            {
                const T *x = in + ((size_t)n * C + c) * HW;
                const T *dy = dout + ((size_t)n * C + c) * HW;
                T *dx = din + ((size_t)n * C + c) * HW;

                for (int i = 0; i < HW; i++)
                    dx[i] = (T)(a * (dy[i] - sdy / M - (x[i] - mu) * istd * sdyx / M));
            }
        }
    }
}

void
FN(relu_fwd)(T *out, const T *in, size_t n)
{
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++)
        out[i] = in[i] > 0 ? in[i] : 0;
}

/* The derivative at 0 is taken as 0 (as PyTorch and oneDNN). */
void
FN(relu_bwd)(T *din, const T *dout, const T *out, size_t n)
{
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++)
        din[i] = out[i] > 0 ? dout[i] : 0;
}

/* Max over the window, padding excluded; the first maximum in row-major window order
 * receives the gradient. */
void
FN(maxpool_fwd)(T *out, const T *in, const cor_nn_geom *g)
{
    const int N = g->N, C = g->C, H = g->H, W = g->W, R = g->R, S = g->S;
    const int P = g->P, Q = g->Q, st = g->stride, pd = g->pad;

#pragma omp parallel for collapse(2) schedule(static)
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
        {
            const T *x = in + ((size_t)n * C + c) * H * W;
            T *y = out + ((size_t)n * C + c) * P * Q;

            for (int p = 0; p < P; p++)
                for (int q = 0; q < Q; q++)
                {
                    T best = -INFINITY;

                    for (int r = 0; r < R; r++)
                        for (int s = 0; s < S; s++)
                        {
                            const int h = p * st + r - pd, w = q * st + s - pd;

                            if (h >= 0 && h < H && w >= 0 && w < W && x[h * W + w] > best)
                                best = x[h * W + w];
                        }
                    y[p * Q + q] = best;
                }
        }
}

void
FN(maxpool_bwd)(T *din, const T *dout, const T *in, const cor_nn_geom *g)
{
    const int N = g->N, C = g->C, H = g->H, W = g->W, R = g->R, S = g->S;
    const int P = g->P, Q = g->Q, st = g->stride, pd = g->pad;

#pragma omp parallel for collapse(2) schedule(static)
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
        {
            const T *x = in + ((size_t)n * C + c) * H * W;
            const T *dy = dout + ((size_t)n * C + c) * P * Q;
            T *dx = din + ((size_t)n * C + c) * H * W;

            for (int i = 0; i < H * W; i++)
                dx[i] = 0;
            for (int p = 0; p < P; p++)
                for (int q = 0; q < Q; q++)
                {
                    T best = -INFINITY;
                    int arg = -1;

                    for (int r = 0; r < R; r++)
                        for (int s = 0; s < S; s++)
                        {
                            const int h = p * st + r - pd, w = q * st + s - pd;

                            if (h >= 0 && h < H && w >= 0 && w < W && x[h * W + w] > best)
                            {
                                best = x[h * W + w];
                                arg = h * W + w;
                            }
                        }
                    if (arg >= 0)
                        dx[arg] += dy[p * Q + q];
                }
        }
}

/* Mean over the window with the padding counted as zeros (divisor R*S). */
void
FN(avgpool_fwd)(T *out, const T *in, const cor_nn_geom *g)
{
    const int N = g->N, C = g->C, H = g->H, W = g->W, R = g->R, S = g->S;
    const int P = g->P, Q = g->Q, st = g->stride, pd = g->pad;

#pragma omp parallel for collapse(2) schedule(static)
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
        {
            const T *x = in + ((size_t)n * C + c) * H * W;
            T *y = out + ((size_t)n * C + c) * P * Q;

            for (int p = 0; p < P; p++)
                for (int q = 0; q < Q; q++)
                {
                    double acc = 0;

                    for (int r = 0; r < R; r++)
                        for (int s = 0; s < S; s++)
                        {
                            const int h = p * st + r - pd, w = q * st + s - pd;

                            if (h >= 0 && h < H && w >= 0 && w < W)
                                acc += x[h * W + w];
                        }
                    y[p * Q + q] = (T)(acc / (R * S));
                }
        }
}

void
FN(avgpool_bwd)(T *din, const T *dout, const cor_nn_geom *g)
{
    const int N = g->N, C = g->C, H = g->H, W = g->W, R = g->R, S = g->S;
    const int P = g->P, Q = g->Q, st = g->stride, pd = g->pad;

#pragma omp parallel for collapse(2) schedule(static)
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
        {
            const T *dy = dout + ((size_t)n * C + c) * P * Q;
            T *dx = din + ((size_t)n * C + c) * H * W;

            for (int i = 0; i < H * W; i++)
                dx[i] = 0;
            for (int p = 0; p < P; p++)
                for (int q = 0; q < Q; q++)
                {
                    const T v = (T)(dy[p * Q + q] / (double)(R * S));

                    for (int r = 0; r < R; r++)
                        for (int s = 0; s < S; s++)
                        {
                            const int h = p * st + r - pd, w = q * st + s - pd;

                            if (h >= 0 && h < H && w >= 0 && w < W)
                                dx[h * W + w] += v;
                        }
                }
        }
}

void
FN(gap_fwd)(T *out, const T *in, int N, int C, int HW)
{
#pragma omp parallel for schedule(static)
    for (int nc = 0; nc < N * C; nc++)
    {
        double acc = 0;
        const T *x = in + (size_t)nc * HW;

        for (int i = 0; i < HW; i++)
            acc += x[i];
        out[nc] = (T)(acc / HW);
    }
}

void
FN(gap_bwd)(T *din, const T *dout, int N, int C, int HW)
{
#pragma omp parallel for schedule(static)
    for (int nc = 0; nc < N * C; nc++)
    {
        const T v = (T)(dout[nc] / (double)HW);
        T *dx = din + (size_t)nc * HW;

        for (int i = 0; i < HW; i++)
            dx[i] = v;
    }
}

/* out[n,k] = b[k] + sum_c w[k,c] in[n,c]. */
void
FN(fc_fwd)(T *out, const T *in, const T *w, const T *b, int N, int C, int K)
{
#pragma omp parallel for collapse(2) schedule(static)
    for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++)
        {
            const T *x = in + (size_t)n * C;
            const T *wk = w + (size_t)k * C;
            double acc = b ? b[k] : 0;

            for (int c = 0; c < C; c++)
                acc += (double)wk[c] * x[c];
            out[(size_t)n * K + k] = (T)acc;
        }
}

void
FN(fc_bwd)(T *din, T *dw, T *db, const T *dout, const T *in, const T *w, int N, int C, int K)
{
    if (din)
    {
#pragma omp parallel for collapse(2) schedule(static)
        for (int n = 0; n < N; n++)
            for (int c = 0; c < C; c++)
            {
                double acc = 0;

                for (int k = 0; k < K; k++)
                    acc += (double)dout[(size_t)n * K + k] * w[(size_t)k * C + c];
                din[(size_t)n * C + c] = (T)acc;
            }
    }
    if (dw)
    {
#pragma omp parallel for collapse(2) schedule(static)
        for (int k = 0; k < K; k++)
            for (int c = 0; c < C; c++)
            {
                double acc = 0;

                for (int n = 0; n < N; n++)
                    acc += (double)dout[(size_t)n * K + k] * in[(size_t)n * C + c];
                dw[(size_t)k * C + c] = (T)acc;
            }
    }
    if (db)
    {
        for (int k = 0; k < K; k++)
        {
            double acc = 0;

            for (int n = 0; n < N; n++)
                acc += dout[(size_t)n * K + k];
            db[k] = (T)acc;
        }
    }
}

void
FN(add)(T *out, const T *a, const T *b, size_t n)
{
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++)
        out[i] = a[i] + b[i];
}

/* Softmax cross-entropy, mean over the batch: loss_n = logsumexp(z_n) - z_n[y_n], computed
 * with the maximum subtracted; dlogits = (softmax(z_n) - e_{y_n}) / N. Labels were checked
 * by the caller. */
double
FN(xent)(T *dlogits, int *ncorrect, const T *logits, const int32_t *y, int N, int K)
{
    double total = 0;
    int hits = 0;

    for (int n = 0; n < N; n++)
    {
        const T *z = logits + (size_t)n * K;
        double zmax = z[0], se = 0;
        int arg = 0;

        for (int k = 1; k < K; k++)
            if (z[k] > zmax || (isnan((double)z[k]) && !isnan(zmax)))
            {
                zmax = z[k];
                arg = k;
            }
        for (int k = 0; k < K; k++)
            se += exp(z[k] - zmax);
        total += log(se) + zmax - z[y[n]];
        hits += arg == y[n];
        if (dlogits)
            for (int k = 0; k < K; k++)
                dlogits[(size_t)n * K + k] =
                    (T)((exp(z[k] - zmax) / se - (k == y[n] ? 1.0 : 0.0)) / N);
    }
    if (ncorrect)
        *ncorrect = hits;
    return total / N;
}

#undef FN
#undef CAT3
#undef CAT3_
