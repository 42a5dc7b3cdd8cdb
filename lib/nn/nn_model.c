/* nn_model.c -- models by name, the parameter/gradient/state buffers, initialisation, and
 * the forward/backward driver (reference kernels, or oneDNN through nn_dnnl.c).
 *
 * Memory plan (why peak memory stays at PyTorch's level or below):
 *  - every op's output tensor has its own activation buffer, except in-place ops (ReLU,
 *    residual addition) whose output shares its input's buffer; batch norm fuses the ReLU
 *    that follows it, so an conv-BN-ReLU triple stores two tensors (the convolution output,
 *    which batch norm's backward needs, and the ReLU output, which the next layer needs);
 *  - gradients of activations live in a small pool of "slots" (each as large as the largest
 *    activation): the backward pass takes a slot when a tensor's gradient is first written
 *    and gives it back once the op that produced the tensor has consumed it. The number of
 *    slots is found at alloc time by a dry run of the same backward loop (3 for a ResNet).
 *  - the gradient of a tensor read by two ops (a residual block's input) is accumulated:
 *    the second writer writes into a temporary slot that is then added.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cor_sys.h"
#include "nn_impl.h"

#define BN_EPS 1e-5
#define BN_MOMENTUM 0.1

/* ---- graph building ------------------------------------------------------------------- */

int
cor_nn_tensor_new_internal(cor_nn_model *m, int c, int h, int w, int alias_of)
{
    if (m->nt == m->cap_t)
    {
        int cap = m->cap_t ? 2 * m->cap_t : 32;
        cor_nn_tensor *t = cor_realloc(m->t, (size_t)cap * sizeof *t);

        if (!t)
            return -1;
        m->t = t;
        m->cap_t = cap;
    }
    cor_nn_tensor *t = &m->t[m->nt];

    memset(t, 0, sizeof *t);
    t->c = c;
    t->h = h;
    t->w = w;
    t->alias_of = alias_of;
    t->slot = -1;
    return m->nt++;
}

static cor_nn_op *
op_new(cor_nn_model *m, cor_nn_op_kind kind, int in)
{
    if (in < 0)
        return NULL;
    if (m->nop == m->cap_op)
    {
        int cap = m->cap_op ? 2 * m->cap_op : 32;
        cor_nn_op *o = cor_realloc(m->op, (size_t)cap * sizeof *o);

        if (!o)
            return NULL;
        m->op = o;
        m->cap_op = cap;
    }
    cor_nn_op *o = &m->op[m->nop++];

    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->in = in;
    o->in2 = -1;
    o->out = -1;
    m->t[in].nreaders++;
    return o;
}

static size_t
take_params(cor_nn_model *m, size_t n)
{
    size_t off = m->nparams;

    m->nparams += n;
    return off;
}

static int
conv(cor_nn_model *m, int in, int K, int R, int stride, int pad, int bias)
{
    cor_nn_op *o = op_new(m, COR_NN_CONV, in);

    if (!o)
        return -1;
    const cor_nn_tensor *t = &m->t[in];
    cor_nn_geom *g = &o->g;

    g->C = t->c;
    g->H = t->h;
    g->W = t->w;
    g->K = K;
    g->R = g->S = R;
    g->stride = stride;
    g->pad = pad;
    g->P = (g->H + 2 * pad - R) / stride + 1;
    g->Q = (g->W + 2 * pad - R) / stride + 1;
    if (g->H + 2 * pad < R || g->W + 2 * pad < R)
        return -1;
    o->nw = (size_t)K * g->C * R * R;
    o->w_off = take_params(m, o->nw);
    o->has_bias = bias;
    o->nb = bias ? (size_t)K : 0;
    o->b_off = take_params(m, o->nb);
    o->fan_in = g->C * R * R;
    o->out = cor_nn_tensor_new_internal(m, K, g->P, g->Q, -1);
    return o->out;
}

static int
bn(cor_nn_model *m, int in, int relu)
{
    cor_nn_op *o = op_new(m, COR_NN_BN, in);

    if (!o)
        return -1;
    const cor_nn_tensor *t = &m->t[in];

    o->relu = relu;
    o->nw = o->nb = (size_t)t->c;
    o->w_off = take_params(m, o->nw);
    o->b_off = take_params(m, o->nb);
    o->s_off = m->nstate;
    m->nstate += 2 * (size_t)t->c;
    o->out = cor_nn_tensor_new_internal(m, t->c, t->h, t->w, -1);
    return o->out;
}

static int
relu(cor_nn_model *m, int in)
{
    cor_nn_op *o = op_new(m, COR_NN_RELU, in);

    if (!o)
        return -1;
    o->out = cor_nn_tensor_new_internal(m, m->t[in].c, m->t[in].h, m->t[in].w, in);
    return o->out;
}

static int
pool(cor_nn_model *m, cor_nn_op_kind kind, int in, int R, int stride, int pad)
{
    cor_nn_op *o = op_new(m, kind, in);

    if (!o)
        return -1;
    const cor_nn_tensor *t = &m->t[in];
    cor_nn_geom *g = &o->g;

    g->C = g->K = t->c;
    g->H = t->h;
    g->W = t->w;
    if (kind == COR_NN_GAP)
    {
        R = t->h;
        g->S = t->w;
        stride = 1;
        pad = 0;
    }
    else
        g->S = R;
    g->R = R;
    g->stride = stride;
    g->pad = pad;
    if (g->H + 2 * pad < g->R || g->W + 2 * pad < g->S || 2 * pad > R)
        return -1;
    g->P = (g->H + 2 * pad - g->R) / stride + 1;
    g->Q = (g->W + 2 * pad - g->S) / stride + 1;
    o->out = cor_nn_tensor_new_internal(m, t->c, g->P, g->Q, -1);
    return o->out;
}

static int
fc(cor_nn_model *m, int in, int K)
{
    cor_nn_op *o = op_new(m, COR_NN_FC, in);

    if (!o)
        return -1;
    const cor_nn_tensor *t = &m->t[in];
    const int C = t->c * t->h * t->w;

    o->g.C = C;
    o->g.K = K;
    o->nw = (size_t)K * C;
    o->w_off = take_params(m, o->nw);
    o->has_bias = 1;
    o->nb = (size_t)K;
    o->b_off = take_params(m, o->nb);
    o->fan_in = C;
    o->out = cor_nn_tensor_new_internal(m, K, 1, 1, -1);
    return o->out;
}

static int
add(cor_nn_model *m, int a, int b, int relu_after)
{
    if (b < 0)
        return -1;
    cor_nn_op *o = op_new(m, COR_NN_ADD, a);

    if (!o)
        return -1;
    if (m->t[a].c != m->t[b].c || m->t[a].h != m->t[b].h || m->t[a].w != m->t[b].w)
        return -1;
    o->in2 = b;
    m->t[b].nreaders++;
    o->relu = relu_after;
    o->out = cor_nn_tensor_new_internal(m, m->t[a].c, m->t[a].h, m->t[a].w, a);
    return o->out;
}

/* torchvision's BasicBlock (parameters in its order: conv1, bn1, conv2, bn2, downsample). */
static int
basic_block(cor_nn_model *m, int x, int planes, int stride)
{
    const int need_ds = stride != 1 || (x >= 0 && m->t[x].c != planes);
    int y = conv(m, x, planes, 3, stride, 1, 0);

    y = bn(m, y, 1);
    y = conv(m, y, planes, 3, 1, 1, 0);
    y = bn(m, y, 0);
    int sc = x;

    if (y >= 0 && need_ds)
        sc = bn(m, conv(m, x, planes, 1, stride, 0, 0), 0);
    return y < 0 ? -1 : add(m, y, sc, 1);
}

/* torchvision's Bottleneck (v1.5: the stride on the 3x3 convolution). */
static int
bottleneck(cor_nn_model *m, int x, int planes, int stride)
{
    const int need_ds = stride != 1 || (x >= 0 && m->t[x].c != 4 * planes);
    int y = bn(m, conv(m, x, planes, 1, 1, 0, 0), 1);

    y = bn(m, conv(m, y, planes, 3, stride, 1, 0), 1);
    y = bn(m, conv(m, y, 4 * planes, 1, 1, 0, 0), 0);
    int sc = x;

    if (y >= 0 && need_ds)
        sc = bn(m, conv(m, x, 4 * planes, 1, stride, 0, 0), 0);
    return y < 0 ? -1 : add(m, y, sc, 1);
}

static int
build_resnet(cor_nn_model *m, int x, int imagenet, int bottle, const int *blocks,
             const int *widths)
{
    if (imagenet)
    {
        x = bn(m, conv(m, x, 64, 7, 2, 3, 0), 1);
        x = pool(m, COR_NN_MAXPOOL, x, 3, 2, 1);
    }
    else
        x = bn(m, conv(m, x, widths[0], 3, 1, 1, 0), 1);
    for (int s = 0; s < 4; s++)
        for (int b = 0; b < blocks[s]; b++)
        {
            const int stride = (s > 0 && b == 0) ? 2 : 1;

            x = bottle ? bottleneck(m, x, widths[s], stride)
                       : basic_block(m, x, widths[s], stride);
        }
    x = pool(m, COR_NN_GAP, x, 0, 1, 0);
    return fc(m, x, m->nclass);
}

/* cfg: channel counts, 0 = 2x2 max-pool, -1 = end. conv3x3 (bias) - BN - ReLU. */
static int
build_vgg(cor_nn_model *m, int x, const int *cfg)
{
    for (int i = 0; cfg[i] >= 0; i++)
        x = cfg[i] == 0 ? pool(m, COR_NN_MAXPOOL, x, 2, 2, 0) : bn(m, conv(m, x, cfg[i], 3, 1, 1, 1), 1);
    x = pool(m, COR_NN_GAP, x, 0, 1, 0);
    return fc(m, x, m->nclass);
}

static int
build_mlp(cor_nn_model *m, int x, const char *spec)
{
    long dims[64];
    int nd = 0;
    const char *p = spec;

    while (*p)
    {
        char *end;
        long v = strtol(p, &end, 10);

        if (end == p || v <= 0 || v > (1L << 24) || nd == 64)
            return -1;
        dims[nd++] = v;
        p = end;
        if (*p == '-')
            p++;
        else if (*p)
            return -1;
    }
    if (nd < 2 || dims[0] != (long)m->in_c * m->in_h * m->in_w || dims[nd - 1] != m->nclass)
        return -1;
    for (int i = 1; i < nd; i++)
    {
        x = fc(m, x, (int)dims[i]);
        if (i < nd - 1)
            x = relu(m, x);
    }
    return x;
}

static int
build(cor_nn_model *m, const char *name)
{
    static const int vgg11[] = {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0, -1};
    static const int vgg16[] = {64,  64,  0,   128, 128, 0,   256, 256, 256, 0,
                                512, 512, 512, 0,   512, 512, 512, 0,   -1};
    static const int vggsmall[] = {32, 0, 64, 0, 128, 128, 0, -1};
    static const int r18[] = {2, 2, 2, 2}, r50[] = {3, 4, 6, 3}, r1[] = {1, 1, 1, 1};
    static const int w64[] = {64, 128, 256, 512}, w8[] = {8, 16, 32, 64};
    int x = cor_nn_tensor_new_internal(m, m->in_c, m->in_h, m->in_w, -1);

    m->input_tensor = x;
    if (strncmp(name, "mlp:", 4) == 0)
        return build_mlp(m, x, name + 4);
    if (strcmp(name, "cnn-small") == 0)
    {
        x = bn(m, conv(m, x, 16, 3, 1, 1, 0), 1);
        x = pool(m, COR_NN_MAXPOOL, x, 2, 2, 0);
        x = bn(m, conv(m, x, 32, 3, 1, 1, 0), 1);
        x = pool(m, COR_NN_GAP, x, 0, 1, 0);
        return fc(m, x, m->nclass);
    }
    if (strcmp(name, "cnn-medium") == 0)
    {
        /* two conv blocks that keep the spatial layout for the classifier (no GAP) */
        x = bn(m, conv(m, x, 16, 3, 1, 1, 0), 1);
        x = pool(m, COR_NN_MAXPOOL, x, 2, 2, 0);
        x = bn(m, conv(m, x, 32, 3, 1, 1, 0), 1);
        x = pool(m, COR_NN_MAXPOOL, x, 2, 2, 0);
        x = relu(m, fc(m, x, 128));
        return fc(m, x, m->nclass);
    }
    if (strcmp(name, "vgg11") == 0)
        return build_vgg(m, x, vgg11);
    if (strcmp(name, "vgg16") == 0)
        return build_vgg(m, x, vgg16);
    if (strcmp(name, "vgg-small") == 0)
        return build_vgg(m, x, vggsmall);
    if (strcmp(name, "resnet18-cifar") == 0)
        return build_resnet(m, x, 0, 0, r18, w64);
    if (strcmp(name, "resnet18-imagenet") == 0)
        return build_resnet(m, x, 1, 0, r18, w64);
    if (strcmp(name, "resnet50") == 0)
        return build_resnet(m, x, 1, 1, r50, w64);
    if (strcmp(name, "resnet-small") == 0)
        return build_resnet(m, x, 0, 0, r1, w8);
    return -2;
}

/* ---- gradient slots --------------------------------------------------------------------- */

typedef struct
{
    cor_nn_model *m;
    int dry;     /* count slots only */
    int used[64];
    int nused_max;
} slot_pool;

static int
slot_take(slot_pool *sp)
{
    for (int i = 0; i < 64; i++)
        if (!sp->used[i] && (sp->dry || i < sp->m->nslots))
        {
            sp->used[i] = 1;
            if (i + 1 > sp->nused_max)
                sp->nused_max = i + 1;
            return i;
        }
    return -1;
}

static void
slot_give(slot_pool *sp, int s)
{
    if (s >= 0)
        sp->used[s] = 0;
}

static float *
slot_ptr(slot_pool *sp, int s)
{
    return sp->dry || s < 0 ? NULL : sp->m->slots[s];
}

/* ---- per-op kernels: reference backend ------------------------------------------------ */

static float *
tbuf(cor_nn_model *m, int t)
{
    while (m->t[t].alias_of >= 0)
        t = m->t[t].alias_of;
    return m->t[t].buf;
}

static size_t
tfloats(const cor_nn_model *m, int t, int n)
{
    return (size_t)n * m->t[t].c * m->t[t].h * m->t[t].w;
}

void
cor_nn_bn_update_running_internal(cor_nn_model *m, const cor_nn_op *o, int count)
{
    const int C = m->t[o->in].c;
    float *rm = m->state + o->s_off, *rv = rm + C;
    const double unb = count > 1 ? (double)count / (count - 1) : 1.0;

    for (int c = 0; c < C; c++)
    {
        rm[c] = (float)((1 - BN_MOMENTUM) * rm[c] + BN_MOMENTUM * o->mean[c]);
        rv[c] = (float)((1 - BN_MOMENTUM) * rv[c] + BN_MOMENTUM * o->var[c] * unb);
    }
}

static void
ref_fwd(cor_nn_model *m, cor_nn_op *o, int n, int train)
{
    const float *in = tbuf(m, o->in);
    float *out = tbuf(m, o->out);
    const float *P = m->params;
    cor_nn_geom g = o->g;
    const cor_nn_tensor *ti = &m->t[o->in];

    g.N = n;
    switch (o->kind)
    {
    case COR_NN_CONV:
        cor_nn_conv_fwd_f32(out, in, P + o->w_off, o->has_bias ? P + o->b_off : NULL, &g);
        break;
    case COR_NN_BN:
        if (train)
        {
            cor_nn_bn_fwd_train_f32(out, o->mean, o->var, in, P + o->w_off, P + o->b_off, n,
                                    ti->c, ti->h * ti->w, BN_EPS);
            cor_nn_bn_update_running_internal(m, o, n * ti->h * ti->w);
        }
        else
            cor_nn_bn_fwd_infer_f32(out, in, P + o->w_off, P + o->b_off, m->state + o->s_off,
                                    m->state + o->s_off + ti->c, n, ti->c, ti->h * ti->w,
                                    BN_EPS);
        if (o->relu)
            cor_nn_relu_fwd_f32(out, out, tfloats(m, o->out, n));
        break;
    case COR_NN_RELU:
        cor_nn_relu_fwd_f32(out, in, tfloats(m, o->out, n));
        break;
    case COR_NN_MAXPOOL:
        cor_nn_maxpool_fwd_f32(out, in, &g);
        break;
    case COR_NN_AVGPOOL:
        cor_nn_avgpool_fwd_f32(out, in, &g);
        break;
    case COR_NN_GAP:
        cor_nn_gap_fwd_f32(out, in, n, ti->c, ti->h * ti->w);
        break;
    case COR_NN_FC:
        cor_nn_fc_fwd_f32(out, in, P + o->w_off, P + o->b_off, n, g.C, g.K);
        break;
    case COR_NN_ADD:
        cor_nn_add_f32(out, in, tbuf(m, o->in2), tfloats(m, o->out, n));
        if (o->relu)
            cor_nn_relu_fwd_f32(out, out, tfloats(m, o->out, n));
        break;
    }
}

/* dout: gradient of the output (may be modified in place); din: where to write the input
 * gradient, or NULL. */
static void
ref_bwd(cor_nn_model *m, cor_nn_op *o, int n, float *dout, float *din)
{
    const float *in = tbuf(m, o->in);
    const float *out = tbuf(m, o->out);
    const float *P = m->params;
    float *G = m->grads;
    cor_nn_geom g = o->g;
    const cor_nn_tensor *ti = &m->t[o->in];

    g.N = n;
    switch (o->kind)
    {
    case COR_NN_CONV:
        cor_nn_conv_bwd_f32(din, G + o->w_off, o->has_bias ? G + o->b_off : NULL, dout, in,
                            P + o->w_off, &g);
        break;
    case COR_NN_BN:
        if (o->relu)
            cor_nn_relu_bwd_f32(dout, dout, out, tfloats(m, o->out, n));
        cor_nn_bn_bwd_f32(din, G + o->w_off, G + o->b_off, dout, in, o->mean, o->var,
                          P + o->w_off, n, ti->c, ti->h * ti->w, BN_EPS);
        break;
    case COR_NN_MAXPOOL:
        cor_nn_maxpool_bwd_f32(din, dout, in, &g);
        break;
    case COR_NN_AVGPOOL:
        cor_nn_avgpool_bwd_f32(din, dout, &g);
        break;
    case COR_NN_GAP:
        cor_nn_gap_bwd_f32(din, dout, n, ti->c, ti->h * ti->w);
        break;
    case COR_NN_FC:
        cor_nn_fc_bwd_f32(din, G + o->w_off, G + o->b_off, dout, in, P + o->w_off, n, g.C,
                          g.K);
        break;
    case COR_NN_RELU:
    case COR_NN_ADD:
        break; /* handled by the driver (in place) */
    }
}

/* ---- the driver ------------------------------------------------------------------------ */

static size_t
nfloats(cor_nn_model *m, int t, int n)
{
#ifdef HAVE_DNNL
    if (m->dnnl && !m->use_ref)
        return m->t[t].bytes / sizeof(float) / (size_t)m->batch_max * (size_t)n;
#endif
    return tfloats(m, t, n);
}

static void
vadd(float *z, const float *x, size_t k)
{
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < k; i++)
        z[i] += x[i];
}

/* Hands the gradient buffer of tensor t to the writer: the tensor's own slot if it has none
 * yet (*tmp = -1), else a temporary slot (*tmp) to be added by din_end. */
static float *
din_begin(slot_pool *sp, int t, int *tmp)
{
    cor_nn_model *m = sp->m;

    *tmp = -1;
    if (t == m->input_tensor)
        return NULL;
    if (m->t[t].slot < 0)
    {
        m->t[t].slot = slot_take(sp);
        return slot_ptr(sp, m->t[t].slot);
    }
    *tmp = slot_take(sp);
    return slot_ptr(sp, *tmp);
}

static void
din_end(slot_pool *sp, int t, int tmp, int n)
{
    if (tmp < 0)
        return;
    if (!sp->dry)
        vadd(slot_ptr(sp, sp->m->t[t].slot), slot_ptr(sp, tmp), nfloats(sp->m, t, n));
    slot_give(sp, tmp);
}

/* Backward through every op in reverse order. The logits' gradient is in its slot. In dry
 * mode, only the slot bookkeeping runs. */
static void
backward(cor_nn_model *m, slot_pool *sp, int n)
{
    for (int i = m->nop - 1; i >= 0; i--)
    {
        cor_nn_op *o = &m->op[i];
        cor_nn_tensor *to = &m->t[o->out];
        const int sout = to->slot;
        float *dout = slot_ptr(sp, sout);
        int tmp;

        if (sout < 0)
            continue; /* output does not reach the loss */
        to->slot = -1;
        if (o->kind == COR_NN_RELU || o->kind == COR_NN_ADD)
        {
            if (!sp->dry && (o->kind == COR_NN_RELU || o->relu))
                cor_nn_relu_bwd_f32(dout, dout, tbuf(m, o->out), nfloats(m, o->out, n));
            if (o->kind == COR_NN_ADD)
            {
                float *d2 = din_begin(sp, o->in2, &tmp);

                if (!sp->dry && d2)
                {
#ifdef HAVE_DNNL
                    if (!(m->dnnl && !m->use_ref && cor_nn_dnnl_add_bwd2_internal(m, o, dout, d2)))
#endif
                        memcpy(d2, dout, nfloats(m, o->in2, n) * sizeof(float));
                }
                din_end(sp, o->in2, tmp, n);
            }
            /* the input's gradient is dout itself: hand the slot over */
            if (o->in == m->input_tensor)
                slot_give(sp, sout);
            else if (m->t[o->in].slot < 0)
                m->t[o->in].slot = sout;
            else
            {
                if (!sp->dry)
                    vadd(slot_ptr(sp, m->t[o->in].slot), dout, nfloats(m, o->in, n));
                slot_give(sp, sout);
            }
            continue;
        }
        float *din = din_begin(sp, o->in, &tmp);

        if (!sp->dry)
        {
#ifdef HAVE_DNNL
            if (m->dnnl && !m->use_ref)
                cor_nn_dnnl_bwd_internal(m, o, n, dout, din);
            else
#endif
                ref_bwd(m, o, n, dout, din);
        }
        din_end(sp, o->in, tmp, n);
        slot_give(sp, sout);
    }
}

static int
plan_slots(cor_nn_model *m)
{
    slot_pool sp;
    int lt = m->op[m->nop - 1].out;

    memset(&sp, 0, sizeof sp);
    sp.m = m;
    sp.dry = 1;
    for (int t = 0; t < m->nt; t++)
        m->t[t].slot = -1;
    m->t[lt].slot = slot_take(&sp);
    backward(m, &sp, 1);
    for (int t = 0; t < m->nt; t++)
        m->t[t].slot = -1;
    return sp.nused_max;
}

int
cor_nn_model_forward_backward(cor_nn_model *m, double *loss, int *ncorrect, const float *x,
                              const int32_t *y, int n, int train)
{
    return cor_nn_model_run_internal(m, loss, ncorrect, x, y, n, train, train);
}

int
cor_nn_model_run_internal(cor_nn_model *m, double *loss, int *ncorrect, const float *x,
                          const int32_t *y, int n, int train, int want_grad)
{
    if (!m || !x || !y)
        return COR_ERROR(COR_EINVAL, "NULL argument");
    if (n < 1 || n > m->batch_max)
        return COR_ERROR(COR_EINVAL, "batch of %d images (batch_max %d)", n, m->batch_max);
    for (int i = 0; i < n; i++)
        if (y[i] < 0 || y[i] >= m->nclass)
            return COR_ERROR(COR_EINVAL, "label %d of image %d outside [0, %d)", (int)y[i], i,
                             m->nclass);
#ifdef _OPENMP
    omp_set_num_threads(m->nthreads);
#endif
    const int lt = m->op[m->nop - 1].out;
    slot_pool sp;
    double L;

    memcpy(m->t[m->input_tensor].buf, x, tfloats(m, m->input_tensor, n) * sizeof(float));
#ifdef HAVE_DNNL
    if (m->dnnl && !m->use_ref)
    {
        /* a failed rebuild (primitive unavailable for this batch size) leaves the model
         * on the reference kernels, which need no setup */
        if (cor_nn_dnnl_prepare_internal(m, n, train) != COR_OK)
        {
            m->use_ref = 1;
            cor_error_clear();
        }
    }
#endif
    for (int i = 0; i < m->nop; i++)
    {
#ifdef HAVE_DNNL
        if (m->dnnl && !m->use_ref)
        {
            if (m->op[i].kind == COR_NN_RELU)
                cor_nn_relu_fwd_f32(tbuf(m, m->op[i].out), tbuf(m, m->op[i].in),
                                    nfloats(m, m->op[i].out, n));
            else
                cor_nn_dnnl_fwd_internal(m, &m->op[i], n, train);
            continue;
        }
#endif
        ref_fwd(m, &m->op[i], n, train);
    }
    memset(&sp, 0, sizeof sp);
    sp.m = m;
    for (int t = 0; t < m->nt; t++)
        m->t[t].slot = -1;
    /* logits are plain N x nclass in both backends */
    L = cor_nn_xent_f32(want_grad ? m->dlogits : NULL, ncorrect, tbuf(m, lt), y, n, m->nclass);
    if (loss)
        *loss = L;
    if (want_grad)
    {
        m->t[lt].slot = slot_take(&sp);
        memcpy(m->slots[m->t[lt].slot], m->dlogits, (size_t)n * m->nclass * sizeof(float));
        backward(m, &sp, n);
    }
    if (!isfinite(L))
        return COR_NONFINITE;
    return COR_OK;
}

/* ---- alloc, free, accessors ------------------------------------------------------------ */

cor_nn_model *
cor_nn_model_alloc(const char *name, int in_c, int in_h, int in_w, int nclass, int batch_max)
{
    cor_nn_model *m = NULL;
    int last;

    if (!name || in_c < 1 || in_h < 1 || in_w < 1 || nclass < 2 || batch_max < 1)
    {
        COR_ERROR(COR_EINVAL, "bad model arguments");
        return NULL;
    }
    m = cor_calloc(1, sizeof *m);
    if (!m || !(m->name = cor_strdup(name)))
        goto nomem;
    m->in_c = in_c;
    m->in_h = in_h;
    m->in_w = in_w;
    m->nclass = nclass;
    m->batch_max = batch_max;
#ifdef _OPENMP
    m->nthreads = omp_get_max_threads();
#else
    m->nthreads = 1;
#endif
    last = build(m, name);
    if (last == -2)
    {
        COR_ERROR(COR_EINVAL, "unknown model '%s'", name);
        goto fail;
    }
    if (last < 0 || m->nop == 0 || m->op[m->nop - 1].kind != COR_NN_FC ||
        m->t[last].c != nclass)
    {
        COR_ERROR(COR_EINVAL, "model '%s' does not fit %dx%dx%d inputs and %d classes", name,
                  in_c, in_h, in_w, nclass);
        goto fail;
    }
    for (int t = 0; t < m->nt; t++)
        m->t[t].bytes = tfloats(m, t, batch_max) * sizeof(float);
    if (!(m->params = cor_calloc(m->nparams, sizeof(float))) ||
        !(m->grads = cor_calloc(m->nparams, sizeof(float))) ||
        !(m->state = cor_calloc(m->nstate ? m->nstate : 1, sizeof(float))) ||
        !(m->bn_stats = cor_calloc(m->nstate ? m->nstate : 1, sizeof(float))) ||
        !(m->dlogits = cor_calloc((size_t)batch_max * nclass, sizeof(float))))
        goto nomem;
    for (int i = 0; i < m->nop; i++)
        if (m->op[i].kind == COR_NN_BN)
        {
            m->op[i].mean = m->bn_stats + m->op[i].s_off;
            m->op[i].var = m->op[i].mean + m->t[m->op[i].in].c;
        }
    m->use_ref = 1;
#ifdef HAVE_DNNL
    if (!getenv("COR_NN_REFERENCE") && cor_nn_dnnl_setup_internal(m, batch_max) == COR_OK)
        m->use_ref = 0;
    else
        cor_error_clear();
#endif
    for (int t = 0; t < m->nt; t++)
    {
        if (m->t[t].alias_of >= 0)
            continue;
        if (!(m->t[t].buf = cor_malloc(m->t[t].bytes)))
            goto nomem;
        memset(m->t[t].buf, 0, m->t[t].bytes);
        if (t != m->input_tensor && m->t[t].bytes / sizeof(float) > m->slot_floats)
            m->slot_floats = m->t[t].bytes / sizeof(float);
    }
    m->nslots = plan_slots(m);
    if (!(m->slots = cor_calloc((size_t)m->nslots, sizeof(float *))))
        goto nomem;
    for (int i = 0; i < m->nslots; i++)
        if (!(m->slots[i] = cor_calloc(m->slot_floats, sizeof(float))))
            goto nomem;
    return m;
nomem:
    COR_ERROR(COR_ENOMEM, "out of memory for model '%s'", name);
fail:
    cor_nn_model_free(m);
    return NULL;
}

void
cor_nn_model_free(cor_nn_model *m)
{
    if (!m)
        return;
#ifdef HAVE_DNNL
    cor_nn_dnnl_free_internal(m);
#endif
    for (int t = 0; t < m->nt; t++)
        if (m->t[t].alias_of < 0)
            cor_free(m->t[t].buf);
    if (m->slots)
        for (int i = 0; i < m->nslots; i++)
            cor_free(m->slots[i]);
    cor_free(m->slots);
    cor_free(m->t);
    cor_free(m->op);
    cor_free(m->params);
    cor_free(m->grads);
    cor_free(m->state);
    cor_free(m->bn_stats);
    cor_free(m->dlogits);
    cor_free(m->name);
    cor_free(m);
}

size_t
cor_nn_model_nparams(const cor_nn_model *m)
{
    return m ? m->nparams : 0;
}

float *
cor_nn_model_params(cor_nn_model *m)
{
    return m ? m->params : NULL;
}

float *
cor_nn_model_grads(cor_nn_model *m)
{
    return m ? m->grads : NULL;
}

size_t
cor_nn_model_nstate(const cor_nn_model *m)
{
    return m ? m->nstate : 0;
}

float *
cor_nn_model_state(cor_nn_model *m)
{
    return m ? m->state : NULL;
}

double
cor_nn_model_flops(const cor_nn_model *m)
{
    double f = 0;

    if (!m)
        return 0;
    for (int i = 0; i < m->nop; i++)
    {
        const cor_nn_op *o = &m->op[i];
        const cor_nn_geom *g = &o->g;

        if (o->kind == COR_NN_CONV)
            f += 2.0 * g->K * g->C * g->R * g->S * g->P * g->Q;
        else if (o->kind == COR_NN_FC)
            f += 2.0 * g->C * g->K;
    }
    return f;
}

const char *
cor_nn_model_backend(const cor_nn_model *m)
{
    return (m && !m->use_ref) ? "onednn" : "reference";
}

static uint64_t
splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Standard normal by Box-Muller from two 53-bit uniforms in (0, 1]. */
static double
normal(uint64_t *s)
{
    const double u1 = ((splitmix64(s) >> 11) + 1) * 0x1.0p-53;
    const double u2 = (splitmix64(s) >> 11) * 0x1.0p-53;

    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

int
cor_nn_model_init(cor_nn_model *m, uint64_t seed)
{
    uint64_t s = seed;

    if (!m)
        return COR_ERROR(COR_EINVAL, "NULL model");
    memset(m->params, 0, m->nparams * sizeof(float));
    memset(m->grads, 0, m->nparams * sizeof(float));
    for (int i = 0; i < m->nop; i++)
    {
        cor_nn_op *o = &m->op[i];

        if (o->kind == COR_NN_CONV || o->kind == COR_NN_FC)
        {
            const double sd = sqrt(2.0 / o->fan_in);

            for (size_t j = 0; j < o->nw; j++)
                m->params[o->w_off + j] = (float)(sd * normal(&s));
        }
        else if (o->kind == COR_NN_BN)
        {
            const int C = m->t[o->in].c;

            for (int c = 0; c < C; c++)
            {
                m->params[o->w_off + c] = 1;
                m->state[o->s_off + c] = 0;
                m->state[o->s_off + C + c] = 1;
            }
        }
    }
    return COR_OK;
}

int
cor_nn_model_set_threads(cor_nn_model *m, int nthreads)
{
    if (!m || nthreads < 1)
        return COR_ERROR(COR_EINVAL, "bad thread count");
    m->nthreads = nthreads;
    return COR_OK;
}

int
cor_nn_model_set_deterministic(cor_nn_model *m, int on)
{
    if (!m)
        return COR_ERROR(COR_EINVAL, "NULL model");
    m->deterministic = on != 0;
    return COR_OK;
}

int
cor_nn_model_set_reference(cor_nn_model *m, int on)
{
    if (!m)
        return COR_ERROR(COR_EINVAL, "NULL model");
    if (!on && !m->dnnl)
        return COR_ERROR(COR_EUNSUP, "oneDNN backend not available for this model");
    m->use_ref = on != 0;
    return COR_OK;
}
