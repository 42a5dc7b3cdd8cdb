/* data_impl.h -- private structures of the data module (never installed). */
#ifndef COR_DATA_IMPL_H
#define COR_DATA_IMPL_H

#include "cor_data.h"

enum
{
    DATA_MEM = 1,   /* IDX, CIFAR-10: every image in pix */
    DATA_JPEG = 2   /* ImageNet folder: decoded on demand */
};

struct cor_dataset
{
    int kind;
    const char *format;    /* "idx", "cifar10", "imagenet" */
    size_t n;
    int c, h, w;           /* fixed shape (DATA_MEM); c = 3, h = w = 0 for DATA_JPEG */
    int nclass;
    int32_t *labels;       /* n labels */
    uint8_t *pix;          /* DATA_MEM: n * c * h * w bytes */
    char **class_names;    /* nclass names */
    char **files;          /* DATA_JPEG: n paths */
    int min_side;          /* DATA_JPEG: DCT-scaling target */
};

/* An empty dataset of the given kind (labels/pix/... to be filled), or NULL (COR_ENOMEM). */
cor_dataset *cor_data_alloc_internal(int kind, const char *format);
/* Numeric class names "0" .. "nclass-1" for ds (COR_ENOMEM). */
int cor_data_number_classes_internal(cor_dataset *ds);
/* Grows img to hold c*h*w bytes and sets its shape (COR_ENOMEM). */
int cor_data_image_reserve_internal(cor_data_image *img, int c, int h, int w);
/* Decodes the JPEG file path into img (3 channels, CHW), at the smallest DCT scale whose
 * shorter side is >= min_side (full size for min_side <= 0). COR_EIO, COR_EPARSE (with the
 * byte offset), COR_ENOMEM. */
int cor_data_jpeg_decode_internal(cor_data_image *img, const char *path, int min_side);

#endif
