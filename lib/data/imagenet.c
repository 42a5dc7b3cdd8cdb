/* imagenet.c -- ImageNet-style folders of class folders of JPEG files, decoded with libjpeg
 * (libjpeg-turbo).
 *
 * Listing: the classes are the subfolders of the root in strcmp order (ILSVRC's wnids, e.g.
 * n01440764, then sort as numbers of the standard class index), the images of a class its
 * files whose name ends in .jpg or .jpeg (any case), in strcmp order. The sample index is the
 * position in that order, so it does not depend on readdir's order.
 * Decoding: the whole file is read into memory and decoded with jpeg_mem_src, so an error
 * can name the byte offset the decoder had reached (the input consumed). libjpeg reports a
 * truncated file only as a warning (it pads with an EOI marker); it is an error here. Grey
 * images are converted to RGB by libjpeg; CMYK/YCCK images (a few dozen in ILSVRC-2012) are
 * decoded as CMYK and converted with R = C K / 255 etc., the Adobe inverted-CMYK convention
 * that Photoshop-written files use. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#ifdef HAVE_LIBJPEG
#include <jpeglib.h>
#include <jerror.h>
#endif

#include "cor_sys.h"
#include "data_impl.h"

/* ---- listing ------------------------------------------------------------------------------- */

typedef struct
{
    char **v;
    size_t n, cap;
} strvec;

static int
strvec_push(strvec *sv, const char *s)
{
    if (sv->n == sv->cap)
    {
        size_t cap = sv->cap ? 2 * sv->cap : 64;
        char **p = cor_realloc(sv->v, cap * sizeof *p);

        if (!p)
            return COR_ENOMEM;
        sv->v = p;
        sv->cap = cap;
    }
    if (!(sv->v[sv->n] = cor_strdup(s)))
        return COR_ENOMEM;
    sv->n++;
    return COR_OK;
}

static void
strvec_free(strvec *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        cor_free(sv->v[i]);
    cor_free(sv->v);
    memset(sv, 0, sizeof *sv);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
is_jpeg_name(const char *name)
{
    const char *dot = strrchr(name, '.');

    return dot && (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0);
}

static char *
path_join(const char *a, const char *b)
{
    size_t len = strlen(a) + strlen(b) + 2;
    char *p = cor_malloc(len);

    if (p)
        snprintf(p, len, "%s/%s", a, b);
    return p;
}

/* The entries of dir that are directories (want_dirs) or JPEG files, sorted. */
static int
list_dir(strvec *out, const char *dir, int want_dirs)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int st = COR_OK;

    if (!d)
        return COR_ERROR(COR_EIO, "%s: cannot open the folder: %s", dir, strerror(errno));
    while ((e = readdir(d)))
    {
        struct stat sb;
        char *p;
        int isdir;

        if (e->d_name[0] == '.')
            continue;
        if (!(p = path_join(dir, e->d_name)))
        {
            st = COR_ENOMEM;
            break;
        }
        isdir = stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
        cor_free(p);
        if (want_dirs ? isdir : (!isdir && is_jpeg_name(e->d_name)))
            if ((st = strvec_push(out, e->d_name)) != COR_OK)
                break;
    }
    closedir(d);
    if (st == COR_OK && out->n > 1)
        qsort(out->v, out->n, sizeof *out->v, cmp_str);
    return st;
}

cor_dataset *
cor_data_imagenet_open(const char *dir, int min_side)
{
    cor_dataset *ds = NULL;
    strvec classes = {0}, files = {0};
    size_t cap = 0;

    if (!dir)
    {
        COR_ERROR(COR_EINVAL, "cor_data_imagenet_open: NULL folder");
        return NULL;
    }
    if (!(ds = cor_data_alloc_internal(DATA_JPEG, "imagenet")))
        goto fail;
    ds->c = 3;
    ds->min_side = min_side;
    if (list_dir(&classes, dir, 1) != COR_OK)
        goto fail;
    if (classes.n == 0)
    {
        COR_ERROR(COR_EPARSE, "%s: no class folders (expected DIR/<class>/<image>.JPEG)", dir);
        goto fail;
    }
    if (classes.n > INT32_MAX)
        goto fail;
    ds->nclass = (int)classes.n;
    ds->class_names = classes.v;   /* ownership moves to ds */
    classes.v = NULL;
    classes.n = classes.cap = 0;
    for (int k = 0; k < ds->nclass; k++)
    {
        char *cdir = path_join(dir, ds->class_names[k]);

        if (!cdir)
            goto fail;
        files.n = 0;
        if (list_dir(&files, cdir, 0) != COR_OK)
        {
            cor_free(cdir);
            goto fail;
        }
        if (files.n == 0)
        {
            COR_ERROR(COR_EPARSE, "%s: class folder without JPEG files", cdir);
            cor_free(cdir);
            goto fail;
        }
        if (ds->n + files.n > cap)
        {
            size_t ncap = 2 * (ds->n + files.n);
            char **pf = cor_realloc(ds->files, ncap * sizeof *pf);
            int32_t *pl;

            if (!pf)
            {
                cor_free(cdir);
                goto fail;
            }
            ds->files = pf;
            pl = cor_realloc(ds->labels, ncap * sizeof *pl);
            if (!pl)
            {
                cor_free(cdir);
                goto fail;
            }
            ds->labels = pl;
            cap = ncap;
        }
        for (size_t i = 0; i < files.n; i++)
        {
            char *p = path_join(cdir, files.v[i]);

            cor_free(files.v[i]);
            files.v[i] = NULL;
            if (!p)
            {
                for (size_t j = i + 1; j < files.n; j++)
                    cor_free(files.v[j]);
                files.n = 0;
                cor_free(cdir);
                goto fail;
            }
            ds->files[ds->n] = p;
            ds->labels[ds->n] = k;
            ds->n++;
        }
        files.n = 0;
        cor_free(cdir);
    }
    strvec_free(&files);
    return ds;

fail:
    strvec_free(&classes);
    strvec_free(&files);
    cor_data_free(ds);
    return NULL;
}

/* ---- decoding ------------------------------------------------------------------------------ */

#ifndef HAVE_LIBJPEG
int
cor_data_jpeg_decode_internal(cor_data_image *img, const char *path, int min_side)
{
    (void)img;
    (void)min_side;
    return COR_ERROR(COR_EUNSUP, "%s: corridor was built without libjpeg (install "
                     "libjpeg62-turbo-dev and reconfigure)", path);
}
#else

typedef struct
{
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    int truncated;
} jerr;

static void
jerr_exit(j_common_ptr cinfo)
{
    jerr *e = (jerr *)cinfo->err;

    longjmp(e->jump, 1);
}

/* Warnings (msg_level -1): a premature end of data becomes an error; others are tolerated
 * (as PIL and libjpeg's djpeg do: ILSVRC has files with extraneous bytes). */
static void
jerr_emit(j_common_ptr cinfo, int level)
{
    jerr *e = (jerr *)cinfo->err;

    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF)
    {
        e->truncated = 1;
        longjmp(e->jump, 1);
    }
}

static void
jerr_silent(j_common_ptr cinfo)
{
    (void)cinfo;
}

/* Reads the whole file. */
static int
read_file(unsigned char **buf, size_t *len, const char *path)
{
    FILE *f = fopen(path, "rb");
    long size;
    unsigned char *p;

    *buf = NULL;
    if (!f)
        return COR_ERROR(COR_EIO, "%s: cannot open: %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
    {
        fclose(f);
        return COR_ERROR(COR_EIO, "%s: cannot determine the size: %s", path, strerror(errno));
    }
    if (!(p = cor_malloc((size_t)size + 1)))
    {
        fclose(f);
        return COR_ENOMEM;
    }
    if (fread(p, 1, (size_t)size, f) != (size_t)size)
    {
        fclose(f);
        cor_free(p);
        return COR_ERROR(COR_EIO, "%s: read error: %s", path, strerror(errno));
    }
    fclose(f);
    *buf = p;
    *len = (size_t)size;
    return COR_OK;
}

int
cor_data_jpeg_decode_internal(cor_data_image *img, const char *path, int min_side)
{
    struct jpeg_decompress_struct cinfo;
    jerr err;
    unsigned char *volatile file = NULL;
    unsigned char *volatile row = NULL;
    size_t len = 0;
    volatile int created = 0;
    int st;

    {
        unsigned char *buf;

        if ((st = read_file(&buf, &len, path)) != COR_OK)
            return st;
        file = buf;
    }
    if (len == 0)
    {
        cor_free(file);
        return COR_ERROR(COR_EPARSE, "%s: byte offset 0: empty file (not a JPEG image)", path);
    }
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jerr_exit;
    err.mgr.emit_message = jerr_emit;
    err.mgr.output_message = jerr_silent;
    err.truncated = 0;
    if (setjmp(err.jump))
    {
        char msg[JMSG_LENGTH_MAX];
        size_t off = len;

        if (cinfo.src)
            off = len - cinfo.src->bytes_in_buffer;
        (*cinfo.err->format_message)((j_common_ptr)&cinfo, msg);
        if (created)
            jpeg_destroy_decompress(&cinfo);
        cor_free(file);
        cor_free(row);
        if (err.truncated)
            return COR_ERROR(COR_EPARSE, "%s: truncated JPEG data: the image data ends at byte "
                             "offset %zu", path, len);
        return COR_ERROR(COR_EPARSE, "%s: corrupt JPEG data near byte offset %zu: %s", path, off,
                         msg);
    }
    jpeg_create_decompress(&cinfo);
    created = 1;
    jpeg_mem_src(&cinfo, file, (unsigned long)len);
    jpeg_read_header(&cinfo, TRUE);
    if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK)
        cinfo.out_color_space = JCS_CMYK;
    else
        cinfo.out_color_space = JCS_RGB;
    cinfo.scale_num = 8;
    cinfo.scale_denom = 8;
    if (min_side > 0)
    {
        unsigned shorter = cinfo.image_width < cinfo.image_height ? cinfo.image_width
                                                                   : cinfo.image_height;

        /* the smallest scale num/8 with ceil(shorter * num / 8) >= min_side */
        for (unsigned num = 1; num <= 8; num++)
            if ((shorter * num + 7) / 8 >= (unsigned)min_side)
            {
                cinfo.scale_num = num;
                break;
            }
    }
    jpeg_start_decompress(&cinfo);
    {
        int w = (int)cinfo.output_width, h = (int)cinfo.output_height;
        int nc = cinfo.output_components;
        size_t plane = (size_t)w * (size_t)h;

        if ((st = cor_data_image_reserve_internal(img, 3, h, w)) != COR_OK
            || !(row = cor_malloc((size_t)w * (size_t)nc)))
        {
            jpeg_destroy_decompress(&cinfo);
            cor_free(file);
            cor_free(row);
            return st != COR_OK ? st : COR_ENOMEM;
        }
        while (cinfo.output_scanline < cinfo.output_height)
        {
            JSAMPROW rp = row;
            size_t y = cinfo.output_scanline;

            jpeg_read_scanlines(&cinfo, &rp, 1);
            for (int x = 0; x < w; x++)
            {
                const unsigned char *px = row + (size_t)x * nc;
                uint8_t r, g, b;

                if (nc == 4)
                {
                    /* Adobe inverted CMYK: the stored values are 255 - C etc. */
                    unsigned k = px[3];
                    r = (uint8_t)((px[0] * k + 127) / 255);
                    g = (uint8_t)((px[1] * k + 127) / 255);
                    b = (uint8_t)((px[2] * k + 127) / 255);
                }
                else
                    r = px[0], g = px[1], b = px[2];
                img->pix[y * w + x] = r;
                img->pix[plane + y * w + x] = g;
                img->pix[2 * plane + y * w + x] = b;
            }
        }
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    cor_free(file);
    cor_free(row);
    return COR_OK;
}
#endif /* HAVE_LIBJPEG */
