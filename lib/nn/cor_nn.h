/* cor_nn.h -- float32 neural networks: layers, models, the training objective.
 *
 * A model is a fixed graph of layers (convolution, batch normalisation, ReLU, max/average
 * pooling, global average pooling, fully connected, residual addition, softmax
 * cross-entropy) built from a name ("mlp:784-256-10", "vgg11", "resnet18-cifar", ...).
 * Following llm.c, its parameters live in one contiguous float buffer and its gradients in
 * another with the same layout; layers hold offsets into them and are pure forward/backward
 * pairs. Non-trained state (batch-norm running mean and variance) lives in a third buffer.
 *
 * The model never updates its parameters: training loops use the steppers of lib/step on
 * an f32 vector space wrapping the parameter buffer (cor_nn_objective_alloc).
 *
 * Kernels: oneDNN (when configured with it) or the plain reference loops of lib/nn; the
 * reference kernels stay for the tests. OpenMP across the cores.
 *
 * Conventions (STYLE.md): status codes (COR_OK, errors recorded with COR_ERROR),
 * constructors return NULL on error. The forward/backward pass allocates nothing: every
 * activation buffer is sized for batch_max at alloc time.
 */
#ifndef COR_NN_H
#define COR_NN_H

#include <stddef.h>
#include <stdint.h>

#include "cor_err.h"
#include "cor_objective.h"
#include "cor_vspace.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cor_nn_model cor_nn_model;

/* A model by name, for inputs of in_c channels and in_h x in_w pixels (NCHW), nclass
 * classes, and batches of at most batch_max images. Names:
 *   "mlp:A-B-...-Z"      fully connected with ReLU between layers; A must equal
 *                        in_c*in_h*in_w and Z must equal nclass (e.g. "mlp:784-256-10");
 *   "cnn-small"          conv3x3(16)-BN-ReLU-maxpool-conv3x3(32)-BN-ReLU-GAP-fc;
 *   "cnn-medium"         conv3x3(16)-BN-ReLU-maxpool-conv3x3(32)-BN-ReLU-maxpool-fc(128)-
 *                        ReLU-fc (the classifier sees the spatial layout: no GAP);
 *   "vgg11", "vgg16"     VGG with batch norm, CIFAR shape (3x3 convs, 2x2 max-pools, one fc);
 *   "vgg-small"          a narrow 4-conv VGG for 28x28 or 32x32 inputs;
 *   "resnet18-cifar"     ResNet-18, 3x3 stem, no max-pool;
 *   "resnet18-imagenet"  ResNet-18, 7x7/2 stem and 3x3/2 max-pool;
 *   "resnet50"           ResNet-50 with bottleneck blocks, ImageNet shape;
 *   "resnet-small"       ResNet with one basic block per stage and widths 8,16,32,64.
 * Returns NULL with COR_EINVAL (unknown name, bad sizes, input too small for the network)
 * or COR_ENOMEM. Allocates every buffer (parameters, gradients, state, activations). The
 * parameters are zero until cor_nn_model_init. */
cor_nn_model *cor_nn_model_alloc(const char *name, int in_c, int in_h, int in_w, int nclass,
                                 int batch_max);
/* Frees m and everything it owns. NULL is a no-op. */
void cor_nn_model_free(cor_nn_model *m);

/* Number of trained parameters (floats). */
size_t cor_nn_model_nparams(const cor_nn_model *m);
/* The contiguous parameter buffer (nparams floats), owned by m; writes are allowed. */
float *cor_nn_model_params(cor_nn_model *m);
/* The contiguous gradient buffer (nparams floats, same layout as the parameters). */
float *cor_nn_model_grads(cor_nn_model *m);
/* Number of floats of non-trained state (batch-norm running means and variances). */
size_t cor_nn_model_nstate(const cor_nn_model *m);
/* The state buffer (nstate floats), owned by m; writes are allowed (checkpoints). */
float *cor_nn_model_state(cor_nn_model *m);

/* Deterministic initialisation from seed: convolution and fully connected weights
 * He/Kaiming normal (std sqrt(2/fan_in)), their biases zero, batch-norm scale 1 and shift 0,
 * running mean 0 and running variance 1. Returns COR_OK or COR_EINVAL (NULL). */
COR_WARN_UNUSED int cor_nn_model_init(cor_nn_model *m, uint64_t seed);

/* One pass over the n images x (NCHW floats, n <= batch_max) with labels y[0..n) in
 * [0, nclass). train != 0: batch-statistics batch norm, running statistics updated
 * (momentum 0.1, unbiased variance, as PyTorch), gradients of the mean loss written to the
 * gradient buffer (overwritten, not accumulated). train == 0: inference batch norm (running
 * statistics), no gradients, state unchanged. *loss = mean softmax cross-entropy (may be NULL),
 * *ncorrect = number of argmax hits (may be NULL). Returns COR_OK, COR_NONFINITE (the loss is
 * NaN or infinite; outputs still written), COR_EINVAL (NULL, n out of range, label out of
 * range). Allocates nothing. */
COR_WARN_UNUSED int cor_nn_model_forward_backward(cor_nn_model *m, double *loss, int *ncorrect,
                                                  const float *x, const int32_t *y, int n,
                                                  int train);

/* Number of OpenMP threads the kernels use (>= 1). Returns COR_OK or COR_EINVAL. */
COR_WARN_UNUSED int cor_nn_model_set_threads(cor_nn_model *m, int nthreads);
/* on != 0: bitwise reproducible runs (same inputs, same thread count, same results); may be
 * slower. Returns COR_OK or COR_EINVAL. */
COR_WARN_UNUSED int cor_nn_model_set_deterministic(cor_nn_model *m, int on);

/* Floating-point operations of one forward pass per image (2 per multiply-add of the
 * convolutions and fully connected layers; the rest is not counted). A training step costs
 * about three times this per image. */
double cor_nn_model_flops(const cor_nn_model *m);

/* The name of the kernel backend the model runs on: "onednn" or "reference". */
const char *cor_nn_model_backend(const cor_nn_model *m);

/* on != 0: run the plain reference kernels even when oneDNN is available (for tests and
 * comparisons); on == 0: oneDNN (COR_EUNSUP when the model has no oneDNN backend). The
 * environment variable COR_NN_REFERENCE, when set at alloc time, keeps a model on the
 * reference kernels. Returns COR_OK, COR_EINVAL or COR_EUNSUP. */
COR_WARN_UNUSED int cor_nn_model_set_reference(cor_nn_model *m, int on);

/* ---- the model as an objective --------------------------------------------------------- */

/* The model as a cor_objective on a float32 vector space of dimension nparams, evaluated on
 * the batch set by cor_nn_objective_set_batch (train-mode batch norm; running statistics are
 * updated by each value/grad evaluation). Loss = mean cross-entropy + (weight_decay/2)
 * |theta|^2 (weight_decay >= 0). The vector x passed to the evaluation functions is copied
 * into the model's parameter buffer first (a no-op when x wraps that buffer). Capabilities:
 * value, grad, value_grad, hvp, hg. hvp and hg use a central difference of gradients,
 * H v ~ (g(x + e v) - g(x - e v)) / (2 e) with e = sqrt(eps_f32) * (1 + |x|) / |v| (the
 * choice and its error are documented in doc/nn.md). The objective owns its space: use
 * cor_nn_objective_space to make vectors for it. m must outlive the objective. Returns NULL
 * with COR_EINVAL or COR_ENOMEM. */
cor_objective *cor_nn_objective_alloc(cor_nn_model *m, double weight_decay);
/* Sets the batch (n images x, labels y; the arrays are not copied and must stay valid while
 * the objective is evaluated). Returns COR_OK or COR_EINVAL (not an nn objective, n out of
 * range). */
COR_WARN_UNUSED int cor_nn_objective_set_batch(cor_objective *obj, const float *x,
                                               const int32_t *y, int n);
/* The f32 space of the objective (same as obj->V). */
const cor_vspace *cor_nn_objective_space(const cor_objective *obj);
/* The training accuracy that comes free with the loss: *ncorrect = the number of images of
 * the current batch whose largest logit is at their label, in the forward pass of the last
 * evaluation on this batch that returned the loss (value, or value_grad with a loss
 * output: the point where a stepper reports its loss; train-mode batch norm, as the loss).
 * Gradient-only evaluations, hvp and hg do not change it. *n (may be NULL) = the batch
 * size. Returns COR_OK, or COR_EINVAL (not an nn objective, NULL ncorrect, or no loss
 * evaluated since the last cor_nn_objective_set_batch). */
COR_WARN_UNUSED int cor_nn_objective_last_ncorrect(int *ncorrect, int *n,
                                                   const cor_objective *obj);

#ifdef __cplusplus
}
#endif
#endif
