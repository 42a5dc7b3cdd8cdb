/* dataset.c -- the dataset object, IDX (MNIST, Fashion-MNIST) and CIFAR-10 binary readers.
 *
 * IDX (LeCun's format): bytes 0-1 zero, byte 2 the element type (0x08: unsigned byte, the
 * only one image sets use), byte 3 the number of dimensions d, then d big-endian 32-bit
 * sizes, then the elements in row-major order. A file is read as a stream (through zlib's
 * gzread when built with zlib, which also reads uncompressed files unchanged), so offsets in
 * messages are offsets in the decompressed stream.
 * CIFAR-10: a file is a sequence of 3073-byte records <label byte><3072 pixel bytes>. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#include "cor_sys.h"
#include "data_impl.h"

static int
cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return (x > y) - (x < y);
}

/* ---- the object -------------------------------------------------------------------------- */

cor_dataset *
cor_data_alloc_internal(int kind, const char *format)
{
    cor_dataset *ds = cor_calloc(1, sizeof *ds);

    if (!ds)
        return NULL;
    ds->kind = kind;
    ds->format = format;
    return ds;
}

int
cor_data_number_classes_internal(cor_dataset *ds)
{
    ds->class_names = cor_calloc((size_t)ds->nclass, sizeof *ds->class_names);
    if (!ds->class_names)
        return COR_ENOMEM;
    for (int k = 0; k < ds->nclass; k++)
    {
        char buf[16];

        snprintf(buf, sizeof buf, "%d", k);
        if (!(ds->class_names[k] = cor_strdup(buf)))
            return COR_ENOMEM;
    }
    return COR_OK;
}

void
cor_data_free(cor_dataset *ds)
{
    if (!ds)
        return;
    if (ds->class_names)
        for (int k = 0; k < ds->nclass; k++)
            cor_free(ds->class_names[k]);
    if (ds->files)
        for (size_t i = 0; i < ds->n; i++)
            cor_free(ds->files[i]);
    cor_free(ds->class_names);
    cor_free(ds->files);
    cor_free(ds->labels);
    cor_free(ds->pix);
    cor_free(ds);
}

size_t
cor_data_count(const cor_dataset *ds)
{
    return ds ? ds->n : 0;
}

int
cor_data_nclass(const cor_dataset *ds)
{
    return ds ? ds->nclass : 0;
}

int
cor_data_shape(const cor_dataset *ds, int *c, int *h, int *w)
{
    int fixed = ds && ds->kind == DATA_MEM;

    if (c)
        *c = ds ? ds->c : 0;
    if (h)
        *h = fixed ? ds->h : 0;
    if (w)
        *w = fixed ? ds->w : 0;
    return fixed;
}

const char *
cor_dataset_format(const cor_dataset *ds)
{
    return ds ? ds->format : NULL;
}

const char *
cor_data_class_name(const cor_dataset *ds, int k)
{
    if (!ds || k < 0 || k >= ds->nclass || !ds->class_names)
        return NULL;
    return ds->class_names[k];
}

int32_t
cor_data_label(const cor_dataset *ds, size_t i)
{
    if (!ds || i >= ds->n)
        return -1;
    return ds->labels[i];
}

void
cor_data_image_release(cor_data_image *img)
{
    if (!img)
        return;
    cor_free(img->pix);
    memset(img, 0, sizeof *img);
}

int
cor_data_image_reserve_internal(cor_data_image *img, int c, int h, int w)
{
    size_t need = (size_t)c * (size_t)h * (size_t)w;

    if (need > img->cap)
    {
        uint8_t *p = cor_realloc(img->pix, need);

        if (!p)
            return COR_ERROR(COR_ENOMEM, "image of %d x %d x %d bytes: out of memory", c, h, w);
        img->pix = p;
        img->cap = need;
    }
    img->c = c;
    img->h = h;
    img->w = w;
    return COR_OK;
}

int
cor_data_fetch(const cor_dataset *ds, size_t i, cor_data_image *img, int32_t *label)
{
    int st;

    if (!ds || !img)
        return COR_ERROR(COR_EINVAL, "cor_data_fetch: NULL argument");
    if (i >= ds->n)
        return COR_ERROR(COR_EINVAL, "cor_data_fetch: sample %zu of %zu", i, ds->n);
    if (ds->kind == DATA_MEM)
    {
        size_t sz = (size_t)ds->c * (size_t)ds->h * (size_t)ds->w;

        if ((st = cor_data_image_reserve_internal(img, ds->c, ds->h, ds->w)) != COR_OK)
            return st;
        memcpy(img->pix, ds->pix + i * sz, sz);
    }
    else if ((st = cor_data_jpeg_decode_internal(img, ds->files[i], ds->min_side)) != COR_OK)
        return st;
    if (label)
        *label = ds->labels[i];
    return COR_OK;
}

/* ---- subsets ------------------------------------------------------------------------------- */

cor_dataset *
cor_data_select(const cor_dataset *ds, const size_t *idx, size_t n)
{
    cor_dataset *out;
    size_t sz;

    if (!ds || !idx || n == 0)
    {
        COR_ERROR(COR_EINVAL, "cor_data_select: %s", !ds || !idx ? "NULL argument" : "no samples");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (idx[i] >= ds->n)
        {
            COR_ERROR(COR_EINVAL, "cor_data_select: sample %zu of %zu", idx[i], ds->n);
            return NULL;
        }
    if (!(out = cor_data_alloc_internal(ds->kind, ds->format)))
        goto nomem;
    out->c = ds->c;
    out->h = ds->h;
    out->w = ds->w;
    out->min_side = ds->min_side;
    out->nclass = ds->nclass;
    if (!(out->labels = cor_mallocarray(n, sizeof *out->labels)))
        goto nomem;
    for (size_t i = 0; i < n; i++)
        out->labels[i] = ds->labels[idx[i]];
    if (ds->class_names)
    {
        if (!(out->class_names = cor_calloc((size_t)ds->nclass, sizeof *out->class_names)))
            goto nomem;
        for (int k = 0; k < ds->nclass; k++)
            if (!(out->class_names[k] = cor_strdup(ds->class_names[k])))
                goto nomem;
    }
    if (ds->kind == DATA_MEM)
    {
        sz = (size_t)ds->c * (size_t)ds->h * (size_t)ds->w;
        if (!(out->pix = cor_mallocarray(n, sz)))
            goto nomem;
        for (size_t i = 0; i < n; i++)
            memcpy(out->pix + i * sz, ds->pix + idx[i] * sz, sz);
        out->n = n;
    }
    else
    {
        if (!(out->files = cor_calloc(n, sizeof *out->files)))
            goto nomem;
        out->n = n; /* cor_data_free frees the paths copied so far */
        for (size_t i = 0; i < n; i++)
            if (!(out->files[i] = cor_strdup(ds->files[idx[i]])))
                goto nomem;
    }
    return out;
nomem:
    cor_data_free(out);
    COR_ERROR(COR_ENOMEM, "cor_data_select: out of memory for %zu samples", n);
    return NULL;
}

int
cor_data_holdout_split(cor_dataset **train, cor_dataset **hold, const cor_dataset *ds,
                       size_t nhold, uint64_t seed)
{
    size_t n = cor_data_count(ds), *perm;
    int st = COR_OK;

    *train = *hold = NULL;
    if (!ds || nhold == 0 || nhold >= n)
        return COR_ERROR(COR_EINVAL, "cor_data_holdout_split: %zu held out of %zu samples",
                         nhold, n);
    if (!(perm = cor_mallocarray(n, sizeof *perm)))
        return COR_ERROR(COR_ENOMEM, "cor_data_holdout_split: out of memory");
    cor_data_permutation(perm, n, seed);
    /* each part in the original order: sort the two index ranges */
    qsort(perm, nhold, sizeof *perm, cmp_size);
    qsort(perm + nhold, n - nhold, sizeof *perm, cmp_size);
    if (!(*hold = cor_data_select(ds, perm, nhold))
        || !(*train = cor_data_select(ds, perm + nhold, n - nhold)))
    {
        st = cor_last_error()->code;
        cor_data_free(*hold);
        *hold = NULL;
    }
    cor_free(perm);
    return st;
}

/* ---- a byte stream with an offset, plain or gzip ------------------------------------------ */

typedef struct
{
    const char *path;
#ifdef HAVE_ZLIB
    gzFile gz;
#else
    FILE *f;
#endif
    size_t off;    /* bytes delivered so far */
} stream;

static int
stream_open(stream *s, const char *path)
{
    memset(s, 0, sizeof *s);
    s->path = path;
#ifdef HAVE_ZLIB
    s->gz = gzopen(path, "rb");
    if (!s->gz)
        return COR_ERROR(COR_EIO, "%s: cannot open: %s", path,
                         errno ? strerror(errno) : "out of memory");
    gzbuffer(s->gz, 1u << 17);
#else
    {
        unsigned char magic[2];

        s->f = fopen(path, "rb");
        if (!s->f)
            return COR_ERROR(COR_EIO, "%s: cannot open: %s", path, strerror(errno));
        if (fread(magic, 1, 2, s->f) == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            fclose(s->f);
            s->f = NULL;
            return COR_ERROR(COR_EUNSUP, "%s: gzip-compressed, but corridor was built without "
                             "zlib (gunzip it first)", path);
        }
        rewind(s->f);
    }
#endif
    return COR_OK;
}

static void
stream_close(stream *s)
{
#ifdef HAVE_ZLIB
    if (s->gz)
        gzclose(s->gz);
    s->gz = NULL;
#else
    if (s->f)
        fclose(s->f);
    s->f = NULL;
#endif
}

/* Reads up to n bytes; *got receives the count (short only at the end of the data).
 * COR_EIO / COR_EPARSE on a read or decompression error, naming the offset. */
static int
stream_read(stream *s, void *buf, size_t n, size_t *got)
{
    size_t done = 0;

    while (done < n)
    {
#ifdef HAVE_ZLIB
        unsigned chunk = n - done > (1u << 30) ? (1u << 30) : (unsigned)(n - done);
        int r = gzread(s->gz, (char *)buf + done, chunk);

        if (r < 0)
        {
            int zerr;
            const char *msg = gzerror(s->gz, &zerr);

            return COR_ERROR(zerr == Z_ERRNO ? COR_EIO : COR_EPARSE,
                             "%s: corrupt compressed data near (uncompressed) byte offset %zu: %s",
                             s->path, s->off + done, zerr == Z_ERRNO ? strerror(errno) : msg);
        }
        if (r == 0)
        {
            int zerr;
            const char *msg = gzerror(s->gz, &zerr);

            if (zerr != Z_OK && zerr != Z_STREAM_END && zerr != Z_BUF_ERROR)
                return COR_ERROR(COR_EPARSE, "%s: corrupt compressed data at (uncompressed) "
                                 "byte offset %zu: %s", s->path, s->off + done, msg);
            break;
        }
        done += (size_t)r;
#else
        size_t r = fread((char *)buf + done, 1, n - done, s->f);

        done += r;
        if (r == 0)
        {
            if (ferror(s->f))
                return COR_ERROR(COR_EIO, "%s: read error at byte offset %zu: %s", s->path,
                                 s->off + done, strerror(errno));
            break;
        }
#endif
    }
    s->off += done;
    *got = done;
    return COR_OK;
}

/* Reads exactly n bytes of `what`; a short read is a truncation error naming the offset. */
static int
stream_need(stream *s, void *buf, size_t n, const char *what)
{
    size_t got, start = s->off;
    int st = stream_read(s, buf, n, &got);

    if (st != COR_OK)
        return st;
    if (got < n)
        return COR_ERROR(COR_EPARSE, "%s: truncated at byte offset %zu: %s needs %zu bytes "
                         "from offset %zu", s->path, start + got, what, n, start);
    return COR_OK;
}

/* After the last element: any further byte is an error. */
static int
stream_expect_end(stream *s)
{
    unsigned char extra;
    size_t got;
    int st = stream_read(s, &extra, 1, &got);

    if (st != COR_OK)
        return st;
    if (got)
        return COR_ERROR(COR_EPARSE, "%s: unexpected data at byte offset %zu after the end of "
                         "the data", s->path, s->off - 1);
    return COR_OK;
}

/* ---- IDX ----------------------------------------------------------------------------------- */

/* Reads an IDX header with ndims dimensions into dims; checks the magic. */
static int
idx_header(stream *s, int ndims, size_t *dims, const char *kind)
{
    unsigned char h[4], d[4];
    int st;

    if ((st = stream_need(s, h, 4, "the IDX magic number")) != COR_OK)
        return st;
    if (h[0] != 0 || h[1] != 0)
        return COR_ERROR(COR_EPARSE, "%s: byte offset 0: bad magic number %02x%02x%02x%02x "
                         "(not an IDX file)", s->path, h[0], h[1], h[2], h[3]);
    if (h[2] != 0x08)
        return COR_ERROR(COR_EPARSE, "%s: byte offset 2: element type 0x%02x, expected 0x08 "
                         "(unsigned byte)", s->path, h[2]);
    if (h[3] != ndims)
        return COR_ERROR(COR_EPARSE, "%s: byte offset 3: %d dimensions, expected %d for %s",
                         s->path, h[3], ndims, kind);
    for (int k = 0; k < ndims; k++)
    {
        size_t off = s->off;

        if ((st = stream_need(s, d, 4, "a dimension size")) != COR_OK)
            return st;
        dims[k] = ((size_t)d[0] << 24) | ((size_t)d[1] << 16) | ((size_t)d[2] << 8) | d[3];
        if (dims[k] == 0)
            return COR_ERROR(COR_EPARSE, "%s: byte offset %zu: dimension %d is zero", s->path,
                             off, k + 1);
    }
    return COR_OK;
}

/* Reads count records of rec bytes into dst; a truncation names the record. */
static int
read_records(stream *s, uint8_t *dst, size_t count, size_t rec, const char *what)
{
    size_t start = s->off, got;
    int st = stream_read(s, dst, count * rec, &got);

    if (st != COR_OK)
        return st;
    if (got < count * rec)
        return COR_ERROR(COR_EPARSE, "%s: truncated at byte offset %zu: %s %zu of %zu is "
                         "incomplete (data starts at offset %zu, %zu bytes each)", s->path,
                         start + got, what, got / rec + 1, count, start, rec);
    return stream_expect_end(s);
}

cor_dataset *
cor_data_idx_load(const char *images, const char *labels)
{
    cor_dataset *ds = NULL;
    stream s;
    size_t dims[3], nlab, sz;
    uint8_t *lab = NULL;
    int st, open = 0;

    if (!images || !labels)
    {
        COR_ERROR(COR_EINVAL, "cor_data_idx_load: NULL path");
        return NULL;
    }
    if (!(ds = cor_data_alloc_internal(DATA_MEM, "idx")))
        goto fail;
    if (stream_open(&s, images) != COR_OK)
        goto fail;
    open = 1;
    if (idx_header(&s, 3, dims, "images (N x H x W)") != COR_OK)
        goto fail;
    if (dims[1] > 65536 || dims[2] > 65536 || dims[0] > ((size_t)1 << 40) / (dims[1] * dims[2]))
    {
        COR_ERROR(COR_EPARSE, "%s: dimensions %zu x %zu x %zu are too large", images, dims[0],
                  dims[1], dims[2]);
        goto fail;
    }
    ds->n = dims[0];
    ds->c = 1;
    ds->h = (int)dims[1];
    ds->w = (int)dims[2];
    sz = dims[1] * dims[2];
    if (!(ds->pix = cor_mallocarray(ds->n, sz)))
        goto fail;
    if (read_records(&s, ds->pix, ds->n, sz, "image") != COR_OK)
        goto fail;
    stream_close(&s);
    open = 0;

    if (stream_open(&s, labels) != COR_OK)
        goto fail;
    open = 1;
    if (idx_header(&s, 1, &nlab, "labels (N)") != COR_OK)
        goto fail;
    if (nlab != ds->n)
    {
        COR_ERROR(COR_EPARSE, "%s: %zu labels, but %s has %zu images", labels, nlab, images,
                  ds->n);
        goto fail;
    }
    if (!(lab = cor_malloc(nlab)) || !(ds->labels = cor_mallocarray(nlab, sizeof *ds->labels)))
        goto fail;
    if (read_records(&s, lab, nlab, 1, "label") != COR_OK)
        goto fail;
    stream_close(&s);
    open = 0;
    for (size_t i = 0; i < nlab; i++)
    {
        ds->labels[i] = lab[i];
        if (lab[i] + 1 > ds->nclass)
            ds->nclass = lab[i] + 1;
    }
    cor_free(lab);
    lab = NULL;
    if ((st = cor_data_number_classes_internal(ds)) != COR_OK)
        goto fail;
    return ds;

fail:
    if (open)
        stream_close(&s);
    cor_free(lab);
    cor_data_free(ds);
    return NULL;
}

/* dir/name, or NULL (COR_ENOMEM). */
static char *
join(const char *dir, const char *name, const char *suffix)
{
    size_t len = strlen(dir) + strlen(name) + strlen(suffix) + 2;
    char *p = cor_malloc(len);

    if (p)
        snprintf(p, len, "%s/%s%s", dir, name, suffix);
    return p;
}

/* The first existing file among dir/base{,.gz} and the dotted variant, or dir/base. */
static char *
find_idx(const char *dir, const char *base, const char *dotted)
{
    const char *names[2] = {base, dotted};
    const char *suffixes[2] = {"", ".gz"};

    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
        {
            char *p = join(dir, names[i], suffixes[j]);
            FILE *f;

            if (!p)
                return NULL;
            if ((f = fopen(p, "rb")))
            {
                fclose(f);
                return p;
            }
            cor_free(p);
        }
    return join(dir, base, "");
}

cor_dataset *
cor_data_idx_load_dir(const char *dir, int train)
{
    char *img, *lab;
    cor_dataset *ds = NULL;

    if (!dir)
    {
        COR_ERROR(COR_EINVAL, "cor_data_idx_load_dir: NULL directory");
        return NULL;
    }
    img = find_idx(dir, train ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte",
                   train ? "train-images.idx3-ubyte" : "t10k-images.idx3-ubyte");
    lab = find_idx(dir, train ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte",
                   train ? "train-labels.idx1-ubyte" : "t10k-labels.idx1-ubyte");
    if (img && lab)
        ds = cor_data_idx_load(img, lab);
    cor_free(img);
    cor_free(lab);
    return ds;
}

/* ---- CIFAR-10 -------------------------------------------------------------------------------- */

#define CIFAR_REC 3073
#define CIFAR_PIX 3072

cor_dataset *
cor_data_cifar10_load_files(size_t nfiles, const char *const *paths)
{
    cor_dataset *ds = NULL;
    size_t *counts = NULL;
    uint8_t rec[CIFAR_REC];

    if (nfiles == 0 || !paths)
    {
        COR_ERROR(COR_EINVAL, "cor_data_cifar10_load_files: no files");
        return NULL;
    }
    if (!(ds = cor_data_alloc_internal(DATA_MEM, "cifar10"))
        || !(counts = cor_calloc(nfiles, sizeof *counts)))
        goto fail;
    /* first pass: sizes */
    for (size_t f = 0; f < nfiles; f++)
    {
        FILE *fp = fopen(paths[f], "rb");
        long size;

        if (!fp)
        {
            COR_ERROR(COR_EIO, "%s: cannot open: %s", paths[f], strerror(errno));
            goto fail;
        }
        if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0)
        {
            COR_ERROR(COR_EIO, "%s: cannot determine the size: %s", paths[f], strerror(errno));
            fclose(fp);
            goto fail;
        }
        fclose(fp);
        if (size == 0)
        {
            COR_ERROR(COR_EPARSE, "%s: empty file (no CIFAR-10 records)", paths[f]);
            goto fail;
        }
        if (size % CIFAR_REC)
        {
            size_t whole = (size_t)size / CIFAR_REC;

            COR_ERROR(COR_EPARSE, "%s: truncated at byte offset %ld: record %zu starting at "
                      "byte offset %zu is incomplete (%ld bytes is not a whole number of "
                      "%d-byte records)", paths[f], size, whole + 1, whole * CIFAR_REC, size,
                      CIFAR_REC);
            goto fail;
        }
        counts[f] = (size_t)size / CIFAR_REC;
        ds->n += counts[f];
    }
    ds->c = 3;
    ds->h = ds->w = 32;
    ds->nclass = 10;
    if (!(ds->pix = cor_mallocarray(ds->n, CIFAR_PIX))
        || !(ds->labels = cor_mallocarray(ds->n, sizeof *ds->labels)))
        goto fail;
    for (size_t f = 0, i = 0; f < nfiles; f++)
    {
        FILE *fp = fopen(paths[f], "rb");

        if (!fp)
        {
            COR_ERROR(COR_EIO, "%s: cannot open: %s", paths[f], strerror(errno));
            goto fail;
        }
        for (size_t r = 0; r < counts[f]; r++, i++)
        {
            if (fread(rec, 1, CIFAR_REC, fp) != CIFAR_REC)
            {
                COR_ERROR(COR_EIO, "%s: read error or file shrank at byte offset %zu", paths[f],
                          r * CIFAR_REC);
                fclose(fp);
                goto fail;
            }
            if (rec[0] > 9)
            {
                COR_ERROR(COR_EPARSE, "%s: byte offset %zu: label %d of record %zu is not in "
                          "0..9", paths[f], r * CIFAR_REC, rec[0], r + 1);
                fclose(fp);
                goto fail;
            }
            ds->labels[i] = rec[0];
            memcpy(ds->pix + i * CIFAR_PIX, rec + 1, CIFAR_PIX);
        }
        fclose(fp);
    }
    if (cor_data_number_classes_internal(ds) != COR_OK)
        goto fail;
    cor_free(counts);
    return ds;

fail:
    cor_free(counts);
    cor_data_free(ds);
    return NULL;
}

cor_dataset *
cor_data_cifar10_load(const char *dir, int train)
{
    static const char *const names[] = {"data_batch_1.bin", "data_batch_2.bin",
                                        "data_batch_3.bin", "data_batch_4.bin",
                                        "data_batch_5.bin", "test_batch.bin"};
    char *paths[5] = {NULL};
    char *sub = NULL, *probe = NULL;
    const char *base = dir;
    size_t n = train ? 5 : 1;
    cor_dataset *ds = NULL;
    FILE *f;

    if (!dir)
    {
        COR_ERROR(COR_EINVAL, "cor_data_cifar10_load: NULL directory");
        return NULL;
    }
    /* the archive unpacks into cifar-10-batches-bin/ */
    if (!(probe = join(dir, names[0], "")))
        return NULL;
    if (!(f = fopen(probe, "rb")))
    {
        if (!(sub = join(dir, "cifar-10-batches-bin", "")))
            goto done;
        cor_free(probe);
        if (!(probe = join(sub, names[0], "")))
            goto done;
        if ((f = fopen(probe, "rb")))
            base = sub;
    }
    if (f)
        fclose(f);
    for (size_t i = 0; i < n; i++)
        if (!(paths[i] = join(base, names[train ? i : 5], "")))
            goto done;
    ds = cor_data_cifar10_load_files(n, (const char *const *)paths);

done:
    for (size_t i = 0; i < n; i++)
        cor_free(paths[i]);
    cor_free(sub);
    cor_free(probe);
    return ds;
}
