/* loader.c -- batches of augmented samples, prepared by a worker thread one batch ahead.
 *
 * Batch (e, b) holds the samples at positions b*B .. b*B+n-1 of epoch e's order (the
 * permutation of key cor_data_key(shuffle_key, e), or storage order), each augmented with
 * key cor_data_key(cor_data_key(aug_key, e), j) where j is the sample's index in the data
 * set. It is computed by make_batch, a pure function of (loader options, e, b).
 *
 * Threading: two buffers. The caller owns the buffer it was last given; the worker fills the
 * other. State under the mutex: `want` (the batch the worker should prepare next into buffer
 * `fill`), `ready` (1 when buffer `fill` holds batch `want`), `busy` (the worker is
 * preparing). next() waits for ready, swaps roles, and asks for the following batch. Seek
 * waits for the worker to be idle before changing `want`. The worker's errors are copied
 * (code and message) and raised again in the caller's thread by next(). */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cor_sys.h"
#include "data_impl.h"

struct cor_data_loader
{
    const cor_dataset *ds;
    cor_data_aug aug;
    size_t batch, nbatches;
    uint64_t seed, shuffle_key, aug_key;
    unsigned flags;
    int c, h, w;
    size_t sample_floats;

    float *x[2];
    int32_t *y[2];
    int n[2];
    uint64_t epoch[2];
    size_t index[2];
    size_t *perm;            /* the worker's permutation (of perm_epoch) */
    uint64_t perm_epoch;
    int have_perm;
    cor_data_image img;      /* the worker's source image */

    /* shared with the worker */
    pthread_t thread;
    int threaded;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int fill;                /* buffer the worker fills */
    uint64_t want_epoch;
    size_t want_index;
    int pending;             /* a request not yet finished */
    int ready;               /* buffer fill holds (want_epoch, want_index) */
    int quit;
    int err_code;
    char err_msg[512];
};

size_t
cor_data_loader_batches(const cor_data_loader *L)
{
    return L ? L->nbatches : 0;
}

void
cor_data_loader_shape(const cor_data_loader *L, int *c, int *h, int *w)
{
    *c = L ? L->c : 0;
    *h = L ? L->h : 0;
    *w = L ? L->w : 0;
}

/* The sample count of batch index (the last may be partial). */
static int
batch_size(const cor_data_loader *L, size_t index)
{
    size_t N = cor_data_count(L->ds), start = index * L->batch;
    size_t n = N - start < L->batch ? N - start : L->batch;

    return (int)n;
}

/* Builds batch (epoch, index) into x, y with the scratch image img and permutation perm
 * (recomputed when *perm_epoch differs; *have_perm tracks validity). */
static int
make_batch(const cor_data_loader *L, float *x, int32_t *y, int *n, uint64_t epoch,
           size_t index, cor_data_image *img, size_t *perm, uint64_t *perm_epoch,
           int *have_perm)
{
    uint64_t ekey = cor_data_key(L->aug_key, epoch);
    int st;

    if (index >= L->nbatches)
        return COR_ERROR(COR_EINVAL, "batch %zu of an epoch of %zu batches", index,
                         L->nbatches);
    if ((L->flags & COR_DATA_SHUFFLE) && (!*have_perm || *perm_epoch != epoch))
    {
        cor_data_permutation(perm, cor_data_count(L->ds), cor_data_key(L->shuffle_key, epoch));
        *perm_epoch = epoch;
        *have_perm = 1;
    }
    *n = batch_size(L, index);
    for (int k = 0; k < *n; k++)
    {
        size_t pos = index * L->batch + (size_t)k;
        size_t j = (L->flags & COR_DATA_SHUFFLE) ? perm[pos] : pos;
        int oh, ow;

        if ((st = cor_data_fetch(L->ds, j, img, &y[k])) != COR_OK)
            return st;
        cor_data_aug_out_shape(&L->aug, img->h, img->w, &oh, &ow);
        if (img->c != L->c || oh != L->h || ow != L->w)
            return COR_ERROR(COR_EINVAL, "sample %zu gives %d x %d x %d, the loader makes "
                             "%d x %d x %d (set a crop size)", j, img->c, oh, ow, L->c, L->h,
                             L->w);
        if ((st = cor_data_augment(x + (size_t)k * L->sample_floats, img, &L->aug,
                                   cor_data_key(ekey, j))) != COR_OK)
            return st;
    }
    return COR_OK;
}

static void *
worker(void *arg)
{
    cor_data_loader *L = arg;

    pthread_mutex_lock(&L->mu);
    for (;;)
    {
        uint64_t e;
        size_t b;
        int f, st, n = 0;

        while (!L->quit && !L->pending)
            pthread_cond_wait(&L->cv, &L->mu);
        if (L->quit)
            break;
        e = L->want_epoch;
        b = L->want_index;
        f = L->fill;
        pthread_mutex_unlock(&L->mu);

        cor_error_clear();
        st = make_batch(L, L->x[f], L->y[f], &n, e, b, &L->img, L->perm, &L->perm_epoch,
                        &L->have_perm);

        pthread_mutex_lock(&L->mu);
        L->n[f] = n;
        L->epoch[f] = e;
        L->index[f] = b;
        L->err_code = st;
        if (st != COR_OK)
        {
            const cor_error_record *r = cor_last_error();
            snprintf(L->err_msg, sizeof L->err_msg, "%s",
                     r && r->code ? r->msg : cor_strerror(st));
        }
        L->pending = 0;
        L->ready = 1;
        pthread_cond_broadcast(&L->cv);
    }
    pthread_mutex_unlock(&L->mu);
    return NULL;
}

/* Requests batch (e, b) into buffer L->fill (mutex held). */
static void
request(cor_data_loader *L, uint64_t e, size_t b)
{
    L->want_epoch = e;
    L->want_index = b;
    L->ready = 0;
    L->pending = 1;
    pthread_cond_broadcast(&L->cv);
}

cor_data_loader *
cor_data_loader_alloc(const cor_dataset *ds, const cor_data_aug *aug, size_t batch,
                      uint64_t seed, unsigned flags)
{
    cor_data_loader *L;
    size_t N;
    int c, h, w, fixed;

    if (!ds || !aug || batch == 0)
    {
        COR_ERROR(COR_EINVAL, "cor_data_loader_alloc: NULL data set or augmentation, or "
                  "batch 0");
        return NULL;
    }
    N = cor_data_count(ds);
    fixed = cor_data_shape(ds, &c, &h, &w);
    if (fixed)
        cor_data_aug_out_shape(aug, h, w, &h, &w);
    else if (aug->out_h > 0 && aug->out_w > 0)
        h = aug->out_h, w = aug->out_w;
    else
    {
        COR_ERROR(COR_EINVAL, "cor_data_loader_alloc: images of varying size need a crop size");
        return NULL;
    }
    if (!(L = cor_calloc(1, sizeof *L)))
        return NULL;
    L->ds = ds;
    L->aug = *aug;
    L->batch = batch;
    L->flags = flags;
    L->seed = seed;
    L->shuffle_key = cor_data_key(seed, COR_DATA_STREAM_SHUFFLE);
    L->aug_key = cor_data_key(seed, COR_DATA_STREAM_AUG);
    L->c = c;
    L->h = h;
    L->w = w;
    L->sample_floats = (size_t)c * (size_t)h * (size_t)w;
    L->nbatches = (flags & COR_DATA_DROP_LAST) ? N / batch : (N + batch - 1) / batch;
    for (int i = 0; i < 2; i++)
        if (!(L->x[i] = cor_mallocarray(batch * L->sample_floats, sizeof(float)))
            || !(L->y[i] = cor_mallocarray(batch, sizeof(int32_t))))
            goto fail;
    if (!(L->perm = cor_mallocarray(N ? N : 1, sizeof *L->perm)))
        goto fail;
    if (pthread_mutex_init(&L->mu, NULL) != 0)
        goto fail;
    if (pthread_cond_init(&L->cv, NULL) != 0)
    {
        pthread_mutex_destroy(&L->mu);
        goto fail;
    }
    L->fill = 0;
    L->pending = 0;
    L->ready = 0;
    if (!(flags & COR_DATA_NO_THREAD))
    {
        if (pthread_create(&L->thread, NULL, worker, L) != 0)
        {
            pthread_cond_destroy(&L->cv);
            pthread_mutex_destroy(&L->mu);
            COR_ERROR(COR_EIO, "cor_data_loader_alloc: cannot start the loader thread");
            goto fail;
        }
        L->threaded = 1;
    }
    if (L->nbatches > 0 && cor_data_loader_seek(L, 0, 0) != COR_OK)
    {
        cor_data_loader_free(L);
        return NULL;
    }
    return L;

fail:
    for (int i = 0; i < 2; i++)
    {
        cor_free(L->x[i]);
        cor_free(L->y[i]);
    }
    cor_free(L->perm);
    cor_free(L);
    return NULL;
}

void
cor_data_loader_free(cor_data_loader *L)
{
    if (!L)
        return;
    if (L->threaded)
    {
        pthread_mutex_lock(&L->mu);
        L->quit = 1;
        pthread_cond_broadcast(&L->cv);
        pthread_mutex_unlock(&L->mu);
        pthread_join(L->thread, NULL);
    }
    pthread_cond_destroy(&L->cv);
    pthread_mutex_destroy(&L->mu);
    for (int i = 0; i < 2; i++)
    {
        cor_free(L->x[i]);
        cor_free(L->y[i]);
    }
    cor_free(L->perm);
    cor_data_image_release(&L->img);
    cor_free(L);
}

int
cor_data_loader_seek(cor_data_loader *L, uint64_t epoch, size_t index)
{
    if (!L)
        return COR_ERROR(COR_EINVAL, "cor_data_loader_seek: NULL loader");
    if (index >= L->nbatches)
        return COR_ERROR(COR_EINVAL, "cor_data_loader_seek: batch %zu of an epoch of %zu",
                         index, L->nbatches);
    pthread_mutex_lock(&L->mu);
    while (L->threaded && L->pending) /* without a thread a pending request is just replaced */
        pthread_cond_wait(&L->cv, &L->mu);
    request(L, epoch, index);
    pthread_mutex_unlock(&L->mu);
    return COR_OK;
}

int
cor_data_loader_next(cor_data_loader *L, cor_data_batch *b)
{
    int f, st;
    uint64_t e;
    size_t i;

    if (!L || !b)
        return COR_ERROR(COR_EINVAL, "cor_data_loader_next: NULL argument");
    if (L->nbatches == 0)
        return COR_ERROR(COR_EINVAL, "cor_data_loader_next: no batches (data set smaller "
                         "than one batch)");
    pthread_mutex_lock(&L->mu);
    if (!L->threaded && L->pending)
    {
        /* no thread: prepare the requested batch now */
        int n = 0;

        pthread_mutex_unlock(&L->mu);
        st = make_batch(L, L->x[L->fill], L->y[L->fill], &n, L->want_epoch, L->want_index,
                        &L->img, L->perm, &L->perm_epoch, &L->have_perm);
        pthread_mutex_lock(&L->mu);
        L->n[L->fill] = n;
        L->epoch[L->fill] = L->want_epoch;
        L->index[L->fill] = L->want_index;
        L->err_code = st;
        L->err_msg[0] = '\0';
        L->pending = 0;
        L->ready = 1;
    }
    while (!L->ready)
        pthread_cond_wait(&L->cv, &L->mu);
    f = L->fill;
    st = L->err_code;
    e = L->epoch[f];
    i = L->index[f];
    if (st != COR_OK)
    {
        char msg[sizeof L->err_msg];

        memcpy(msg, L->err_msg, sizeof msg);
        /* prepare the same batch again next time (after a seek by the caller, or a retry) */
        L->ready = 0;
        request(L, e, i);
        pthread_mutex_unlock(&L->mu);
        if (!L->threaded)
            return st; /* recorded in this thread already */
        return COR_ERROR(st, "%s", msg);
    }
    b->x = L->x[f];
    b->y = L->y[f];
    b->n = L->n[f];
    b->c = L->c;
    b->h = L->h;
    b->w = L->w;
    b->epoch = e;
    b->index = i;
    /* the worker now fills the other buffer with the following batch */
    L->fill = 1 - f;
    if (i + 1 < L->nbatches)
        request(L, e, i + 1);
    else
        request(L, e + 1, 0);
    pthread_mutex_unlock(&L->mu);
    return COR_OK;
}

int
cor_data_loader_make(const cor_data_loader *L, float *x, int32_t *y, int *n, uint64_t epoch,
                     size_t index)
{
    cor_data_image img = {0};
    size_t *perm;
    uint64_t pe = 0;
    int have = 0, st;

    if (!L || !x || !y || !n)
        return COR_ERROR(COR_EINVAL, "cor_data_loader_make: NULL argument");
    if (!(perm = cor_mallocarray(cor_data_count(L->ds) ? cor_data_count(L->ds) : 1,
                                 sizeof *perm)))
        return COR_ENOMEM;
    st = make_batch(L, x, y, n, epoch, index, &img, perm, &pe, &have);
    cor_free(perm);
    cor_data_image_release(&img);
    return st;
}
