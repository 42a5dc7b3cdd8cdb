/* cor_data.h -- image classification data sets in their published formats, augmentation,
 * a counter-based random number generator, and a batch loader thread for the trainer.
 *
 * Data sets (cor_dataset): N labelled images, each C x H x W unsigned bytes (CHW order),
 * labels in [0, nclass).
 *   IDX        (MNIST, Fashion-MNIST): an image file (magic 0x00000803, dimensions N, H, W,
 *              big-endian) and a label file (magic 0x00000801, dimension N); either may be
 *              gzip-compressed (.gz), read through zlib when the library was built with it.
 *              Loaded into memory.
 *   CIFAR-10   binary batches: records of 1 label byte (0..9) then 3072 pixel bytes (1024
 *              red, 1024 green, 1024 blue, rows of 32). Loaded into memory.
 *   ImageNet   a folder of class folders of JPEG files (the ImageFolder layout). Classes are
 *              the folder names in strcmp order, files in strcmp order inside each class.
 *              Only the file list is kept; images are decoded on demand with libjpeg at
 *              their own size (3 channels), with DCT scaling when a minimum shorter side is
 *              given.
 * Malformed input is an error naming the file and the byte offset where the problem was
 * found (in a .gz file: the offset in the decompressed stream), recorded with COR_ERROR
 * (COR_EIO for a file that cannot be read, COR_EPARSE for malformed or truncated content).
 *
 * Augmentation (cor_data_aug, cor_data_augment): from a source image to a float C x OH x OW
 * tensor: optional resize of the shorter side (bilinear), a crop (random offset, with zero
 * padding, or central), a random horizontal flip, and per-channel normalisation
 * (pixel/255 - mean[c]) / std[c]. Random choices come from a 64-bit key, so a sample's
 * augmentation is a pure function of (seed, epoch, sample index).
 *
 * Random numbers: splitmix64 in counter mode. Output ctr of the stream with key k is
 * mix64(k + (ctr + 1) * 0x9e3779b97f4a7c15), mix64 Stafford's "variant 13" finaliser that
 * splitmix64 uses; so a stream started at key k produces exactly the splitmix64 sequence of
 * state k. Its whole state is two words (key, counter), saved in checkpoints. Sub-streams
 * get keys cor_data_key(parent, tag) (documented in doc/train.md).
 *
 * Loader (cor_data_loader): epoch e visits the samples in the order of a permutation drawn
 * from the key cor_data_key(cor_data_key(seed, COR_DATA_STREAM_SHUFFLE), e) (or in storage
 * order without shuffling), cut into batches of B; sample j of epoch e is augmented with key
 * cor_data_key(cor_data_key(cor_data_key(seed, COR_DATA_STREAM_AUG), e), j). Batch (e, b) is
 * therefore a pure function of the data, the options, the seed, e and b, whatever the
 * thread timing, and a run resumes exactly from (epoch, batch) alone. A worker thread
 * (pthreads) prepares the next batch while the caller trains on the current one.
 *
 * Conventions (STYLE.md): status codes, constructors return NULL and record the error, the
 * library never prints. Thread safety: a dataset may be read by several threads at once
 * (cor_data_fetch is reentrant); a loader is used by one caller thread.
 */
#ifndef COR_DATA_H
#define COR_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "cor_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- random numbers ----------------------------------------------------------------------- */

/* A counter-based stream: output number ctr of key. */
typedef struct
{
    uint64_t key;
    uint64_t ctr;
} cor_data_rng;

/* Stafford's variant 13 mixing function (the splitmix64 output function). */
uint64_t cor_data_mix64(uint64_t z);
/* Output ctr (from 0) of the stream key: mix64(key + (ctr + 1) * 0x9e3779b97f4a7c15). */
uint64_t cor_data_rng_at(uint64_t key, uint64_t ctr);
/* The key of sub-stream tag of parent: mix64(parent ^ mix64(tag + 0xd1b54a32d192ed03)). */
uint64_t cor_data_key(uint64_t parent, uint64_t tag);
/* A stream at counter 0. */
void cor_data_rng_init(cor_data_rng *r, uint64_t key);
/* The next output (then ctr += 1). */
uint64_t cor_data_rng_next(cor_data_rng *r);
/* A uniform integer in [0, n), n >= 1, without bias (Lemire's multiply-shift with
 * rejection); n == 0 returns 0. */
uint64_t cor_data_rng_below(cor_data_rng *r, uint64_t n);
/* perm[0..n) = a uniformly random permutation of 0..n-1 (Fisher-Yates from the stream key,
 * drawing j in [0, i] for i = n-1 down to 1). Does not allocate. */
void cor_data_permutation(size_t *perm, size_t n, uint64_t key);

/* Sub-stream tags used by the loader. */
enum
{
    COR_DATA_STREAM_SHUFFLE = 1,
    COR_DATA_STREAM_AUG = 2
};

/* ---- data sets ---------------------------------------------------------------------------- */

typedef struct cor_dataset cor_dataset;

/* An image buffer that grows as needed (caller-owned; start it zeroed, release with
 * cor_data_image_release). pix holds c*h*w bytes, CHW. */
typedef struct
{
    uint8_t *pix;
    int c, h, w;
    size_t cap;
} cor_data_image;

/* Frees img->pix and zeroes img. */
void cor_data_image_release(cor_data_image *img);

/* An IDX pair: images (ubyte, 3 dimensions N x H x W) and labels (ubyte, 1 dimension N).
 * Paths ending in ".gz" are gunzipped (COR_EUNSUP without zlib). nclass = 1 + the largest
 * label. NULL on error: COR_EIO (cannot open or read; the message names the file),
 * COR_EPARSE (bad magic, type or dimensions; truncated data; data after the end; counts of
 * the two files differ), COR_ENOMEM. Allocates (the whole set is kept in memory). */
cor_dataset *cor_data_idx_load(const char *images, const char *labels);
/* The MNIST file names in dir: train (train != 0) "train-images-idx3-ubyte" and
 * "train-labels-idx1-ubyte", else "t10k-images-idx3-ubyte" and "t10k-labels-idx1-ubyte";
 * each name is tried as given, then with ".gz", then with the dot form "-idx3.ubyte"
 * ("train-images.idx3-ubyte"). Errors as cor_data_idx_load (COR_EIO names the first name
 * tried when none exists). */
cor_dataset *cor_data_idx_load_dir(const char *dir, int train);

/* CIFAR-10 binary batches from nfiles files, concatenated in the order given. nclass = 10.
 * NULL on error: COR_EIO, COR_EPARSE (a size that is not a whole number of 3073-byte records,
 * with the offset of the incomplete record; a label byte > 9, with its offset), COR_ENOMEM. */
cor_dataset *cor_data_cifar10_load_files(size_t nfiles, const char *const *paths);
/* The standard files of dir (or of dir/cifar-10-batches-bin when dir has no
 * data_batch_1.bin): data_batch_1.bin .. data_batch_5.bin (train != 0) or test_batch.bin.
 * Errors as above. */
cor_dataset *cor_data_cifar10_load(const char *dir, int train);

/* An ImageNet-style folder: dir/<class>/<image>.{jpg,jpeg,JPG,JPEG,...}. Files that are not
 * JPEG by name are ignored; a class folder without images is an error (COR_EPARSE).
 * min_side > 0: images are decoded at the smallest libjpeg DCT scale (1/8 .. 8/8) whose
 * shorter side is still >= min_side (a cheaper decode before a resize to min_side).
 * NULL on error: COR_EIO (dir unreadable), COR_EPARSE (no class folders, empty class),
 * COR_ENOMEM. Allocates the file list; decoding happens in cor_data_fetch. */
cor_dataset *cor_data_imagenet_open(const char *dir, int min_side);

/* Frees ds. NULL is a no-op. */
void cor_data_free(cor_dataset *ds);

/* Number of samples. */
size_t cor_data_count(const cor_dataset *ds);
/* Number of classes. */
int cor_data_nclass(const cor_dataset *ds);
/* The fixed image shape in *c, *h, *w; returns 1, or 0 (shape set to 0) when images differ
 * in size (ImageNet: channels 3, h = w = 0). */
int cor_data_shape(const cor_dataset *ds, int *c, int *h, int *w);
/* "idx", "cifar10" or "imagenet". */
const char *cor_dataset_format(const cor_dataset *ds);
/* Name of class k (an ImageNet folder name; the decimal number for the others; static or
 * ds-owned storage), NULL out of range. */
const char *cor_data_class_name(const cor_dataset *ds, int k);
/* The label of sample i (no decoding), or -1 for i out of range. */
int32_t cor_data_label(const cor_dataset *ds, size_t i);

/* A new data set holding samples idx[0..n) of ds, in that order (indices may repeat), with
 * ds's format, shape, classes and class names. In-memory sets copy the pixels; ImageNet
 * folders copy the file paths (decoding stays lazy). NULL on error: COR_EINVAL (NULL ds, an
 * index out of range, n = 0), COR_ENOMEM. ds may be freed afterwards. */
cor_dataset *cor_data_select(const cor_dataset *ds, const size_t *idx, size_t n);

/* Splits ds into a training part and a held-out part of nhold samples chosen uniformly at
 * random by seed (a seeded Fisher-Yates permutation of lib/data's counter-based generator;
 * both parts keep ds's order). Used for validation: a run can pick its settings on
 * *hold without ever looking at the test set. Sets *train and *hold (both NULL on error)
 * and returns COR_OK, COR_EINVAL (nhold = 0 or nhold >= the number of samples), COR_ENOMEM.
 * ds is not modified. */
COR_WARN_UNUSED int cor_data_holdout_split(cor_dataset **train, cor_dataset **hold,
                                           const cor_dataset *ds, size_t nhold, uint64_t seed);

/* Sample i into img (grown as needed) and its label into *label (may be NULL). Reentrant:
 * distinct images may be fetched by several threads at once. Returns COR_OK, COR_EINVAL
 * (i out of range), COR_EIO / COR_EPARSE (an ImageNet file that cannot be read or decoded:
 * the message names the file and, for corrupt data, the byte offset reached), COR_ENOMEM.
 * Allocates only when img must grow (and, for ImageNet, the decoder's buffers). */
COR_WARN_UNUSED int cor_data_fetch(const cor_dataset *ds, size_t i, cor_data_image *img,
                                   int32_t *label);

/* ---- augmentation ------------------------------------------------------------------------- */

/* What cor_data_augment does, in this order. */
typedef struct
{
    int out_h, out_w;  /* output size (the crop); 0 = the source size after resize */
    int resize;        /* > 0: bilinear resize so that the shorter side is resize */
    int pad;           /* zero padding on each side before a random crop */
    int random_crop;   /* 1: crop offset uniform in [-pad, H + pad - out_h]; 0: central */
    int flip;          /* 1: mirror left-right with probability 1/2 */
    float mean[3];     /* per channel, on the [0, 1] scale (the first c entries used) */
    float std[3];      /* per channel, > 0 */
} cor_data_aug;

/* No augmentation: crop = the source, mean 0, std 1 (pixel/255). */
void cor_data_aug_identity(cor_data_aug *aug);

/* out[c*OH*OW] = the augmented, normalised image of img, random choices drawn from key
 * (ignored when nothing is random). Bilinear resize samples at pixel centres (half-pixel
 * convention), clamping at the border; without resize the pixels are copied exactly.
 * Returns COR_OK or COR_EINVAL (bad sizes: a crop larger than the padded image, img with
 * more than 3 channels, std <= 0). Does not allocate. */
COR_WARN_UNUSED int cor_data_augment(float *out, const cor_data_image *img,
                                     const cor_data_aug *aug, uint64_t key);
/* The output shape augment gives for an image of h x w: *oh, *ow. */
void cor_data_aug_out_shape(const cor_data_aug *aug, int h, int w, int *oh, int *ow);

/* ---- the loader -------------------------------------------------------------------------- */

typedef struct cor_data_loader cor_data_loader;

/* Loader flags. */
enum
{
    COR_DATA_SHUFFLE = 1u << 0,   /* a new permutation every epoch */
    COR_DATA_DROP_LAST = 1u << 1, /* no partial last batch */
    COR_DATA_NO_THREAD = 1u << 2  /* prepare batches in the caller's thread (same results) */
};

/* One prepared batch: n images of c x h x w floats (NCHW) and n labels. Valid until the
 * next cor_data_loader_next or the loader's free. */
typedef struct
{
    const float *x;
    const int32_t *y;
    int n;
    int c, h, w;
    uint64_t epoch;  /* the epoch of this batch */
    size_t index;    /* its index in the epoch */
} cor_data_batch;

/* A loader over ds with augmentation aug (copied), batches of batch >= 1 samples, the seed,
 * and flags. The output shape is fixed: ds must have a fixed shape or aug must give one
 * (out_h, out_w set). Starts its worker thread (unless COR_DATA_NO_THREAD) preparing batch 0
 * of epoch 0. ds must outlive the loader. NULL on error (COR_EINVAL, COR_ENOMEM, COR_EIO when
 * the thread cannot start). Allocates two batch buffers. */
cor_data_loader *cor_data_loader_alloc(const cor_dataset *ds, const cor_data_aug *aug,
                                       size_t batch, uint64_t seed, unsigned flags);
/* Stops the worker and frees everything. NULL is a no-op. */
void cor_data_loader_free(cor_data_loader *L);
/* Batches per epoch (>= 1; 0 when drop_last leaves none). */
size_t cor_data_loader_batches(const cor_data_loader *L);
/* The output shape (c, h, w). */
void cor_data_loader_shape(const cor_data_loader *L, int *c, int *h, int *w);
/* Makes batch (epoch, index) the next one cor_data_loader_next returns (index < batches;
 * COR_EINVAL otherwise). Waits for a batch being prepared, then starts the new one. */
COR_WARN_UNUSED int cor_data_loader_seek(cor_data_loader *L, uint64_t epoch, size_t index);
/* The next batch into *b (after the last batch of an epoch comes batch 0 of the next), and
 * starts preparing the one after it. Returns COR_OK, or the error the preparation met
 * (COR_EIO, COR_EPARSE from a bad file, re-recorded in the caller's thread with the
 * worker's message); after an error the loader can be seek'ed and used again. */
COR_WARN_UNUSED int cor_data_loader_next(cor_data_loader *L, cor_data_batch *b);

/* Prepares batch (epoch, index) into x (n*c*h*w floats) and y (n labels) in the caller's
 * thread, as the loader would; *n receives the batch size. For tests and evaluation. Does
 * not allocate beyond img growth. */
COR_WARN_UNUSED int cor_data_loader_make(const cor_data_loader *L, float *x, int32_t *y, int *n,
                                         uint64_t epoch, size_t index);

#ifdef __cplusplus
}
#endif
#endif
