/* check_data.c -- tests of lib/data: the counter-based RNG and permutations, the IDX,
 * CIFAR-10 and ImageNet-folder readers on small files written here in the exact formats
 * (plain and gzip IDX, CIFAR binary records, JPEGs written with libjpeg), their errors on
 * truncated and corrupt files (file name and byte offset in the message), augmentation, and
 * the loader thread (same batches with and without the thread, seek, errors). */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef HAVE_LIBJPEG
#include <jpeglib.h>
#endif

#include "cor_data.h"
#include "testlib.h"

/* ---- scratch folder ------------------------------------------------------------------------ */

static void
setup(void)
{
    ck_assert_ptr_nonnull(cor_test_scratch_make("check_data"));
}

static void
teardown(void)
{
    cor_test_scratch_remove();
}


/* ---- RNG ------------------------------------------------------------------------------------ */

/* Reference: Vigna's splitmix64.c seeded with 1234567 (computed independently in Python). */
START_TEST(test_rng_reference)
{
    static const uint64_t ref[5] = {6457827717110365317ULL, 3203168211198807973ULL,
                                    9817491932198370423ULL, 4593380528125082431ULL,
                                    16408922859458223821ULL};
    cor_data_rng r;

    cor_data_rng_init(&r, 1234567);
    for (int i = 0; i < 5; i++)
    {
        ck_assert_uint_eq(cor_data_rng_next(&r), ref[i]);
        ck_assert_uint_eq(cor_data_rng_at(1234567, (uint64_t)i), ref[i]);
    }
    ck_assert_uint_eq(r.ctr, 5);
    ck_assert_uint_eq(cor_data_rng_at(0, 0), 0xe220a8397b1dcdafULL);
    /* saving (key, ctr) and continuing gives the same stream */
    {
        cor_data_rng s = r;
        ck_assert_uint_eq(cor_data_rng_next(&s), cor_data_rng_next(&r));
    }
    ck_assert_uint_ne(cor_data_key(1, 1), cor_data_key(1, 2));
    ck_assert_uint_ne(cor_data_key(1, 1), cor_data_key(2, 1));
}
END_TEST

START_TEST(test_rng_below)
{
    cor_data_rng r;
    unsigned counts[7] = {0};
    const int draws = 70000;

    cor_data_rng_init(&r, cor_test_seed());
    ck_assert_uint_eq(cor_data_rng_below(&r, 1), 0);
    ck_assert_uint_eq(cor_data_rng_below(&r, 0), 0);
    for (int i = 0; i < draws; i++)
    {
        uint64_t v = cor_data_rng_below(&r, 7);
        ck_assert_uint_lt(v, 7);
        counts[v]++;
    }
    /* chi-square with 6 degrees of freedom; 0.999 quantile 22.46 */
    {
        double chi = 0, e = draws / 7.0;
        for (int k = 0; k < 7; k++)
            chi += (counts[k] - e) * (counts[k] - e) / e;
        ck_assert_msg(chi < 22.46, "chi-square %g", chi);
    }
    /* near the top of the range */
    for (int i = 0; i < 100; i++)
        ck_assert_uint_lt(cor_data_rng_below(&r, UINT64_MAX - 1), UINT64_MAX - 1);
}
END_TEST

START_TEST(test_permutation)
{
    size_t p[50], q[50];
    unsigned counts[6] = {0};
    const int draws = 60000;

    /* a permutation; deterministic in the key; other keys give others */
    cor_data_permutation(p, 50, 42);
    cor_data_permutation(q, 50, 42);
    ck_assert_mem_eq(p, q, sizeof p);
    {
        int seen[50] = {0};
        for (int i = 0; i < 50; i++)
        {
            ck_assert_uint_lt(p[i], 50);
            seen[p[i]]++;
        }
        for (int i = 0; i < 50; i++)
            ck_assert_int_eq(seen[i], 1);
    }
    cor_data_permutation(q, 50, 43);
    ck_assert(memcmp(p, q, sizeof p) != 0);
    /* uniform over the 6 permutations of 3 (keys 0..draws-1 of a sub-stream) */
    for (int k = 0; k < draws; k++)
    {
        size_t a[3];
        cor_data_permutation(a, 3, cor_data_key(cor_test_seed(), (uint64_t)k));
        counts[a[0] * 2 + (a[1] > a[2])]++;
    }
    {
        double chi = 0, e = draws / 6.0;
        for (int k = 0; k < 6; k++)
            chi += (counts[k] - e) * (counts[k] - e) / e;
        ck_assert_msg(chi < 20.52, "chi-square %g (5 dof, 0.999 quantile 20.52)", chi);
    }
}
END_TEST

/* ---- IDX ------------------------------------------------------------------------------------ */

#define IN 5
#define IH 4
#define IW 3

/* The IDX image file of IN images IH x IW, pixel (i, y, x) = 10 i + 3 y + x, and the label
 * file with labels i % 3 (so nclass 3), as byte arrays. */
static size_t
idx_images(unsigned char *b)
{
    size_t k = 0;

    b[k++] = 0, b[k++] = 0, b[k++] = 8, b[k++] = 3;
    b[k++] = 0, b[k++] = 0, b[k++] = 0, b[k++] = IN;
    b[k++] = 0, b[k++] = 0, b[k++] = 0, b[k++] = IH;
    b[k++] = 0, b[k++] = 0, b[k++] = 0, b[k++] = IW;
    for (int i = 0; i < IN; i++)
        for (int y = 0; y < IH; y++)
            for (int x = 0; x < IW; x++)
                b[k++] = (unsigned char)(10 * i + 3 * y + x);
    return k;
}

static size_t
idx_labels(unsigned char *b)
{
    size_t k = 0;

    b[k++] = 0, b[k++] = 0, b[k++] = 8, b[k++] = 1;
    b[k++] = 0, b[k++] = 0, b[k++] = 0, b[k++] = IN;
    for (int i = 0; i < IN; i++)
        b[k++] = (unsigned char)(i % 3);
    return k;
}

static void
check_idx_content(const cor_dataset *ds)
{
    cor_data_image img = {0};
    int c, h, w;
    int32_t lab;

    ck_assert_ptr_nonnull(ds);
    ck_assert_uint_eq(cor_data_count(ds), IN);
    ck_assert_int_eq(cor_data_nclass(ds), 3);
    ck_assert_int_eq(cor_data_shape(ds, &c, &h, &w), 1);
    ck_assert_int_eq(c, 1);
    ck_assert_int_eq(h, IH);
    ck_assert_int_eq(w, IW);
    ck_assert_str_eq(cor_dataset_format(ds), "idx");
    ck_assert_str_eq(cor_data_class_name(ds, 2), "2");
    for (int i = 0; i < IN; i++)
    {
        ck_assert_int_eq(cor_data_fetch(ds, (size_t)i, &img, &lab), COR_OK);
        ck_assert_int_eq(lab, i % 3);
        ck_assert_int_eq(cor_data_label(ds, (size_t)i), i % 3);
        for (int y = 0; y < IH; y++)
            for (int x = 0; x < IW; x++)
                ck_assert_int_eq(img.pix[y * IW + x], 10 * i + 3 * y + x);
    }
    ck_assert_int_eq(cor_data_fetch(ds, IN, &img, &lab), COR_EINVAL);
    cor_data_image_release(&img);
}

START_TEST(test_idx_read)
{
    unsigned char im[64 + IN * IH * IW], lb[16];
    size_t ni = idx_images(im), nl = idx_labels(lb);
    cor_dataset *ds;

    cor_test_write_file(cor_test_scratch_path("train-images-idx3-ubyte"), im, ni);
    cor_test_write_file(cor_test_scratch_path("train-labels-idx1-ubyte"), lb, nl);
    ds = cor_data_idx_load(cor_test_scratch_path("train-images-idx3-ubyte"), cor_test_scratch_path("train-labels-idx1-ubyte"));
    check_idx_content(ds);
    cor_data_free(ds);
    ds = cor_data_idx_load_dir(cor_test_scratch_dir(), 1);
    check_idx_content(ds);
    cor_data_free(ds);
    /* test files missing: the message names the first file tried */
    ck_assert_ptr_null(cor_data_idx_load_dir(cor_test_scratch_dir(), 0));
    ck_assert_int_eq(cor_last_error()->code, COR_EIO);
    cor_test_assert_msg("t10k-images-idx3-ubyte", "cannot open");
}
END_TEST

START_TEST(test_idx_errors)
{
    unsigned char im[64 + IN * IH * IW], lb[16], bad[64 + IN * IH * IW + 1];
    size_t ni = idx_images(im), nl = idx_labels(lb);
    char L[512], expect[64];

    snprintf(L, sizeof L, "%s", cor_test_scratch_path("labels"));
    cor_test_write_file(L, lb, nl);
    /* truncated inside image 3 (data starts at 16; 12 bytes per image): ends at 16+12*2+5 */
    cor_test_write_file(cor_test_scratch_path("trunc"), im, 16 + 12 * 2 + 5);
    ck_assert_ptr_null(cor_data_idx_load(cor_test_scratch_path("trunc"), L));
    ck_assert_int_eq(cor_last_error()->code, COR_EPARSE);
    cor_test_assert_msg(cor_test_scratch_path("trunc"), "truncated at byte offset 45");
    cor_test_assert_msg("image 3 of 5", NULL);
    /* truncated in the header */
    cor_test_write_file(cor_test_scratch_path("trunc2"), im, 10);
    ck_assert_ptr_null(cor_data_idx_load(cor_test_scratch_path("trunc2"), L));
    cor_test_assert_msg(cor_test_scratch_path("trunc2"), "truncated at byte offset 10");
    /* bad magic, wrong type, wrong dimension count */
    memcpy(bad, im, ni);
    bad[1] = 7;
    cor_test_write_file(cor_test_scratch_path("magic"), bad, ni);
    ck_assert_ptr_null(cor_data_idx_load(cor_test_scratch_path("magic"), L));
    cor_test_assert_msg(cor_test_scratch_path("magic"), "byte offset 0: bad magic number 00070803");
    memcpy(bad, im, ni);
    bad[2] = 0x0d;
    cor_test_write_file(cor_test_scratch_path("type"), bad, ni);
    ck_assert_ptr_null(cor_data_idx_load(cor_test_scratch_path("type"), L));
    cor_test_assert_msg("byte offset 2", "0x0d");
    ck_assert_ptr_null(cor_data_idx_load(L, L)); /* a label file as images */
    cor_test_assert_msg("byte offset 3: 1 dimensions, expected 3", NULL);
    /* trailing data */
    memcpy(bad, im, ni);
    bad[ni] = 1;
    cor_test_write_file(cor_test_scratch_path("extra"), bad, ni + 1);
    ck_assert_ptr_null(cor_data_idx_load(cor_test_scratch_path("extra"), L));
    snprintf(expect, sizeof expect, "unexpected data at byte offset %zu", ni);
    cor_test_assert_msg(cor_test_scratch_path("extra"), expect);
    /* counts differ */
    cor_test_write_file(cor_test_scratch_path("images"), im, ni);
    lb[7] = IN - 1;
    cor_test_write_file(cor_test_scratch_path("labels4"), lb, nl - 1);
    ck_assert_ptr_null(cor_data_idx_load(cor_test_scratch_path("images"), cor_test_scratch_path("labels4")));
    cor_test_assert_msg("4 labels", "has 5 images");
    /* a zero dimension */
    memcpy(bad, im, ni);
    bad[11] = 0;
    cor_test_write_file(cor_test_scratch_path("zero"), bad, ni);
    ck_assert_ptr_null(cor_data_idx_load(cor_test_scratch_path("zero"), L));
    cor_test_assert_msg("byte offset 8: dimension 2 is zero", NULL);
    /* missing file */
    ck_assert_ptr_null(cor_data_idx_load(cor_test_scratch_path("nonexistent"), L));
    ck_assert_int_eq(cor_last_error()->code, COR_EIO);
    cor_test_assert_msg(cor_test_scratch_path("nonexistent"), "cannot open");
}
END_TEST

#ifdef HAVE_ZLIB
static void
write_gz(const char *path, const unsigned char *b, size_t n)
{
    gzFile g = gzopen(path, "wb9");

    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(gzwrite(g, b, (unsigned)n), (int)n);
    ck_assert_int_eq(gzclose(g), Z_OK);
}
#endif

START_TEST(test_idx_gzip)
{
#ifdef HAVE_ZLIB
    unsigned char im[64 + IN * IH * IW], lb[16];
    size_t ni = idx_images(im), nl = idx_labels(lb), n;
    unsigned char *gzb;
    cor_dataset *ds;

    /* the MNIST .gz names in a folder, found by idx_load_dir */
    write_gz(cor_test_scratch_path("t10k-images-idx3-ubyte.gz"), im, ni);
    write_gz(cor_test_scratch_path("t10k-labels-idx1-ubyte.gz"), lb, nl);
    ds = cor_data_idx_load_dir(cor_test_scratch_dir(), 0);
    check_idx_content(ds);
    cor_data_free(ds);
    /* gzip of a truncated IDX: the offset is in the decompressed stream */
    write_gz(cor_test_scratch_path("short.gz"), im, 16 + 12 * 4 + 1);
    ck_assert_ptr_null(cor_data_idx_load(cor_test_scratch_path("short.gz"), cor_test_scratch_path("t10k-labels-idx1-ubyte.gz")));
    cor_test_assert_msg(cor_test_scratch_path("short.gz"), "truncated at byte offset 65");
    /* a gzip file cut in the middle of its compressed stream */
    gzb = cor_test_read_file(cor_test_scratch_path("t10k-images-idx3-ubyte.gz"), &n);
    cor_test_write_file(cor_test_scratch_path("cut.gz"), gzb, n / 2);
    ck_assert_ptr_null(cor_data_idx_load(cor_test_scratch_path("cut.gz"), cor_test_scratch_path("t10k-labels-idx1-ubyte.gz")));
    ck_assert_int_eq(cor_last_error()->code, COR_EPARSE);
    cor_test_assert_msg(cor_test_scratch_path("cut.gz"), "byte offset");
    /* corrupt deflate data (bytes flipped after the 10-byte gzip header) */
    for (size_t i = 12; i < n - 8; i++)
        gzb[i] ^= 0x5a;
    cor_test_write_file(cor_test_scratch_path("bad.gz"), gzb, n);
    ck_assert_ptr_null(cor_data_idx_load(cor_test_scratch_path("bad.gz"), cor_test_scratch_path("t10k-labels-idx1-ubyte.gz")));
    ck_assert_int_eq(cor_last_error()->code, COR_EPARSE);
    cor_test_assert_msg(cor_test_scratch_path("bad.gz"), "byte offset");
    free(gzb);
#endif
}
END_TEST

/* The real Fashion-MNIST of Debian's dataset-fashion-mnist, when installed. */
START_TEST(test_fashion_mnist)
{
#ifdef HAVE_ZLIB
    const char *dir = "/usr/share/datasets/fashion-mnist";
    cor_dataset *tr, *te;
    cor_data_image img = {0};
    size_t per[10] = {0};
    int32_t lab;

    if (access("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz", R_OK) != 0)
        return;
    te = cor_data_idx_load_dir(dir, 0);
    ck_assert_msg(te != NULL, "%s", cor_last_error()->msg);
    ck_assert_uint_eq(cor_data_count(te), 10000);
    ck_assert_int_eq(cor_data_nclass(te), 10);
    for (size_t i = 0; i < 10000; i++)
        per[cor_data_label(te, i)]++;
    for (int k = 0; k < 10; k++)
        ck_assert_uint_eq(per[k], 1000); /* the published test split is balanced */
    ck_assert_int_eq(cor_data_fetch(te, 0, &img, &lab), COR_OK);
    ck_assert_int_eq(img.h, 28);
    ck_assert_int_eq(img.w, 28);
    cor_data_image_release(&img);
    cor_data_free(te);
    tr = cor_data_idx_load_dir(dir, 1);
    ck_assert_msg(tr != NULL, "%s", cor_last_error()->msg);
    ck_assert_uint_eq(cor_data_count(tr), 60000);
    cor_data_free(tr);
#endif
}
END_TEST

/* ---- CIFAR-10 ---------------------------------------------------------------------------- */

/* File f (0..5) holds 3 + f records; record r of file f: label (f + r) % 10, pixel
 * p = (f * 7 + r * 3 + p) % 251. */
static void
write_cifar_file(const char *path, int f, int label_override)
{
    int nrec = 3 + f;
    unsigned char *b = malloc((size_t)nrec * 3073);

    for (int r = 0; r < nrec; r++)
    {
        b[r * 3073] = (unsigned char)((f + r) % 10);
        for (int p = 0; p < 3072; p++)
            b[r * 3073 + 1 + p] = (unsigned char)((f * 7 + r * 3 + p) % 251);
    }
    if (label_override >= 0)
        b[3073] = (unsigned char)label_override; /* record 2 */
    cor_test_write_file(path, b, (size_t)nrec * 3073);
    free(b);
}

static void
write_cifar_dir(const char *dir)
{
    char p[600];

    for (int f = 0; f < 5; f++)
    {
        snprintf(p, sizeof p, "%s/data_batch_%d.bin", dir, f + 1);
        write_cifar_file(p, f, -1);
    }
    snprintf(p, sizeof p, "%s/test_batch.bin", dir);
    write_cifar_file(p, 5, -1);
}

START_TEST(test_cifar_read)
{
    cor_dataset *tr, *te;
    cor_data_image img = {0};
    int32_t lab;
    size_t i = 0;
    int c, h, w;

    mkdir(cor_test_scratch_path("cifar-10-batches-bin"), 0777);
    write_cifar_dir(cor_test_scratch_path("cifar-10-batches-bin"));
    tr = cor_data_cifar10_load(cor_test_scratch_dir(), 1); /* finds the subfolder */
    ck_assert_msg(tr != NULL, "%s", cor_last_error()->msg);
    ck_assert_uint_eq(cor_data_count(tr), 3 + 4 + 5 + 6 + 7);
    ck_assert_int_eq(cor_data_nclass(tr), 10);
    ck_assert_int_eq(cor_data_shape(tr, &c, &h, &w), 1);
    ck_assert_int_eq(c * 100 + h * 10 + w, 300 + 320 + 32);
    for (int f = 0; f < 5; f++)
        for (int r = 0; r < 3 + f; r++, i++)
        {
            ck_assert_int_eq(cor_data_fetch(tr, i, &img, &lab), COR_OK);
            ck_assert_int_eq(lab, (f + r) % 10);
            for (int p = 0; p < 3072; p += 97)
                ck_assert_int_eq(img.pix[p], (f * 7 + r * 3 + p) % 251);
            /* CHW: channel 1 starts at 1024 */
            ck_assert_int_eq(img.pix[1024 + 33], (f * 7 + r * 3 + 1024 + 33) % 251);
        }
    te = cor_data_cifar10_load(cor_test_scratch_path("cifar-10-batches-bin"), 0);
    ck_assert_ptr_nonnull(te);
    ck_assert_uint_eq(cor_data_count(te), 8);
    cor_data_image_release(&img);
    cor_data_free(tr);
    cor_data_free(te);
}
END_TEST

START_TEST(test_cifar_errors)
{
    unsigned char *b;
    size_t n;
    const char *one[1];

    write_cifar_dir(cor_test_scratch_dir());
    /* truncated: the last record of data_batch_3 (5 records) cut after 100 bytes */
    b = cor_test_read_file(cor_test_scratch_path("data_batch_3.bin"), &n);
    cor_test_write_file(cor_test_scratch_path("data_batch_3.bin"), b, 4 * 3073 + 100);
    free(b);
    ck_assert_ptr_null(cor_data_cifar10_load(cor_test_scratch_dir(), 1));
    ck_assert_int_eq(cor_last_error()->code, COR_EPARSE);
    cor_test_assert_msg(cor_test_scratch_path("data_batch_3.bin"), "truncated at byte offset 12392");
    cor_test_assert_msg("record 5 starting at byte offset 12292", NULL);
    /* a bad label byte in record 2 of the test batch */
    write_cifar_file(cor_test_scratch_path("test_batch.bin"), 5, 17);
    ck_assert_ptr_null(cor_data_cifar10_load(cor_test_scratch_dir(), 0));
    cor_test_assert_msg(cor_test_scratch_path("test_batch.bin"), "byte offset 3073: label 17 of record 2 is not in 0..9");
    /* missing file, empty file */
    unlink(cor_test_scratch_path("data_batch_5.bin"));
    write_cifar_file(cor_test_scratch_path("data_batch_3.bin"), 2, -1);
    ck_assert_ptr_null(cor_data_cifar10_load(cor_test_scratch_dir(), 1));
    ck_assert_int_eq(cor_last_error()->code, COR_EIO);
    cor_test_assert_msg(cor_test_scratch_path("data_batch_5.bin"), "cannot open");
    cor_test_write_file(cor_test_scratch_path("empty.bin"), (const unsigned char *)"", 0);
    one[0] = cor_test_scratch_path("empty.bin");
    ck_assert_ptr_null(cor_data_cifar10_load_files(1, one));
    cor_test_assert_msg(cor_test_scratch_path("empty.bin"), "empty");
}
END_TEST

/* ---- ImageNet folders ------------------------------------------------------------------------ */

#ifdef HAVE_LIBJPEG
/* A w x h RGB JPEG at quality 95: pixel (y, x) = (r + x * dx, g, b + y * dy). */
static void
write_jpeg(const char *path, int w, int h, int r, int g, int b, int dx, int dy)
{
    struct jpeg_compress_struct ci;
    struct jpeg_error_mgr em;
    FILE *f = fopen(path, "wb");
    unsigned char *row = malloc((size_t)w * 3);

    ck_assert_ptr_nonnull(f);
    ci.err = jpeg_std_error(&em);
    jpeg_create_compress(&ci);
    jpeg_stdio_dest(&ci, f);
    ci.image_width = (JDIMENSION)w;
    ci.image_height = (JDIMENSION)h;
    ci.input_components = 3;
    ci.in_color_space = JCS_RGB;
    jpeg_set_defaults(&ci);
    jpeg_set_quality(&ci, 95, TRUE);
    jpeg_start_compress(&ci, TRUE);
    for (int y = 0; y < h; y++)
    {
        JSAMPROW rp = row;
        for (int x = 0; x < w; x++)
        {
            row[3 * x] = (unsigned char)(r + x * dx);
            row[3 * x + 1] = (unsigned char)g;
            row[3 * x + 2] = (unsigned char)(b + y * dy);
        }
        jpeg_write_scanlines(&ci, &rp, 1);
    }
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
    fclose(f);
    free(row);
}

/* root/n002/{a,b}.JPEG (blue-ish 16x24), root/n001/{x.jpg, y.jpeg} (red-ish 24x16), a README */
static void
make_imagenet(const char *root)
{
    char p[700];

    mkdir(root, 0777);
    snprintf(p, sizeof p, "%s/n002", root);
    mkdir(p, 0777);
    snprintf(p, sizeof p, "%s/n001", root);
    mkdir(p, 0777);
    snprintf(p, sizeof p, "%s/n002/b.JPEG", root);
    write_jpeg(p, 16, 24, 20, 30, 200, 0, 0);
    snprintf(p, sizeof p, "%s/n002/a.JPEG", root);
    write_jpeg(p, 16, 24, 10, 40, 180, 0, 0);
    snprintf(p, sizeof p, "%s/n001/y.jpeg", root);
    write_jpeg(p, 24, 16, 220, 50, 40, 0, 0);
    snprintf(p, sizeof p, "%s/n001/x.jpg", root);
    write_jpeg(p, 24, 16, 200, 60, 30, 0, 0);
    snprintf(p, sizeof p, "%s/n001/notes.txt", root);
    cor_test_write_file(p, (const unsigned char *)"not an image\n", 13);
}
#endif

START_TEST(test_imagenet_read)
{
#ifdef HAVE_LIBJPEG
    cor_dataset *ds;
    cor_data_image img = {0};
    int32_t lab;
    int c, h, w;
    /* expected order: n001/x.jpg, n001/y.jpeg, n002/a.JPEG, n002/b.JPEG */
    static const int rgb[4][3] = {{200, 60, 30}, {220, 50, 40}, {10, 40, 180}, {20, 30, 200}};

    make_imagenet(cor_test_scratch_path("in"));
    ds = cor_data_imagenet_open(cor_test_scratch_path("in"), 0);
    ck_assert_msg(ds != NULL, "%s", cor_last_error()->msg);
    ck_assert_uint_eq(cor_data_count(ds), 4);
    ck_assert_int_eq(cor_data_nclass(ds), 2);
    ck_assert_str_eq(cor_data_class_name(ds, 0), "n001");
    ck_assert_str_eq(cor_data_class_name(ds, 1), "n002");
    ck_assert_int_eq(cor_data_shape(ds, &c, &h, &w), 0);
    ck_assert_int_eq(c, 3);
    for (int i = 0; i < 4; i++)
    {
        ck_assert_int_eq(cor_data_fetch(ds, (size_t)i, &img, &lab), COR_OK);
        ck_assert_int_eq(lab, i / 2);
        ck_assert_int_eq(img.c, 3);
        ck_assert_int_eq(img.h, i < 2 ? 16 : 24);
        ck_assert_int_eq(img.w, i < 2 ? 24 : 16);
        /* a flat colour survives JPEG to within a few levels (chroma quantisation) */
        for (int ch = 0; ch < 3; ch++)
            for (int p = 0; p < img.h * img.w; p += 7)
                ck_assert_msg(abs(img.pix[ch * img.h * img.w + p] - rgb[i][ch]) <= 6,
                              "image %d channel %d: %d vs %d", i, ch,
                              img.pix[ch * img.h * img.w + p], rgb[i][ch]);
    }
    /* a subset of a folder copies the file list: sample 0 of {3, 0} is image 3 */
    {
        cor_dataset *sub = cor_data_select(ds, (const size_t[]){3, 0}, 2);
        ck_assert_ptr_nonnull(sub);
        cor_data_free(ds);
        ck_assert_uint_eq(cor_data_count(sub), 2);
        ck_assert_str_eq(cor_data_class_name(sub, 1), "n002");
        ck_assert_int_eq(cor_data_fetch(sub, 0, &img, &lab), COR_OK);
        ck_assert_int_eq(lab, 1);
        ck_assert_int_eq(img.h, 24);
        ck_assert_int_eq(cor_data_fetch(sub, 1, &img, &lab), COR_OK);
        ck_assert_int_eq(lab, 0);
        ck_assert_int_eq(img.h, 16);
        ds = sub;
    }
    cor_data_free(ds);
    /* DCT scaling: a 64 x 48 image with min_side 12 decodes at 2/8: 16 x 12 */
    mkdir(cor_test_scratch_path("big"), 0777);
    mkdir(cor_test_scratch_path("big/c"), 0777);
    write_jpeg(cor_test_scratch_path("big/c/i.jpg"), 64, 48, 100, 100, 100, 0, 0);
    ds = cor_data_imagenet_open(cor_test_scratch_path("big"), 12);
    ck_assert_ptr_nonnull(ds);
    ck_assert_int_eq(cor_data_fetch(ds, 0, &img, &lab), COR_OK);
    ck_assert_int_eq(img.w, 16);
    ck_assert_int_eq(img.h, 12);
    cor_data_free(ds);
    ds = cor_data_imagenet_open(cor_test_scratch_path("big"), 13); /* 2/8 gives 12 < 13: 3/8 gives 24 x 18 */
    ck_assert_int_eq(cor_data_fetch(ds, 0, &img, &lab), COR_OK);
    ck_assert_int_eq(img.w, 24);
    ck_assert_int_eq(img.h, 18);
    cor_data_free(ds);
    cor_data_image_release(&img);
#endif
}
END_TEST

START_TEST(test_imagenet_errors)
{
#ifdef HAVE_LIBJPEG
    cor_dataset *ds;
    cor_data_image img = {0};
    unsigned char *b;
    size_t n;
    int32_t lab;

    make_imagenet(cor_test_scratch_path("in"));
    /* truncated JPEG: the first half of n002/a.JPEG (index 2) */
    b = cor_test_read_file(cor_test_scratch_path("in/n002/a.JPEG"), &n);
    cor_test_write_file(cor_test_scratch_path("in/n002/a.JPEG"), b, n / 2);
    /* corrupt JPEG: the SOI marker of n001/y.jpeg (index 1) overwritten */
    free(b);
    b = cor_test_read_file(cor_test_scratch_path("in/n001/y.jpeg"), &n);
    b[0] = 0x12;
    cor_test_write_file(cor_test_scratch_path("in/n001/y.jpeg"), b, n);
    free(b);
    ds = cor_data_imagenet_open(cor_test_scratch_path("in"), 0);
    ck_assert_ptr_nonnull(ds);
    ck_assert_int_eq(cor_data_fetch(ds, 0, &img, &lab), COR_OK);
    ck_assert_int_eq(cor_data_fetch(ds, 2, &img, &lab), COR_EPARSE);
    cor_test_assert_msg(cor_test_scratch_path("in/n002/a.JPEG"), "truncated JPEG data");
    cor_test_assert_msg("byte offset", NULL);
    ck_assert_int_eq(cor_data_fetch(ds, 1, &img, &lab), COR_EPARSE);
    cor_test_assert_msg(cor_test_scratch_path("in/n001/y.jpeg"), "corrupt JPEG data near byte offset");
    cor_data_free(ds);
    /* an empty class folder; no class folders; a missing folder */
    mkdir(cor_test_scratch_path("in/n003"), 0777);
    ck_assert_ptr_null(cor_data_imagenet_open(cor_test_scratch_path("in"), 0));
    cor_test_assert_msg(cor_test_scratch_path("in/n003"), "without JPEG files");
    mkdir(cor_test_scratch_path("flat"), 0777);
    ck_assert_ptr_null(cor_data_imagenet_open(cor_test_scratch_path("flat"), 0));
    cor_test_assert_msg(cor_test_scratch_path("flat"), "no class folders");
    ck_assert_ptr_null(cor_data_imagenet_open(cor_test_scratch_path("nowhere"), 0));
    ck_assert_int_eq(cor_last_error()->code, COR_EIO);
    cor_data_image_release(&img);
#endif
}
END_TEST

/* ---- augmentation ------------------------------------------------------------------------- */

/* A c x h x w image with pixel (ch, y, x) = 1 + 40 ch + 8 y + x (distinct, nonzero). */
static void
ramp_image(cor_data_image *img, int c, int h, int w)
{
    img->pix = malloc((size_t)c * h * w);
    img->c = c;
    img->h = h;
    img->w = w;
    img->cap = (size_t)c * h * w;
    for (int ch = 0; ch < c; ch++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                img->pix[(ch * h + y) * w + x] = (uint8_t)(1 + 40 * ch + 8 * y + x);
}

START_TEST(test_augment_identity_norm)
{
    cor_data_image img;
    cor_data_aug aug;
    float out[2 * 5 * 6];

    ramp_image(&img, 2, 5, 6);
    cor_data_aug_identity(&aug);
    ck_assert_int_eq(cor_data_augment(out, &img, &aug, 1), COR_OK);
    for (int i = 0; i < 60; i++)
        ck_assert_float_eq_tol(out[i], img.pix[i] / 255.0f, 1e-7f);
    aug.mean[0] = 0.5f, aug.std[0] = 0.25f;
    aug.mean[1] = 0.1f, aug.std[1] = 2.0f;
    ck_assert_int_eq(cor_data_augment(out, &img, &aug, 1), COR_OK);
    for (int i = 0; i < 60; i++)
    {
        double m = i < 30 ? 0.5 : 0.1, s = i < 30 ? 0.25 : 2.0;
        ck_assert_double_eq_tol(out[i], (img.pix[i] / 255.0 - m) / s, 1e-6);
    }
    aug.std[1] = 0;
    ck_assert_int_eq(cor_data_augment(out, &img, &aug, 1), COR_EINVAL);
    free(img.pix);
}
END_TEST

/* Random crop with padding and flip: every output is a window of the padded image at some
 * offset in [-pad, pad] (mirrored or not); all offsets and both flips occur. */
START_TEST(test_augment_crop_flip)
{
    cor_data_image img;
    cor_data_aug aug;
    float out[3 * 8 * 8];
    int seen[9][9][2] = {{{0}}};
    const int pad = 4;

    ramp_image(&img, 3, 8, 8);
    cor_data_aug_identity(&aug);
    aug.pad = pad;
    aug.random_crop = 1;
    aug.flip = 1;
    for (uint64_t key = 0; key < 4000; key++)
    {
        int found = 0;

        ck_assert_int_eq(cor_data_augment(out, &img, &aug, cor_data_key(99, key)), COR_OK);
        for (int oy = -pad; oy <= pad && !found; oy++)
            for (int ox = -pad; ox <= pad && !found; ox++)
                for (int fl = 0; fl < 2 && !found; fl++)
                {
                    int ok = 1;
                    for (int ch = 0; ch < 3 && ok; ch++)
                        for (int y = 0; y < 8 && ok; y++)
                            for (int x = 0; x < 8 && ok; x++)
                            {
                                int v = oy + y, u = ox + (fl ? 7 - x : x);
                                float want = (v < 0 || v >= 8 || u < 0 || u >= 8)
                                                 ? 0.0f
                                                 : img.pix[(ch * 8 + v) * 8 + u] / 255.0f;
                                ok = fabsf(out[(ch * 8 + y) * 8 + x] - want) < 1e-7f;
                            }
                    if (ok)
                    {
                        found = 1;
                        seen[oy + pad][ox + pad][fl]++;
                    }
                }
        ck_assert_msg(found, "key %llu: output is no window of the padded image",
                      (unsigned long long)key);
    }
    for (int a = 0; a < 9; a++)
        for (int b = 0; b < 9; b++)
            for (int f = 0; f < 2; f++)
                ck_assert_msg(seen[a][b][f] > 0, "offset (%d,%d) flip %d never drawn", a - pad,
                              b - pad, f);
    /* same key, same output */
    {
        float o2[3 * 8 * 8];
        ck_assert_int_eq(cor_data_augment(out, &img, &aug, 7), COR_OK);
        ck_assert_int_eq(cor_data_augment(o2, &img, &aug, 7), COR_OK);
        ck_assert_mem_eq(out, o2, sizeof out);
    }
    free(img.pix);
}
END_TEST

START_TEST(test_augment_center_resize)
{
    cor_data_image img;
    cor_data_aug aug;
    float out[3 * 10 * 10];
    int oh, ow;

    /* central crop 4 x 6 of 5 x 8: offset ((5-4)/2, (8-6)/2) = (0, 1) */
    ramp_image(&img, 1, 5, 8);
    cor_data_aug_identity(&aug);
    aug.out_h = 4;
    aug.out_w = 6;
    ck_assert_int_eq(cor_data_augment(out, &img, &aug, 0), COR_OK);
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 6; x++)
            ck_assert_float_eq_tol(out[y * 6 + x], img.pix[y * 8 + x + 1] / 255.0f, 1e-7f);
    aug.out_h = 9; /* larger than the image without padding */
    ck_assert_int_eq(cor_data_augment(out, &img, &aug, 0), COR_EINVAL);
    free(img.pix);

    /* resize of the shorter side: 5 x 8 -> 10 x 16 (factor 2); a horizontal linear ramp stays
     * linear inside (bilinear is exact on linear functions away from the clamped borders) */
    img.pix = malloc(40);
    img.c = 1, img.h = 5, img.w = 8, img.cap = 40;
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 8; x++)
            img.pix[y * 8 + x] = (uint8_t)(20 * x + 10);
    cor_data_aug_identity(&aug);
    aug.resize = 10;
    cor_data_aug_out_shape(&aug, 5, 8, &oh, &ow);
    ck_assert_int_eq(oh, 10);
    ck_assert_int_eq(ow, 16);
    aug.out_h = 10;
    aug.out_w = 10;
    ck_assert_int_eq(cor_data_augment(out, &img, &aug, 0), COR_OK);
    /* output column x is resized column u = 3 + x, source point (u + 0.5)/2 - 0.5 */
    for (int y = 0; y < 10; y++)
        for (int x = 0; x < 10; x++)
        {
            double sx = (3 + x + 0.5) / 2 - 0.5;
            ck_assert_double_eq_tol(out[y * 10 + x] * 255.0, 20 * sx + 10, 1e-3);
        }
    free(img.pix);
}
END_TEST

/* ---- loader ---------------------------------------------------------------------------------- */

/* An in-memory CIFAR-style set of n records (labels r % 10) written to the scratch folder. */
static cor_dataset *
small_cifar(int nrec)
{
    unsigned char *b = malloc((size_t)nrec * 3073);
    const char *p = cor_test_scratch_path("small.bin");
    cor_dataset *ds;

    for (int r = 0; r < nrec; r++)
    {
        b[r * 3073] = (unsigned char)(r % 10);
        for (int q = 0; q < 3072; q++)
            b[r * 3073 + 1 + q] = (unsigned char)((r * 31 + q) % 256);
    }
    cor_test_write_file(p, b, (size_t)nrec * 3073);
    free(b);
    ds = cor_data_cifar10_load_files(1, &p);
    ck_assert_ptr_nonnull(ds);
    return ds;
}

static void
cifar_aug(cor_data_aug *aug)
{
    cor_data_aug_identity(aug);
    aug->pad = 4;
    aug->random_crop = 1;
    aug->flip = 1;
    aug->mean[0] = 0.49f, aug->mean[1] = 0.48f, aug->mean[2] = 0.45f;
    aug->std[0] = 0.25f, aug->std[1] = 0.24f, aug->std[2] = 0.26f;
}

/* cor_data_select copies the chosen samples; cor_data_holdout_split is a partition of the
 * samples (each exactly once, each part in the original order), fixed by its key. Sample r of
 * small_cifar is recognised by pixel 1, (r * 31 + 1) % 256, distinct for r < 256. */
START_TEST(test_select_holdout)
{
    enum { NR = 50, NH = 12 };
    cor_dataset *ds = small_cifar(NR), *sel, *tr, *va, *tr2, *va2;
    cor_data_image img = {0};
    static const size_t idx[4] = {7, 0, 7, 49};
    int seen[NR] = {0}, c, h, w;
    int32_t lab;

    sel = cor_data_select(ds, idx, 4);
    ck_assert_ptr_nonnull(sel);
    ck_assert_uint_eq(cor_data_count(sel), 4);
    ck_assert_int_eq(cor_data_nclass(sel), 10);
    ck_assert_int_eq(cor_data_shape(sel, &c, &h, &w), 1);
    ck_assert_int_eq(c * h * w, 3072);
    for (size_t i = 0; i < 4; i++)
    {
        ck_assert_int_eq(cor_data_fetch(sel, i, &img, &lab), COR_OK);
        ck_assert_int_eq(lab, (int)(idx[i] % 10));
        ck_assert_int_eq(img.pix[1], (int)((idx[i] * 31 + 1) % 256));
    }
    cor_data_free(sel);
    ck_assert_ptr_null(cor_data_select(ds, (const size_t[]){NR}, 1));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);

    ck_assert_int_eq(cor_data_holdout_split(&tr, &va, ds, NH, 99), COR_OK);
    ck_assert_uint_eq(cor_data_count(va), NH);
    ck_assert_uint_eq(cor_data_count(tr), NR - NH);
    for (int part = 0; part < 2; part++)
    {
        const cor_dataset *p = part ? tr : va;
        int last = -1;

        for (size_t i = 0; i < cor_data_count(p); i++)
        {
            ck_assert_int_eq(cor_data_fetch(p, i, &img, &lab), COR_OK);
            int r = -1;
            for (int q = 0; q < NR; q++)
                if (img.pix[1] == (q * 31 + 1) % 256)
                    r = q;
            ck_assert_int_ge(r, 0);
            ck_assert_int_gt(r, last); /* original order */
            ck_assert_int_eq(lab, r % 10);
            last = r;
            seen[r]++;
        }
    }
    for (int r = 0; r < NR; r++)
        ck_assert_int_eq(seen[r], 1);
    /* the same key gives the same split; another key another one */
    ck_assert_int_eq(cor_data_holdout_split(&tr2, &va2, ds, NH, 99), COR_OK);
    for (size_t i = 0; i < NH; i++)
    {
        cor_data_image im2 = {0};
        ck_assert_int_eq(cor_data_fetch(va, i, &img, NULL), COR_OK);
        ck_assert_int_eq(cor_data_fetch(va2, i, &im2, NULL), COR_OK);
        ck_assert_int_eq(img.pix[1], im2.pix[1]);
        cor_data_image_release(&im2);
    }
    cor_data_free(tr2);
    cor_data_free(va2);
    ck_assert_int_eq(cor_data_holdout_split(&tr2, &va2, ds, NH, 100), COR_OK);
    int differ = 0;
    for (size_t i = 0; i < NH; i++)
    {
        cor_data_image im2 = {0};
        ck_assert_int_eq(cor_data_fetch(va, i, &img, NULL), COR_OK);
        ck_assert_int_eq(cor_data_fetch(va2, i, &im2, NULL), COR_OK);
        differ += img.pix[1] != im2.pix[1];
        cor_data_image_release(&im2);
    }
    ck_assert_int_gt(differ, 0);
    cor_data_free(tr2);
    cor_data_free(va2);
    /* bad sizes */
    ck_assert_int_eq(cor_data_holdout_split(&tr2, &va2, ds, NR, 1), COR_EINVAL);
    ck_assert_ptr_null(tr2);
    ck_assert_int_eq(cor_data_holdout_split(&tr2, &va2, ds, 0, 1), COR_EINVAL);
    cor_data_image_release(&img);
    cor_data_free(tr);
    cor_data_free(va);
    cor_data_free(ds);
}
END_TEST

START_TEST(test_loader_thread_equivalence)
{
    cor_dataset *ds = small_cifar(23);
    cor_data_aug aug;
    cor_data_loader *A, *B;
    const size_t fl = 3 * 32 * 32;
    float *x = malloc(5 * fl * sizeof(float));
    int32_t y[5];

    cifar_aug(&aug);
    A = cor_data_loader_alloc(ds, &aug, 5, 1234, COR_DATA_SHUFFLE);
    B = cor_data_loader_alloc(ds, &aug, 5, 1234, COR_DATA_SHUFFLE | COR_DATA_NO_THREAD);
    ck_assert_ptr_nonnull(A);
    ck_assert_ptr_nonnull(B);
    ck_assert_uint_eq(cor_data_loader_batches(A), 5); /* 23 = 4*5 + 3 */
    for (int e = 0; e < 3; e++)
    {
        int count[10] = {0};

        for (size_t b = 0; b < 5; b++)
        {
            cor_data_batch ba, bb;
            int n;

            ck_assert_int_eq(cor_data_loader_next(A, &ba), COR_OK);
            ck_assert_int_eq(cor_data_loader_next(B, &bb), COR_OK);
            ck_assert_uint_eq(ba.epoch, (uint64_t)e);
            ck_assert_uint_eq(ba.index, b);
            ck_assert_int_eq(ba.n, b < 4 ? 5 : 3);
            ck_assert_int_eq(bb.n, ba.n);
            ck_assert_mem_eq(ba.x, bb.x, (size_t)ba.n * fl * sizeof(float));
            ck_assert_mem_eq(ba.y, bb.y, (size_t)ba.n * sizeof(int32_t));
            /* the same batch made directly */
            ck_assert_int_eq(cor_data_loader_make(A, x, y, &n, (uint64_t)e, b), COR_OK);
            ck_assert_int_eq(n, ba.n);
            ck_assert_mem_eq(x, ba.x, (size_t)n * fl * sizeof(float));
            for (int k = 0; k < ba.n; k++)
                count[ba.y[k]]++;
        }
        /* an epoch visits every sample once: 23 labels r % 10 */
        for (int k = 0; k < 10; k++)
            ck_assert_int_eq(count[k], k < 3 ? 3 : 2);
    }
    cor_data_loader_free(A);
    cor_data_loader_free(B);
    free(x);
    cor_data_free(ds);
}
END_TEST

START_TEST(test_loader_seek_seed)
{
    cor_dataset *ds = small_cifar(20);
    cor_data_aug aug;
    cor_data_loader *A, *B, *C;
    cor_data_batch ba, bb, bc;
    const size_t fl = 3 * 32 * 32;
    float *saved = malloc(4 * fl * sizeof(float));
    int32_t savedy[4];

    cifar_aug(&aug);
    A = cor_data_loader_alloc(ds, &aug, 4, 7, COR_DATA_SHUFFLE | COR_DATA_DROP_LAST);
    B = cor_data_loader_alloc(ds, &aug, 4, 7, COR_DATA_SHUFFLE | COR_DATA_DROP_LAST);
    C = cor_data_loader_alloc(ds, &aug, 4, 8, COR_DATA_SHUFFLE | COR_DATA_DROP_LAST);
    ck_assert_uint_eq(cor_data_loader_batches(A), 5);
    /* run A to epoch 2 batch 3 */
    for (int k = 0; k < 2 * 5 + 3; k++)
        ck_assert_int_eq(cor_data_loader_next(A, &ba), COR_OK);
    ck_assert_int_eq(cor_data_loader_next(A, &ba), COR_OK);
    ck_assert_uint_eq(ba.epoch, 2);
    ck_assert_uint_eq(ba.index, 3);
    memcpy(saved, ba.x, 4 * fl * sizeof(float));
    memcpy(savedy, ba.y, sizeof savedy);
    /* B seeks there directly (as a resumed run does) */
    ck_assert_int_eq(cor_data_loader_seek(B, 2, 3), COR_OK);
    ck_assert_int_eq(cor_data_loader_next(B, &bb), COR_OK);
    ck_assert_uint_eq(bb.epoch, 2);
    ck_assert_uint_eq(bb.index, 3);
    ck_assert_mem_eq(bb.x, saved, 4 * fl * sizeof(float));
    ck_assert_mem_eq(bb.y, savedy, sizeof savedy);
    /* and both continue alike into epoch 3 */
    ck_assert_int_eq(cor_data_loader_next(A, &ba), COR_OK);
    ck_assert_int_eq(cor_data_loader_next(B, &bb), COR_OK);
    ck_assert_int_eq(cor_data_loader_next(A, &ba), COR_OK);
    ck_assert_int_eq(cor_data_loader_next(B, &bb), COR_OK);
    ck_assert_uint_eq(ba.epoch, 3);
    ck_assert_uint_eq(ba.index, 0);
    ck_assert_mem_eq(ba.x, bb.x, 4 * fl * sizeof(float));
    /* another seed gives another batch; out-of-range seek is refused */
    ck_assert_int_eq(cor_data_loader_seek(C, 3, 0), COR_OK);
    ck_assert_int_eq(cor_data_loader_next(C, &bc), COR_OK);
    ck_assert(memcmp(bc.x, ba.x, 4 * fl * sizeof(float)) != 0);
    ck_assert_int_eq(cor_data_loader_seek(C, 0, 5), COR_EINVAL);
    /* epochs differ */
    ck_assert_int_eq(cor_data_loader_seek(B, 0, 0), COR_OK);
    ck_assert_int_eq(cor_data_loader_next(B, &bb), COR_OK);
    ck_assert(memcmp(bb.x, ba.x, 4 * fl * sizeof(float)) != 0);
    cor_data_loader_free(A);
    cor_data_loader_free(B);
    cor_data_loader_free(C);
    free(saved);
    cor_data_free(ds);
}
END_TEST

/* Without shuffling and augmentation the batches are the data in storage order. */
START_TEST(test_loader_plain_order)
{
    unsigned char im[64 + IN * IH * IW], lb[16];
    size_t ni = idx_images(im), nl = idx_labels(lb);
    cor_dataset *ds;
    cor_data_aug aug;
    cor_data_loader *L;
    cor_data_batch b;

    cor_test_write_file(cor_test_scratch_path("i"), im, ni);
    cor_test_write_file(cor_test_scratch_path("l"), lb, nl);
    ds = cor_data_idx_load(cor_test_scratch_path("i"), cor_test_scratch_path("l"));
    cor_data_aug_identity(&aug);
    L = cor_data_loader_alloc(ds, &aug, 2, 0, 0);
    for (int k = 0; k < 3; k++)
    {
        ck_assert_int_eq(cor_data_loader_next(L, &b), COR_OK);
        ck_assert_int_eq(b.n, k < 2 ? 2 : 1);
        ck_assert_int_eq(b.c * 100 + b.h * 10 + b.w, 100 + 40 + 3);
        for (int s = 0; s < b.n; s++)
        {
            int i = 2 * k + s;
            ck_assert_int_eq(b.y[s], i % 3);
            ck_assert_float_eq_tol(b.x[s * 12 + 5], (10 * i + 3 * 1 + 2) / 255.0f, 1e-7f);
        }
    }
    ck_assert_int_eq(cor_data_loader_next(L, &b), COR_OK); /* wraps into epoch 1 */
    ck_assert_uint_eq(b.epoch, 1);
    ck_assert_uint_eq(b.index, 0);
    cor_data_loader_free(L);
    /* a batch larger than the set with drop_last: no batches */
    L = cor_data_loader_alloc(ds, &aug, 6, 0, COR_DATA_DROP_LAST);
    ck_assert_ptr_nonnull(L);
    ck_assert_uint_eq(cor_data_loader_batches(L), 0);
    ck_assert_int_eq(cor_data_loader_next(L, &b), COR_EINVAL);
    cor_data_loader_free(L);
    cor_data_free(ds);
}
END_TEST

/* A corrupt file met by the worker thread is reported by next() in the caller's thread. */
START_TEST(test_loader_error)
{
#ifdef HAVE_LIBJPEG
    cor_dataset *ds;
    cor_data_aug aug;
    cor_data_loader *L;
    cor_data_batch b;

    make_imagenet(cor_test_scratch_path("in"));
    cor_test_write_file(cor_test_scratch_path("in/n002/b.JPEG"), (const unsigned char *)"\xff\xd8garbage", 9);
    ds = cor_data_imagenet_open(cor_test_scratch_path("in"), 8);
    ck_assert_ptr_nonnull(ds);
    cor_data_aug_identity(&aug);
    aug.resize = 8;
    aug.out_h = aug.out_w = 8;
    for (int threaded = 0; threaded < 2; threaded++)
    {
        L = cor_data_loader_alloc(ds, &aug, 2, 0, threaded ? 0 : COR_DATA_NO_THREAD);
        ck_assert_ptr_nonnull(L);
        cor_error_clear();
        ck_assert_int_eq(cor_data_loader_next(L, &b), COR_OK);
        ck_assert_int_eq(b.n, 2);
        ck_assert_int_eq(b.h * 10 + b.w, 88);
        /* red-ish class 0: channel 0 high, channel 2 low */
        ck_assert_float_gt(b.x[0], 0.7f);
        ck_assert_float_lt(b.x[2 * 64], 0.25f);
        ck_assert_int_eq(cor_data_loader_next(L, &b), COR_EPARSE);
        ck_assert_int_eq(cor_last_error()->code, COR_EPARSE);
        cor_test_assert_msg(cor_test_scratch_path("in/n002/b.JPEG"), "JPEG");
        /* the loader stays usable */
        ck_assert_int_eq(cor_data_loader_seek(L, 1, 0), COR_OK);
        ck_assert_int_eq(cor_data_loader_next(L, &b), COR_OK);
        ck_assert_uint_eq(b.epoch, 1);
        cor_data_loader_free(L);
    }
    cor_data_free(ds);
#endif
}
END_TEST

/* Many short-lived loaders, freed while the worker is busy (races under ASan/TSan). */
START_TEST(test_loader_lifecycle)
{
    cor_dataset *ds = small_cifar(40);
    cor_data_aug aug;

    cifar_aug(&aug);
    for (int k = 0; k < 30; k++)
    {
        cor_data_loader *L = cor_data_loader_alloc(ds, &aug, 8, (uint64_t)k, COR_DATA_SHUFFLE);
        cor_data_batch b;

        ck_assert_ptr_nonnull(L);
        for (int j = 0; j < k % 4; j++)
            ck_assert_int_eq(cor_data_loader_next(L, &b), COR_OK);
        if (k % 3 == 0)
            ck_assert_int_eq(cor_data_loader_seek(L, 5, 1), COR_OK);
        cor_data_loader_free(L);
    }
    cor_data_free(ds);
}
END_TEST

int
main(void)
{
    const cor_test_case cases[] = {
        {"rng_reference", test_rng_reference},
        {"rng_below", test_rng_below},
        {"permutation", test_permutation},
        {"idx_read", test_idx_read},
        {"idx_errors", test_idx_errors},
        {"idx_gzip", test_idx_gzip},
        {"fashion_mnist", test_fashion_mnist},
        {"cifar_read", test_cifar_read},
        {"cifar_errors", test_cifar_errors},
        {"imagenet_read", test_imagenet_read},
        {"imagenet_errors", test_imagenet_errors},
        {"augment_identity_norm", test_augment_identity_norm},
        {"augment_crop_flip", test_augment_crop_flip},
        {"augment_center_resize", test_augment_center_resize},
        {"select_holdout", test_select_holdout},
        {"loader_thread_equivalence", test_loader_thread_equivalence},
        {"loader_seek_seed", test_loader_seek_seed},
        {"loader_plain_order", test_loader_plain_order},
        {"loader_error", test_loader_error},
        {"loader_lifecycle", test_loader_lifecycle},
    };

    return cor_test_run_cases("data", cases, sizeof cases / sizeof cases[0], setup, teardown);
}
