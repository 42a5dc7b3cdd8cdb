/* exp_train_subset.c -- a class-balanced subset of an IDX data set (MNIST, Fashion-MNIST), written
 * as IDX files, so that `corridor train --data idx:DIR` trains on it.
 *
 * The small-scale analogues of the paper's Figures 2-9 (experiments/paper_train.sh) train on a
 * few thousand real Fashion-MNIST images: enough for a network to reach (near) zero training
 * loss in minutes on two cores, which is what the paper's claims are about. The subset is a
 * pure function of the source files and the two counts: the first images of each class in
 * storage order, quota n / nclass per class (the first n mod nclass classes take one more),
 * kept in storage order. The training and test subsets are taken from the training and test
 * files independently.
 *
 * Usage: exp_train_subset --data DIR --train N --test M -o OUTDIR
 * Writes OUTDIR/train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
 * t10k-labels-idx1-ubyte (uncompressed; each written to NAME.tmp and renamed). Exit status 0,
 * 2 for bad input (a count larger than a class holds), 1 for I/O errors.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cor_data.h"
#include "cor_err.h"
#include "cor_sys.h"

static const char usage[] =
    "Usage: exp_train_subset --data DIR --train N --test M -o OUTDIR\n"
    "Writes a class-balanced subset of the IDX data set in DIR (the first images of each\n"
    "class in storage order: N training and M test images) to OUTDIR as IDX files.\n";

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int status, const char *fmt, ...)
{
    va_list ap;

    fputs("exp_train_subset: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(status);
}

static void
put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Opens DIR/NAME.tmp for writing; the path of the final file goes to path. */
static FILE *
open_tmp(char *path, size_t len, char *tmp, size_t tlen, const char *dir, const char *name)
{
    FILE *f;

    snprintf(path, len, "%s/%s", dir, name);
    snprintf(tmp, tlen, "%s.tmp", path);
    if (!(f = fopen(tmp, "wb")))
        die(1, "%s: cannot write: %s", tmp, strerror(errno));
    return f;
}

static void
close_rename(FILE *f, const char *tmp, const char *path)
{
    if (ferror(f) | (fclose(f) != 0) || rename(tmp, path) != 0)
    {
        remove(tmp);
        die(1, "%s: write error: %s", path, strerror(errno));
    }
}

/* Writes the subset of n samples of ds as PREFIX-images-idx3-ubyte / PREFIX-labels-idx1-ubyte. */
static void
write_subset(const cor_dataset *ds, size_t n, const char *outdir, const char *prefix,
             const char *what)
{
    int nclass = cor_data_nclass(ds), c, h, w;
    size_t total = cor_data_count(ds), *quota, taken = 0;
    size_t *pick;
    char ipath[4200], itmp[4210], lpath[4200], ltmp[4210], name[64];
    unsigned char hdr[16];
    cor_data_image img = {0};
    FILE *fi, *fl;

    if (!cor_data_shape(ds, &c, &h, &w) || c != 1)
        die(2, "%s: expected single-channel images of one size (an IDX set)", what);
    if (!(quota = calloc((size_t)nclass, sizeof *quota)) || !(pick = calloc(n + 1, sizeof *pick)))
        die(1, "out of memory");
    for (int k = 0; k < nclass; k++)
        quota[k] = n / (size_t)nclass + ((size_t)k < n % (size_t)nclass);
    for (size_t i = 0; i < total && taken < n; i++)
    {
        int32_t y = cor_data_label(ds, i);

        if (y >= 0 && y < nclass && quota[y] > 0)
        {
            quota[y]--;
            pick[taken++] = i;
        }
    }
    if (taken < n)
        die(2, "%s: cannot take %zu class-balanced images (%zu available)", what, n, taken);

    snprintf(name, sizeof name, "%s-images-idx3-ubyte", prefix);
    fi = open_tmp(ipath, sizeof ipath, itmp, sizeof itmp, outdir, name);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte", prefix);
    fl = open_tmp(lpath, sizeof lpath, ltmp, sizeof ltmp, outdir, name);
    memset(hdr, 0, sizeof hdr);
    hdr[2] = 0x08;
    hdr[3] = 3;
    put_be32(hdr + 4, (uint32_t)n);
    put_be32(hdr + 8, (uint32_t)h);
    put_be32(hdr + 12, (uint32_t)w);
    fwrite(hdr, 1, 16, fi);
    hdr[3] = 1;
    fwrite(hdr, 1, 8, fl);
    for (size_t j = 0; j < n; j++)
    {
        int32_t y;
        unsigned char yb;

        if (cor_data_fetch(ds, pick[j], &img, &y) != COR_OK)
            die(1, "%s: %s", what, cor_last_error()->msg);
        yb = (unsigned char)y;
        fwrite(img.pix, 1, (size_t)h * (size_t)w, fi);
        fwrite(&yb, 1, 1, fl);
    }
    close_rename(fi, itmp, ipath);
    close_rename(fl, ltmp, lpath);
    cor_data_image_release(&img);
    free(quota);
    free(pick);
}

static size_t
parse_count(const char *opt, const char *s)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || !*s || *s == '-' || v == 0 || v > (1ULL << 31))
        die(2, "%s: expected a positive count, got '%s'", opt, s);
    return (size_t)v;
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"data", required_argument, NULL, 'd'},   {"train", required_argument, NULL, 'n'},
        {"test", required_argument, NULL, 'm'},   {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    const char *dir = NULL, *out = NULL;
    size_t ntrain = 0, ntest = 0;
    int opt;
    cor_dataset *train, *test;

    while ((opt = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1)
    {
        switch (opt)
        {
        case 'd': dir = optarg; break;
        case 'n': ntrain = parse_count("--train", optarg); break;
        case 'm': ntest = parse_count("--test", optarg); break;
        case 'o': out = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind < argc)
        die(2, "unexpected argument '%s'", argv[optind]);
    if (!dir || !out || !ntrain || !ntest)
        die(2, "need --data DIR, --train N, --test M and -o OUTDIR (see --help)");
    if (!(train = cor_data_idx_load_dir(dir, 1)) || !(test = cor_data_idx_load_dir(dir, 0)))
        die(1, "%s", cor_last_error()->msg);
    write_subset(train, ntrain, out, "train", "training set");
    write_subset(test, ntest, out, "t10k", "test set");
    cor_data_free(train);
    cor_data_free(test);
    return 0;
}
