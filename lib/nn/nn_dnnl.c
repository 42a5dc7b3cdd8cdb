/* nn_dnnl.c -- the oneDNN backend of lib/nn (compiled to nothing without HAVE_DNNL).
 *
 * Layouts: the input images are plain NCHW; batch norm, pooling and the residual additions
 * keep the layout of their input, and each convolution chooses its destination layout by
 * asking oneDNN which implementation it would run (dnnl_query_impl_info_str): oneDNN's own
 * choice ("any", blocked nChw16c on AVX-512 from 16 channels up) unless that runs forward,
 * backward-data or backward-weights on one of oneDNN's reference loops ("ref:any", many
 * times slower than lib/nn's own loops) or pads the channels (8 channels in a 16-channel
 * block, which the next convolution then runs on ref:any), else the first of the source's
 * own layout, NHWC, nChw16c, nChw8c, NCHW that does neither (conv_choose). A one-channel
 * input is the same bytes in NCHW and NHWC: when a convolution refused oneDNN's choice with
 * the NCHW description, the model is built again with NHWC, and kept if that has no more
 * reference loops (resnet-small on 1x28x28, 8..64 channels: NHWC throughout, brgconv and
 * jit kernels; oneDNN 2.6 has none for NHWC with a destination "any", nor for 8 channels
 * blocked by 16). Activations then stay in one layout from the first convolution to the
 * classifier with no reorder in between. The inner product reads the tensor in its layout
 * and writes plain N x K logits. Only the weights are reordered:
 * the parameter buffer keeps PyTorch's KCRS layout (so one flat f32 vector is what the
 * steppers see), and each pass reorders it into the layouts the convolution primitives
 * chose, and the weight gradients back.
 *
 * Primitives are built once per batch size and thread count (cor_nn_dnnl_prepare_internal
 * rebuilds them when either changes, the only place this backend allocates after the
 * model's alloc: oneDNN fixes a primitive's OpenMP thread count at creation and runs that
 * many threads whatever omp_set_num_threads says later, so primitives built at alloc for
 * all cores ran two spinning threads under --threads 1)
 * with a user-managed scratchpad shared by all of them. Batch norm fuses the following
 * ReLU (dnnl_fuse_norm_relu, with its bit-mask workspace); residual additions are binary
 * primitives with a ReLU post-op, executed in place.
 */
#include <config.h>

#ifdef HAVE_DNNL

#include <string.h>

#include <oneapi/dnnl/dnnl.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cor_sys.h"
#include "nn_impl.h"

enum
{
    R_SRC,
    R_DST,
    R_W,
    R_WF,
    R_WB,
    R_DW,
    R_DWB,
    R_B,
    R_DB,
    R_DSRC,
    R_DDST,
    R_WS,
    R_MEAN,
    R_VAR,
    R_SCALE,
    R_SHIFT,
    R_DSCALE,
    R_DSHIFT,
    R_SRC1,
    NROLE
};

typedef struct
{
    dnnl_primitive_t p;
    dnnl_memory_t sp; /* scratchpad memory (shared buffer) */
} prim;

enum
{
    P_FWD,
    P_INF,
    P_BWD_D,
    P_BWD_W,
    P_R_WF,
    P_R_WB,
    P_R_DW,
    NPRIM
};

typedef struct
{
    prim pr[NPRIM];
    dnnl_memory_t mem[NROLE];
    float *wf, *wb, *dwb, *ws;
    size_t wf_bytes, wb_bytes, dwb_bytes, ws_bytes;
} dop;

struct cor_nn_dnnl
{
    dnnl_engine_t eng;
    dnnl_stream_t strm;
    int n;                 /* batch size the primitives were built for (0: none) */
    int nthr;              /* OpenMP threads they were built for */
    dnnl_memory_desc_t *tmd;
    dop *op;
    int nop;
    void *scratch;
    size_t scratch_bytes;
    dnnl_primitive_attr_t attr;
    dnnl_primitive_attr_t attr_relu;
    int nref;     /* convolution primitives on oneDNN's reference loops (conv_choose) */
    int nrefused; /* convolutions that refused oneDNN's own destination layout */
};

#define CK(call)                                                                            \
    do                                                                                      \
    {                                                                                       \
        if ((call) != dnnl_success)                                                         \
        {                                                                                   \
            st = COR_ERROR(COR_EUNSUP, "oneDNN: %s failed", #call);                         \
            goto done;                                                                      \
        }                                                                                   \
    } while (0)

static void
prims_free(cor_nn_dnnl *d)
{
    for (int i = 0; i < d->nop; i++)
    {
        dop *o = &d->op[i];

        for (int k = 0; k < NPRIM; k++)
        {
            if (o->pr[k].p)
                dnnl_primitive_destroy(o->pr[k].p);
            if (o->pr[k].sp)
                dnnl_memory_destroy(o->pr[k].sp);
            o->pr[k].p = NULL;
            o->pr[k].sp = NULL;
        }
        for (int k = 0; k < NROLE; k++)
        {
            if (o->mem[k])
                dnnl_memory_destroy(o->mem[k]);
            o->mem[k] = NULL;
        }
    }
    d->n = 0;
}

void
cor_nn_dnnl_free_internal(cor_nn_model *m)
{
    cor_nn_dnnl *d = m->dnnl;

    if (!d)
        return;
    if (d->op)
    {
        prims_free(d);
        for (int i = 0; i < d->nop; i++)
        {
            cor_free(d->op[i].wf);
            cor_free(d->op[i].wb);
            cor_free(d->op[i].dwb);
            cor_free(d->op[i].ws);
        }
    }
    cor_free(d->op);
    cor_free(d->tmd);
    cor_free(d->scratch);
    if (d->attr)
        dnnl_primitive_attr_destroy(d->attr);
    if (d->attr_relu)
        dnnl_primitive_attr_destroy(d->attr_relu);
    if (d->strm)
        dnnl_stream_destroy(d->strm);
    if (d->eng)
        dnnl_engine_destroy(d->eng);
    cor_free(d);
    m->dnnl = NULL;
}

/* Makes a memory object for md (no data yet), and grows *buf to md's size if buf given. */
static int
mk(cor_nn_dnnl *d, dnnl_memory_t *mem, const dnnl_memory_desc_t *md)
{
    if (*mem)
        dnnl_memory_destroy(*mem);
    *mem = NULL;
    return dnnl_memory_create(mem, md, d->eng, DNNL_MEMORY_NONE) == dnnl_success ? COR_OK
                                                                                  : COR_EUNSUP;
}

static int
grow(float **buf, size_t *have, size_t bytes)
{
    if (bytes <= *have)
        return COR_OK;
    float *b = cor_realloc(*buf, bytes);

    if (!b)
        return COR_ERROR(COR_ENOMEM, "oneDNN buffer");
    *buf = b;
    *have = bytes;
    return COR_OK;
}

/* Creates the primitive of pd, with its scratchpad memory, and records the scratchpad size. */
static int
make_prim(cor_nn_dnnl *d, prim *pr, const_dnnl_primitive_desc_t pd)
{
    const dnnl_memory_desc_t *smd = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    size_t sz = smd ? dnnl_memory_desc_get_size(smd) : 0;

    if (dnnl_primitive_create(&pr->p, pd) != dnnl_success)
        return COR_EUNSUP;
    if (sz > 0)
    {
        if (sz > d->scratch_bytes)
            d->scratch_bytes = sz;
        if (dnnl_memory_create(&pr->sp, smd, d->eng, DNNL_MEMORY_NONE) != dnnl_success)
            return COR_EUNSUP;
    }
    return COR_OK;
}

/* A reorder from md a to md b (NULL primitive when they are equal). */
static int
make_reorder(cor_nn_dnnl *d, prim *pr, const dnnl_memory_desc_t *a, const dnnl_memory_desc_t *b)
{
    dnnl_primitive_desc_t pd = NULL;
    int st;

    if (dnnl_memory_desc_equal(a, b))
        return COR_OK;
    if (dnnl_reorder_primitive_desc_create(&pd, a, d->eng, b, d->eng, d->attr) != dnnl_success)
        return COR_EUNSUP;
    st = make_prim(d, pr, pd);
    dnnl_primitive_desc_destroy(pd);
    return st;
}

static int
plain_md(dnnl_memory_desc_t *md, int nd, const dnnl_dims_t dims)
{
    static const dnnl_format_tag_t tags[] = {dnnl_format_tag_undef, dnnl_a, dnnl_ab, dnnl_abc,
                                             dnnl_abcd};

    return dnnl_memory_desc_init_by_tag(md, nd, dims, dnnl_f32, tags[nd]) == dnnl_success
               ? COR_OK
               : COR_EUNSUP;
}

static int
any_md(dnnl_memory_desc_t *md, int nd, const dnnl_dims_t dims)
{
    return dnnl_memory_desc_init_by_tag(md, nd, dims, dnnl_f32, dnnl_format_tag_any) ==
                   dnnl_success
               ? COR_OK
               : COR_EUNSUP;
}

#define MD(pd, what) dnnl_primitive_desc_query_md((pd), (what), 0)

/* 1 when oneDNN implements pd with one of its reference loops (implementation "ref:..."). */
static int
is_ref(const_dnnl_primitive_desc_t pd)
{
    const char *impl = NULL;

    if (!pd || dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) != dnnl_success ||
        !impl)
        return 0;
    return strncmp(impl, "ref", 3) == 0;
}

static void
pds_destroy(dnnl_primitive_desc_t pd[3])
{
    for (int k = 0; k < 3; k++)
        if (pd[k])
            dnnl_primitive_desc_destroy(pd[k]);
    pd[0] = pd[1] = pd[2] = NULL;
}

/* The forward, backward-data (want_din) and backward-weights descriptors of a convolution with
 * destination dst. Returns how many of them run on oneDNN's reference loops, or -1 when one
 * cannot be created (pd all NULL then). */
static int
conv_try(cor_nn_dnnl *d, dnnl_primitive_desc_t pd[3], const dnnl_memory_desc_t *src,
         const dnnl_memory_desc_t *w, const dnnl_memory_desc_t *bias,
         const dnnl_memory_desc_t *dst, const dnnl_dims_t strides, const dnnl_dims_t pads,
         int want_din)
{
    dnnl_convolution_desc_t cd;
    dnnl_memory_desc_t dmd;

    pd[0] = pd[1] = pd[2] = NULL;
    if (dnnl_convolution_forward_desc_init(&cd, dnnl_forward_training, dnnl_convolution_direct,
                                           src, w, bias, dst, strides, pads,
                                           pads) != dnnl_success ||
        dnnl_primitive_desc_create(&pd[0], &cd, d->attr, d->eng, NULL) != dnnl_success)
        goto fail;
    dmd = *MD(pd[0], dnnl_query_dst_md);
    if (want_din &&
        (dnnl_convolution_backward_data_desc_init(&cd, dnnl_convolution_direct, src, w, &dmd,
                                                  strides, pads, pads) != dnnl_success ||
         dnnl_primitive_desc_create(&pd[1], &cd, d->attr, d->eng, pd[0]) != dnnl_success))
        goto fail;
    if (dnnl_convolution_backward_weights_desc_init(&cd, dnnl_convolution_direct, src, w, bias,
                                                    &dmd, strides, pads, pads) != dnnl_success ||
        dnnl_primitive_desc_create(&pd[2], &cd, d->attr, d->eng, pd[0]) != dnnl_success)
        goto fail;
    return is_ref(pd[0]) + is_ref(pd[1]) + is_ref(pd[2]);
fail:
    pds_destroy(pd);
    return -1;
}

/* Chooses a convolution's destination layout (see the header comment): oneDNN's own choice
 * ("any") unless that runs on a reference loop or pads the channels, else the first of the
 * source's layout, NHWC, nChw16c, nChw8c, NCHW that does neither; when every one does, the
 * fewest reference loops, then no padding, then the earlier in that order. */
static int
conv_choose(cor_nn_dnnl *d, dnnl_primitive_desc_t *pf, dnnl_primitive_desc_t *pbd,
            dnnl_primitive_desc_t *pbw, const dnnl_memory_desc_t *src,
            const dnnl_memory_desc_t *w, const dnnl_memory_desc_t *bias, const dnnl_dims_t od,
            const dnnl_dims_t strides, const dnnl_dims_t pads, int want_din)
{
    static const dnnl_format_tag_t tags[] = {dnnl_acdb, dnnl_aBcd16b, dnnl_aBcd8b, dnnl_abcd};
    enum
    {
        NT = sizeof tags / sizeof tags[0]
    };
    dnnl_format_tag_t cand[NT + 2];
    dnnl_primitive_desc_t best[3] = {NULL, NULL, NULL}, pd[3];
    int nc = 0, best_score = -1, best_k = -1, best_nref = 0;

    cand[nc++] = dnnl_format_tag_any;
    for (int k = 0; k < NT; k++)
    {
        dnnl_memory_desc_t md;

        if (dnnl_memory_desc_init_by_tag(&md, 4, src->dims, dnnl_f32, tags[k]) == dnnl_success &&
            dnnl_memory_desc_equal(&md, src))
        {
            cand[nc++] = tags[k];
            break;
        }
    }
    for (int k = 0; k < NT; k++)
        if (nc < 2 || cand[1] != tags[k])
            cand[nc++] = tags[k];
    for (int k = 0; k < nc && best_score != 0; k++)
    {
        dnnl_memory_desc_t dst;
        int nref, score;

        if (dnnl_memory_desc_init_by_tag(&dst, 4, od, dnnl_f32, cand[k]) != dnnl_success ||
            (nref = conv_try(d, pd, src, w, bias, &dst, strides, pads, want_din)) < 0)
            continue;
        {
            const dnnl_memory_desc_t *dm = MD(pd[0], dnnl_query_dst_md);

            score = 2 * nref + (dm->padded_dims[1] != dm->dims[1]);
        }
        if (best_score < 0 || score < best_score)
        {
            pds_destroy(best);
            memcpy(best, pd, sizeof pd);
            best_score = score;
            best_k = k;
            best_nref = nref;
        }
        else
            pds_destroy(pd);
    }
    if (best_score < 0)
        return COR_EUNSUP;
    d->nref += best_nref;
    d->nrefused += best_k != 0;
    *pf = best[0];
    *pbd = best[1];
    *pbw = best[2];
    return COR_OK;
}

static int
setup_op(cor_nn_model *m, cor_nn_dnnl *d, int i, int n)
{
    cor_nn_op *o = &m->op[i];
    dop *x = &d->op[i];
    dnnl_memory_desc_t *tin = &d->tmd[o->in], *tout = &d->tmd[o->out];
    const cor_nn_geom *g = &o->g;
    dnnl_primitive_desc_t pf = NULL, pi = NULL, pbd = NULL, pbw = NULL;
    dnnl_memory_desc_t a, b, c, w;
    int st = COR_OK;
    const int want_din = o->in != m->input_tensor;

    switch (o->kind)
    {
    case COR_NN_CONV:
    case COR_NN_FC:
    {
        const int conv = o->kind == COR_NN_CONV;
        const cor_nn_tensor *ti = &m->t[o->in];
        dnnl_dims_t wd = {g->K, conv ? g->C : ti->c, conv ? g->R : ti->h, conv ? g->S : ti->w};
        dnnl_dims_t bd = {g->K}, od = {n, g->K, g->P, g->Q}, od2 = {n, g->K};
        dnnl_dims_t strides = {g->stride, g->stride}, pads = {g->pad, g->pad};
        dnnl_inner_product_desc_t id;
        const dnnl_memory_desc_t *bp = o->has_bias ? &b : NULL;

        if (plain_md(&w, 4, wd) || any_md(&a, 4, wd) || plain_md(&b, 1, bd))
            return COR_EUNSUP;
        if (conv)
        {
            if ((st = conv_choose(d, &pf, &pbd, &pbw, tin, &a, bp, od, strides, pads,
                                  want_din)))
                goto done;
        }
        else
        {
            if (plain_md(&c, 2, od2))
                return COR_EUNSUP;
            CK(dnnl_inner_product_forward_desc_init(&id, dnnl_forward_training, tin, &a, bp, &c));
            CK(dnnl_primitive_desc_create(&pf, &id, d->attr, d->eng, NULL));
        }
        if (conv)
            *tout = *MD(pf, dnnl_query_dst_md);
        else
        {
            dnnl_dims_t o4 = {n, g->K, 1, 1};

            if (plain_md(tout, 4, o4))
                return COR_EUNSUP;
        }
        const dnnl_memory_desc_t wf = *MD(pf, dnnl_query_weights_md);

        if ((st = make_prim(d, &x->pr[P_FWD], pf)) || (st = make_reorder(d, &x->pr[P_R_WF], &w, &wf)))
            goto done;
        if (x->pr[P_R_WF].p && (st = grow(&x->wf, &x->wf_bytes, dnnl_memory_desc_get_size(&wf))))
            goto done;
        if ((st = mk(d, &x->mem[R_SRC], tin)) || (st = mk(d, &x->mem[R_W], &w)) ||
            (st = mk(d, &x->mem[R_WF], &wf)) || (st = mk(d, &x->mem[R_B], &b)) ||
            (st = mk(d, &x->mem[R_DB], &b)) || (st = mk(d, &x->mem[R_DW], &w)) ||
            (st = mk(d, &x->mem[R_DST], conv ? tout : &c)) ||
            (st = mk(d, &x->mem[R_DDST], conv ? tout : &c)))
            goto done;
        if (want_din)
        {
            if (!conv)
            {
                CK(dnnl_inner_product_backward_data_desc_init(&id, tin, &a, &c));
                CK(dnnl_primitive_desc_create(&pbd, &id, d->attr, d->eng, pf));
            }
            const dnnl_memory_desc_t wb = *MD(pbd, dnnl_query_weights_md);

            if ((st = make_prim(d, &x->pr[P_BWD_D], pbd)) ||
                (st = make_reorder(d, &x->pr[P_R_WB], &w, &wb)) ||
                (st = mk(d, &x->mem[R_WB], &wb)) || (st = mk(d, &x->mem[R_DSRC], tin)))
                goto done;
            if (x->pr[P_R_WB].p &&
                (st = grow(&x->wb, &x->wb_bytes, dnnl_memory_desc_get_size(&wb))))
                goto done;
        }
        if (!conv)
        {
            CK(dnnl_inner_product_backward_weights_desc_init(&id, tin, &a, bp, &c));
            CK(dnnl_primitive_desc_create(&pbw, &id, d->attr, d->eng, pf));
        }
        const dnnl_memory_desc_t dwb = *MD(pbw, dnnl_query_diff_weights_md);

        if ((st = make_prim(d, &x->pr[P_BWD_W], pbw)) ||
            (st = make_reorder(d, &x->pr[P_R_DW], &dwb, &w)) || (st = mk(d, &x->mem[R_DWB], &dwb)))
            goto done;
        if (x->pr[P_R_DW].p &&
            (st = grow(&x->dwb, &x->dwb_bytes, dnnl_memory_desc_get_size(&dwb))))
            goto done;
        break;
    }
    case COR_NN_BN:
    {
        const unsigned fl = dnnl_use_scale | dnnl_use_shift | (o->relu ? dnnl_fuse_norm_relu : 0);
        dnnl_batch_normalization_desc_t bd;
        dnnl_dims_t cdim = {m->t[o->in].c};

        if (!want_din || plain_md(&c, 1, cdim))
            return COR_EUNSUP;
        *tout = *tin;
        CK(dnnl_batch_normalization_forward_desc_init(&bd, dnnl_forward_training, tin, 1e-5f, fl));
        CK(dnnl_primitive_desc_create(&pf, &bd, d->attr, d->eng, NULL));
        CK(dnnl_batch_normalization_forward_desc_init(&bd, dnnl_forward_inference, tin, 1e-5f,
                                                      fl | dnnl_use_global_stats));
        CK(dnnl_primitive_desc_create(&pi, &bd, d->attr, d->eng, NULL));
        CK(dnnl_batch_normalization_backward_desc_init(&bd, dnnl_backward, tin, tin, 1e-5f, fl));
        CK(dnnl_primitive_desc_create(&pbd, &bd, d->attr, d->eng, pf));
        if ((st = make_prim(d, &x->pr[P_FWD], pf)) || (st = make_prim(d, &x->pr[P_INF], pi)) ||
            (st = make_prim(d, &x->pr[P_BWD_D], pbd)))
            goto done;
        if (o->relu)
        {
            const dnnl_memory_desc_t *wsm = MD(pf, dnnl_query_workspace_md);

            if (!wsm || (st = mk(d, &x->mem[R_WS], wsm)) ||
                (st = grow(&x->ws, &x->ws_bytes, dnnl_memory_desc_get_size(wsm))))
                goto done;
        }
        if ((st = mk(d, &x->mem[R_SRC], tin)) || (st = mk(d, &x->mem[R_DST], tin)) ||
            (st = mk(d, &x->mem[R_DSRC], tin)) || (st = mk(d, &x->mem[R_DDST], tin)) ||
            (st = mk(d, &x->mem[R_MEAN], &c)) || (st = mk(d, &x->mem[R_VAR], &c)) ||
            (st = mk(d, &x->mem[R_SCALE], &c)) || (st = mk(d, &x->mem[R_SHIFT], &c)) ||
            (st = mk(d, &x->mem[R_DSCALE], &c)) || (st = mk(d, &x->mem[R_DSHIFT], &c)))
            goto done;
        break;
    }
    case COR_NN_MAXPOOL:
    case COR_NN_AVGPOOL:
    case COR_NN_GAP:
    {
        const dnnl_alg_kind_t alg = o->kind == COR_NN_MAXPOOL   ? dnnl_pooling_max
                                    : o->kind == COR_NN_AVGPOOL ? dnnl_pooling_avg_include_padding
                                                                : dnnl_pooling_avg_exclude_padding;
        dnnl_dims_t od = {n, g->C, g->P, g->Q}, strides = {g->stride, g->stride};
        dnnl_dims_t kern = {g->R, g->S}, dil = {0, 0}, pads = {g->pad, g->pad};
        dnnl_pooling_v2_desc_t pd;

        if (!want_din || any_md(&c, 4, od))
            return COR_EUNSUP;
        CK(dnnl_pooling_v2_forward_desc_init(&pd, dnnl_forward_training, alg, tin, &c, strides,
                                             kern, dil, pads, pads));
        CK(dnnl_primitive_desc_create(&pf, &pd, d->attr, d->eng, NULL));
        *tout = *MD(pf, dnnl_query_dst_md);
        CK(dnnl_pooling_v2_backward_desc_init(&pd, alg, tin, tout, strides, kern, dil, pads,
                                              pads));
        CK(dnnl_primitive_desc_create(&pbd, &pd, d->attr, d->eng, pf));
        if ((st = make_prim(d, &x->pr[P_FWD], pf)) || (st = make_prim(d, &x->pr[P_BWD_D], pbd)))
            goto done;
        const dnnl_memory_desc_t *wsm = MD(pf, dnnl_query_workspace_md);

        if (wsm && dnnl_memory_desc_get_size(wsm) > 0 &&
            ((st = mk(d, &x->mem[R_WS], wsm)) ||
             (st = grow(&x->ws, &x->ws_bytes, dnnl_memory_desc_get_size(wsm)))))
            goto done;
        if ((st = mk(d, &x->mem[R_SRC], tin)) || (st = mk(d, &x->mem[R_DST], tout)) ||
            (st = mk(d, &x->mem[R_DSRC], tin)) || (st = mk(d, &x->mem[R_DDST], tout)))
            goto done;
        break;
    }
    case COR_NN_ADD:
    {
        dnnl_binary_desc_t bd;
        dnnl_memory_desc_t *t2 = &d->tmd[o->in2];

        *tout = *tin;
        /* the shortcut's gradient is dout in the shortcut's own layout */
        if ((st = make_reorder(d, &x->pr[P_R_WB], tin, t2)) || (st = mk(d, &x->mem[R_DDST], tin)) ||
            (st = mk(d, &x->mem[R_DSRC], t2)))
            goto done;
        CK(dnnl_binary_desc_init(&bd, dnnl_binary_add, tin, t2, tin));
        CK(dnnl_primitive_desc_create(&pf, &bd, o->relu ? d->attr_relu : d->attr, d->eng, NULL));
        if ((st = make_prim(d, &x->pr[P_FWD], pf)) || (st = mk(d, &x->mem[R_SRC], tin)) ||
            (st = mk(d, &x->mem[R_SRC1], t2)) || (st = mk(d, &x->mem[R_DST], tin)))
            goto done;
        break;
    }
    case COR_NN_RELU:
        *tout = *tin;
        break;
    }
done:
    if (pf)
        dnnl_primitive_desc_destroy(pf);
    if (pi)
        dnnl_primitive_desc_destroy(pi);
    if (pbd)
        dnnl_primitive_desc_destroy(pbd);
    if (pbw)
        dnnl_primitive_desc_destroy(pbw);
    return st;
}

int
cor_nn_dnnl_setup_internal(cor_nn_model *m, int n)
{
    cor_nn_dnnl *d = m->dnnl;
    int st = COR_OK;

    if (!d)
    {
        dnnl_post_ops_t po = NULL;

        if (!(d = m->dnnl = cor_calloc(1, sizeof *d)) ||
            !(d->tmd = cor_calloc((size_t)m->nt, sizeof *d->tmd)) ||
            !(d->op = cor_calloc((size_t)m->nop, sizeof *d->op)))
        {
            st = COR_ERROR(COR_ENOMEM, "oneDNN backend");
            goto done;
        }
        d->nop = m->nop;
        CK(dnnl_engine_create(&d->eng, dnnl_cpu, 0));
        CK(dnnl_stream_create(&d->strm, d->eng, dnnl_stream_default_flags));
        CK(dnnl_primitive_attr_create(&d->attr));
        CK(dnnl_primitive_attr_set_scratchpad_mode(d->attr, dnnl_scratchpad_mode_user));
        CK(dnnl_primitive_attr_create(&d->attr_relu));
        CK(dnnl_primitive_attr_set_scratchpad_mode(d->attr_relu, dnnl_scratchpad_mode_user));
        CK(dnnl_post_ops_create(&po));
        if (dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f) !=
                dnnl_success ||
            dnnl_primitive_attr_set_post_ops(d->attr_relu, po) != dnnl_success)
        {
            dnnl_post_ops_destroy(po);
            st = COR_ERROR(COR_EUNSUP, "oneDNN post-ops");
            goto done;
        }
        dnnl_post_ops_destroy(po);
    }
#ifdef _OPENMP
    /* oneDNN fixes a primitive's thread count when it is created, and runs that many
     * threads whatever omp_set_num_threads says later */
    omp_set_num_threads(m->nthreads);
#endif
    d->nthr = m->nthreads;
    {
        /* a one-channel input is the same bytes in NCHW and NHWC: NCHW first (oneDNN's own
         * layouts downstream), NHWC when that made a convolution refuse oneDNN's choice, kept
         * unless it has more reference loops */
        const cor_nn_tensor *t = &m->t[m->input_tensor];
        const dnnl_format_tag_t in_tag[] = {dnnl_abcd, dnnl_acdb, dnnl_abcd};
        dnnl_dims_t dims = {n, t->c, t->h, t->w};
        int nref_nchw = 0;

        for (int k = 0; k < 3; k++)
        {
            prims_free(d);
            if (dnnl_memory_desc_init_by_tag(&d->tmd[m->input_tensor], 4, dims, dnnl_f32,
                                             in_tag[k]) != dnnl_success)
            {
                st = COR_ERROR(COR_EUNSUP, "oneDNN input layout");
                goto done;
            }
            d->nref = d->nrefused = 0;
            for (int i = 0; i < m->nop; i++)
                if ((st = setup_op(m, d, i, n)) != COR_OK)
                {
                    if (!cor_status_is_error(st) || st == COR_EUNSUP)
                        st = COR_ERROR(COR_EUNSUP, "oneDNN primitive for op %d", i);
                    goto done;
                }
            if (k == 0 && (t->c != 1 || d->nrefused == 0))
                break;
            if (k == 0)
                nref_nchw = d->nref;
            else if (k == 1 && d->nref <= nref_nchw)
                break;
        }
    }
    for (int t = 0; t < m->nt; t++)
    {
        size_t need = dnnl_memory_desc_get_size(&d->tmd[t]);
        int root = t;

        while (m->t[root].alias_of >= 0)
            root = m->t[root].alias_of;
        if (need > m->t[root].bytes)
        {
            if (m->t[root].buf)
            {
                st = COR_ERROR(COR_EUNSUP, "oneDNN layout for batch %d exceeds the buffers", n);
                goto done;
            }
            m->t[root].bytes = need;
        }
    }
    {
        void *s = cor_realloc(d->scratch, d->scratch_bytes ? d->scratch_bytes : 1);

        if (!s)
        {
            st = COR_ERROR(COR_ENOMEM, "oneDNN scratchpad");
            goto done;
        }
        d->scratch = s;
    }
    d->n = n;
done:
    if (st != COR_OK)
        cor_nn_dnnl_free_internal(m);
    return st;
}

int
cor_nn_dnnl_count_ref_internal(const cor_nn_model *m, int conv_only)
{
    const cor_nn_dnnl *d = m->dnnl;
    int count = 0;

    if (!d || d->n == 0)
        return -1;
    for (int i = 0; i < m->nop; i++)
    {
        if (conv_only && m->op[i].kind != COR_NN_CONV)
            continue;
        for (int k = 0; k < NPRIM; k++)
        {
            const_dnnl_primitive_desc_t pd = NULL;

            if (d->op[i].pr[k].p &&
                dnnl_primitive_get_primitive_desc(d->op[i].pr[k].p, &pd) == dnnl_success)
                count += is_ref(pd);
        }
    }
    return count;
}

int
cor_nn_dnnl_avx512_internal(void)
{
    const dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();

    return ((unsigned)isa & (unsigned)dnnl_cpu_isa_avx512_core) ==
           (unsigned)dnnl_cpu_isa_avx512_core;
}

/* ---- execution ------------------------------------------------------------------------- */

static void
run(cor_nn_dnnl *d, prim *pr, int nargs, const int *arg, dnnl_memory_t const *mem,
    void *const *ptr)
{
    dnnl_exec_arg_t a[16];
    int k = 0;

    for (int i = 0; i < nargs; i++)
    {
        dnnl_memory_set_data_handle(mem[i], ptr[i]);
        a[k].arg = arg[i];
        a[k].memory = mem[i];
        k++;
    }
    if (pr->sp)
    {
        dnnl_memory_set_data_handle(pr->sp, d->scratch);
        a[k].arg = DNNL_ARG_SCRATCHPAD;
        a[k].memory = pr->sp;
        k++;
    }
    dnnl_primitive_execute(pr->p, d->strm, k, a);
    dnnl_stream_wait(d->strm);
}

#define RUN(d, pr, ...)                                                                     \
    do                                                                                      \
    {                                                                                       \
        const struct                                                                        \
        {                                                                                   \
            int arg;                                                                        \
            int role;                                                                       \
            void *ptr;                                                                      \
        } spec_[] = {__VA_ARGS__};                                                          \
        int args_[16];                                                                      \
        dnnl_memory_t mems_[16];                                                            \
        void *ptrs_[16];                                                                    \
        const int k_ = (int)(sizeof spec_ / sizeof spec_[0]);                               \
        for (int i_ = 0; i_ < k_; i_++)                                                     \
        {                                                                                   \
            args_[i_] = spec_[i_].arg;                                                      \
            mems_[i_] = x->mem[spec_[i_].role];                                             \
            ptrs_[i_] = spec_[i_].ptr;                                                      \
        }                                                                                   \
        run((d), (pr), k_, args_, mems_, ptrs_);                                            \
    } while (0)

static float *
buf(cor_nn_model *m, int t)
{
    while (m->t[t].alias_of >= 0)
        t = m->t[t].alias_of;
    return m->t[t].buf;
}

int
cor_nn_dnnl_prepare_internal(cor_nn_model *m, int n, int train)
{
    cor_nn_dnnl *d = m->dnnl;

    (void)train;
    if (d->n != n || d->nthr != m->nthreads)
    {
        int st = cor_nn_dnnl_setup_internal(m, n);

        if (st != COR_OK)
            return st; /* the model falls back to nothing: report */
    }
    for (int i = 0; i < m->nop; i++)
    {
        cor_nn_op *o = &m->op[i];
        dop *x = &d->op[i];

        if ((o->kind == COR_NN_CONV || o->kind == COR_NN_FC) && x->pr[P_R_WF].p)
            RUN(d, &x->pr[P_R_WF], {DNNL_ARG_FROM, R_W, m->params + o->w_off},
                {DNNL_ARG_TO, R_WF, x->wf});
    }
    return COR_OK;
}

void
cor_nn_dnnl_fwd_internal(cor_nn_model *m, cor_nn_op *o, int n, int train)
{
    cor_nn_dnnl *d = m->dnnl;
    dop *x = &d->op[o - m->op];
    float *in = buf(m, o->in), *out = buf(m, o->out), *P = m->params;

    switch (o->kind)
    {
    case COR_NN_CONV:
    case COR_NN_FC:
    {
        float *wf = x->pr[P_R_WF].p ? x->wf : P + o->w_off;

        if (o->has_bias)
            RUN(d, &x->pr[P_FWD], {DNNL_ARG_SRC, R_SRC, in}, {DNNL_ARG_WEIGHTS, R_WF, wf},
                {DNNL_ARG_BIAS, R_B, P + o->b_off}, {DNNL_ARG_DST, R_DST, out});
        else
            RUN(d, &x->pr[P_FWD], {DNNL_ARG_SRC, R_SRC, in}, {DNNL_ARG_WEIGHTS, R_WF, wf},
                {DNNL_ARG_DST, R_DST, out});
        break;
    }
    case COR_NN_BN:
    {
        const int C = m->t[o->in].c;

        if (train)
        {
            if (o->relu)
                RUN(d, &x->pr[P_FWD], {DNNL_ARG_SRC, R_SRC, in}, {DNNL_ARG_DST, R_DST, out},
                    {DNNL_ARG_SCALE, R_SCALE, P + o->w_off},
                    {DNNL_ARG_SHIFT, R_SHIFT, P + o->b_off}, {DNNL_ARG_MEAN, R_MEAN, o->mean},
                    {DNNL_ARG_VARIANCE, R_VAR, o->var}, {DNNL_ARG_WORKSPACE, R_WS, x->ws});
            else
                RUN(d, &x->pr[P_FWD], {DNNL_ARG_SRC, R_SRC, in}, {DNNL_ARG_DST, R_DST, out},
                    {DNNL_ARG_SCALE, R_SCALE, P + o->w_off},
                    {DNNL_ARG_SHIFT, R_SHIFT, P + o->b_off}, {DNNL_ARG_MEAN, R_MEAN, o->mean},
                    {DNNL_ARG_VARIANCE, R_VAR, o->var});
            cor_nn_bn_update_running_internal(m, o, n * m->t[o->in].h * m->t[o->in].w);
        }
        else
            RUN(d, &x->pr[P_INF], {DNNL_ARG_SRC, R_SRC, in}, {DNNL_ARG_DST, R_DST, out},
                {DNNL_ARG_SCALE, R_SCALE, P + o->w_off}, {DNNL_ARG_SHIFT, R_SHIFT, P + o->b_off},
                {DNNL_ARG_MEAN, R_MEAN, m->state + o->s_off},
                {DNNL_ARG_VARIANCE, R_VAR, m->state + o->s_off + C});
        break;
    }
    case COR_NN_MAXPOOL:
    case COR_NN_AVGPOOL:
    case COR_NN_GAP:
        if (x->mem[R_WS])
            RUN(d, &x->pr[P_FWD], {DNNL_ARG_SRC, R_SRC, in}, {DNNL_ARG_DST, R_DST, out},
                {DNNL_ARG_WORKSPACE, R_WS, x->ws});
        else
            RUN(d, &x->pr[P_FWD], {DNNL_ARG_SRC, R_SRC, in}, {DNNL_ARG_DST, R_DST, out});
        break;
    case COR_NN_ADD:
        RUN(d, &x->pr[P_FWD], {DNNL_ARG_SRC_0, R_SRC, in},
            {DNNL_ARG_SRC_1, R_SRC1, buf(m, o->in2)}, {DNNL_ARG_DST, R_DST, out});
        break;
    case COR_NN_RELU:
        break;
    }
}

void
cor_nn_dnnl_bwd_internal(cor_nn_model *m, cor_nn_op *o, int n, float *dout, float *din)
{
    cor_nn_dnnl *d = m->dnnl;
    dop *x = &d->op[o - m->op];
    float *in = buf(m, o->in), *P = m->params, *G = m->grads;

    (void)n;
    switch (o->kind)
    {
    case COR_NN_CONV:
    case COR_NN_FC:
    {
        float *dw = x->pr[P_R_DW].p ? x->dwb : G + o->w_off;

        if (din)
        {
            float *wb = P + o->w_off;

            if (x->pr[P_R_WB].p)
            {
                RUN(d, &x->pr[P_R_WB], {DNNL_ARG_FROM, R_W, P + o->w_off},
                    {DNNL_ARG_TO, R_WB, x->wb});
                wb = x->wb;
            }
            RUN(d, &x->pr[P_BWD_D], {DNNL_ARG_DIFF_DST, R_DDST, dout},
                {DNNL_ARG_WEIGHTS, R_WB, wb}, {DNNL_ARG_DIFF_SRC, R_DSRC, din});
        }
        if (o->has_bias)
            RUN(d, &x->pr[P_BWD_W], {DNNL_ARG_SRC, R_SRC, in}, {DNNL_ARG_DIFF_DST, R_DDST, dout},
                {DNNL_ARG_DIFF_WEIGHTS, R_DWB, dw}, {DNNL_ARG_DIFF_BIAS, R_DB, G + o->b_off});
        else
            RUN(d, &x->pr[P_BWD_W], {DNNL_ARG_SRC, R_SRC, in}, {DNNL_ARG_DIFF_DST, R_DDST, dout},
                {DNNL_ARG_DIFF_WEIGHTS, R_DWB, dw});
        if (x->pr[P_R_DW].p)
            RUN(d, &x->pr[P_R_DW], {DNNL_ARG_FROM, R_DWB, x->dwb},
                {DNNL_ARG_TO, R_DW, G + o->w_off});
        break;
    }
    case COR_NN_BN:
        if (o->relu)
            RUN(d, &x->pr[P_BWD_D], {DNNL_ARG_SRC, R_SRC, in}, {DNNL_ARG_MEAN, R_MEAN, o->mean},
                {DNNL_ARG_VARIANCE, R_VAR, o->var}, {DNNL_ARG_DIFF_DST, R_DDST, dout},
                {DNNL_ARG_SCALE, R_SCALE, P + o->w_off}, {DNNL_ARG_SHIFT, R_SHIFT, P + o->b_off},
                {DNNL_ARG_WORKSPACE, R_WS, x->ws},
                {DNNL_ARG_DIFF_SRC, R_DSRC, din}, {DNNL_ARG_DIFF_SCALE, R_DSCALE, G + o->w_off},
                {DNNL_ARG_DIFF_SHIFT, R_DSHIFT, G + o->b_off});
        else
            RUN(d, &x->pr[P_BWD_D], {DNNL_ARG_SRC, R_SRC, in}, {DNNL_ARG_MEAN, R_MEAN, o->mean},
                {DNNL_ARG_VARIANCE, R_VAR, o->var}, {DNNL_ARG_DIFF_DST, R_DDST, dout},
                {DNNL_ARG_SCALE, R_SCALE, P + o->w_off}, {DNNL_ARG_SHIFT, R_SHIFT, P + o->b_off},
                {DNNL_ARG_DIFF_SRC, R_DSRC, din},
                {DNNL_ARG_DIFF_SCALE, R_DSCALE, G + o->w_off},
                {DNNL_ARG_DIFF_SHIFT, R_DSHIFT, G + o->b_off});
        break;
    case COR_NN_MAXPOOL:
    case COR_NN_AVGPOOL:
    case COR_NN_GAP:
        if (x->mem[R_WS])
            RUN(d, &x->pr[P_BWD_D], {DNNL_ARG_DIFF_DST, R_DDST, dout},
                {DNNL_ARG_WORKSPACE, R_WS, x->ws}, {DNNL_ARG_DIFF_SRC, R_DSRC, din});
        else
            RUN(d, &x->pr[P_BWD_D], {DNNL_ARG_DIFF_DST, R_DDST, dout},
                {DNNL_ARG_DIFF_SRC, R_DSRC, din});
        break;
    case COR_NN_ADD:
    case COR_NN_RELU:
        break;
    }
}

int
cor_nn_dnnl_add_bwd2_internal(cor_nn_model *m, cor_nn_op *o, float *dout, float *d2)
{
    cor_nn_dnnl *d = m->dnnl;
    dop *x = &d->op[o - m->op];

    if (!x->pr[P_R_WB].p)
        return 0;
    RUN(d, &x->pr[P_R_WB], {DNNL_ARG_FROM, R_DDST, dout}, {DNNL_ARG_TO, R_DSRC, d2});
    return 1;
}

#else
/* ISO C forbids an empty translation unit. */
typedef int cor_nn_dnnl_unused;
#endif
