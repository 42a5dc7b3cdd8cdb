/* nn_impl.h -- internals of the nn module: reference kernels, the layer graph, backends.
 *
 * Shape letters used throughout lib/nn:
 *   N  images in the batch          C  input channels        H, W  input height and width
 *   K  output channels (features)   R, S  kernel height and width
 *   P, Q  output height and width   (P = (H + 2 pad - R) / stride + 1, Q likewise)
 * Tensors are NCHW, row-major: x[((n*C + c)*H + h)*W + w]. Convolution weights are KCRS,
 * fully connected weights K x C (PyTorch's layouts), so parameter buffers are
 * interchangeable with PyTorch's state_dict in order.
 */
#ifndef COR_NN_IMPL_H
#define COR_NN_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "cor_nn.h"

/* Geometry of a convolution or pooling window. */
typedef struct
{
    int N, C, H, W; /* input */
    int K, R, S;    /* output channels (= C for pooling) and window */
    int stride, pad;
    int P, Q; /* output size */
} cor_nn_geom;

/* ---- reference kernels (nn_ref.c; suffix _f32 for float, _f64 for double) -------------
 * Pure functions over flat arrays. Outputs are overwritten (never accumulated) unless the
 * name says acc. din, dw, db may be NULL (not computed). Outputs must not alias inputs
 * except where noted. */
#define COR_NN_REF_DECLS(T, SUF)                                                             \
    void cor_nn_conv_fwd_##SUF(T *out, const T *in, const T *w, const T *b,                  \
                               const cor_nn_geom *g);                                        \
    void cor_nn_conv_bwd_##SUF(T *din, T *dw, T *db, const T *dout, const T *in, const T *w, \
                               const cor_nn_geom *g);                                        \
    void cor_nn_bn_fwd_train_##SUF(T *out, T *mean, T *var, const T *in, const T *gamma,     \
                                   const T *beta, int N, int C, int HW, double eps);         \
    void cor_nn_bn_fwd_infer_##SUF(T *out, const T *in, const T *gamma, const T *beta,       \
                                   const T *rmean, const T *rvar, int N, int C, int HW,      \
                                   double eps);                                              \
    void cor_nn_bn_bwd_##SUF(T *din, T *dgamma, T *dbeta, const T *dout, const T *in,        \
                             const T *mean, const T *var, const T *gamma, int N, int C,      \
                             int HW, double eps);                                            \
    void cor_nn_relu_fwd_##SUF(T *out, const T *in, size_t n);                               \
    void cor_nn_relu_bwd_##SUF(T *din, const T *dout, const T *out, size_t n);               \
    void cor_nn_maxpool_fwd_##SUF(T *out, const T *in, const cor_nn_geom *g);                \
    void cor_nn_maxpool_bwd_##SUF(T *din, const T *dout, const T *in, const cor_nn_geom *g); \
    void cor_nn_avgpool_fwd_##SUF(T *out, const T *in, const cor_nn_geom *g);                \
    void cor_nn_avgpool_bwd_##SUF(T *din, const T *dout, const cor_nn_geom *g);              \
    void cor_nn_gap_fwd_##SUF(T *out, const T *in, int N, int C, int HW);                    \
    void cor_nn_gap_bwd_##SUF(T *din, const T *dout, int N, int C, int HW);                  \
    void cor_nn_fc_fwd_##SUF(T *out, const T *in, const T *w, const T *b, int N, int C,      \
                             int K);                                                         \
    void cor_nn_fc_bwd_##SUF(T *din, T *dw, T *db, const T *dout, const T *in, const T *w,   \
                             int N, int C, int K);                                           \
    void cor_nn_add_##SUF(T *out, const T *a, const T *b, size_t n);                         \
    double cor_nn_xent_##SUF(T *dlogits, int *ncorrect, const T *logits, const int32_t *y,   \
                             int N, int K);

/* relu_bwd: din may alias dout. add: out may alias a or b. xent returns the mean loss,
 * dlogits (may be NULL) = (softmax - onehot) / N. bn var is the biased batch variance. */
COR_NN_REF_DECLS(float, f32)
COR_NN_REF_DECLS(double, f64)

/* ---- the layer graph -------------------------------------------------------------------- */

typedef enum
{
    COR_NN_CONV,    /* in -> out, params w (KCRS), optional bias b (K) */
    COR_NN_BN,      /* in -> out, params gamma, beta (C); state rmean, rvar (C); relu flag */
    COR_NN_RELU,    /* in -> out (in place: out shares in's buffer) */
    COR_NN_MAXPOOL, /* in -> out */
    COR_NN_AVGPOOL, /* in -> out, padding counted in the divisor (PyTorch's default) */
    COR_NN_GAP,     /* in -> out (N, C, 1, 1) */
    COR_NN_FC,      /* in (flattened) -> out (N, K), params w (K x C), b (K) */
    COR_NN_ADD      /* out = in + in2, in place in in's buffer; relu flag */
} cor_nn_op_kind;

typedef struct
{
    int c, h, w;   /* per-image shape */
    float *buf;    /* activations, batch_max images (NULL for aliases until bound) */
    int alias_of;  /* tensor whose buffer this one shares (in-place ops), or -1 */
    size_t bytes;  /* allocated bytes of buf (backends may need padding) */
    /* backward bookkeeping */
    int slot;      /* gradient slot during backward, or -1 */
    int nreaders;  /* ops reading this tensor (for the gradient liveness) */
    void *md;      /* backend memory descriptor (oneDNN), owned by the backend */
} cor_nn_tensor;

typedef struct
{
    cor_nn_op_kind kind;
    int in, in2, out; /* tensor ids (in2 only for ADD) */
    int relu;         /* BN and ADD: fused ReLU on the output */
    cor_nn_geom g;    /* CONV, pools (N set per call) */
    int has_bias;
    size_t w_off, b_off; /* CONV, FC weights and bias; BN gamma, beta */
    size_t nw, nb;
    size_t s_off;        /* BN: running mean at s_off, running var at s_off + C */
    float *mean, *var;   /* BN: batch statistics of the last training pass (C each) */
    int fan_in;          /* for the initialisation */
    void *be;            /* backend data of this op */
} cor_nn_op;

/* The oneDNN backend (nn_dnnl.c); absent without HAVE_DNNL. */
typedef struct cor_nn_dnnl cor_nn_dnnl;

struct cor_nn_model
{
    char *name;
    int in_c, in_h, in_w, nclass, batch_max;
    cor_nn_tensor *t;
    int nt, cap_t;
    cor_nn_op *op;
    int nop, cap_op;
    size_t nparams, nstate;
    float *params, *grads, *state;
    float *dlogits;  /* N x nclass */
    float **slots;   /* gradient slots, nslots buffers of slot_floats floats */
    int nslots;
    size_t slot_floats;
    int nthreads;
    int deterministic;
    int use_ref;     /* 1: reference kernels even when oneDNN is available */
    cor_nn_dnnl *dnnl;
    float *bn_stats; /* storage of every BN op's mean and var */
    int input_tensor, logits_tensor;
};

/* Tensor and op builders (nn_model.c). */
int cor_nn_tensor_new_internal(cor_nn_model *m, int c, int h, int w, int alias_of);

#ifdef HAVE_DNNL
/* Builds the oneDNN primitives for batch size n (frees the previous ones). COR_EUNSUP if a
 * primitive is not available, COR_ENOMEM. */
int cor_nn_dnnl_setup_internal(cor_nn_model *m, int n);
void cor_nn_dnnl_free_internal(cor_nn_model *m);
/* Before a pass on n images: rebuilds the primitives if n or the model's thread count
 * changed, reorders the weights. */
int cor_nn_dnnl_prepare_internal(cor_nn_model *m, int n, int train);
/* Forward of one op (not RELU) and backward of one op (not RELU, not ADD's bookkeeping). */
void cor_nn_dnnl_fwd_internal(cor_nn_model *m, cor_nn_op *o, int n, int train);
void cor_nn_dnnl_bwd_internal(cor_nn_model *m, cor_nn_op *o, int n, float *dout, float *din);
/* Writes the gradient of a residual addition's second input, d2 = dout reordered to that
 * input's layout, and returns 1; returns 0 (nothing done) when the layouts agree. */
int cor_nn_dnnl_add_bwd2_internal(cor_nn_model *m, cor_nn_op *o, float *dout, float *d2);
/* For the tests: how many of the model's oneDNN primitives (as built for the last batch size;
 * only those of convolutions when conv_only) run on one of oneDNN's reference loops (an
 * implementation named "ref..."); -1 when the model has no oneDNN primitives. */
int cor_nn_dnnl_count_ref_internal(const cor_nn_model *m, int conv_only);
/* 1 when oneDNN runs with AVX-512 (avx512_core) kernels on this CPU, the ISA the layout
 * choices of nn_dnnl.c are checked on. */
int cor_nn_dnnl_avx512_internal(void);
#endif

/* forward_backward with batch-norm mode (train) and gradients (want_grad) chosen apart;
 * want_grad requires train. */
int cor_nn_model_run_internal(cor_nn_model *m, double *loss, int *ncorrect, const float *x,
                              const int32_t *y, int n, int train, int want_grad);

/* Running statistics update after a training pass (momentum 0.1, unbiased variance). */
void cor_nn_bn_update_running_internal(cor_nn_model *m, const cor_nn_op *o, int count);

#endif
