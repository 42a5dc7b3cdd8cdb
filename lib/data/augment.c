/* augment.c -- crop (with padding), resize of the shorter side, horizontal flip and
 * per-channel normalisation, in one pass from the source bytes to floats.
 *
 * Geometry: the source (H x W) is first resized to RH x RW (RH = H, RW = W without resize;
 * otherwise the shorter side becomes `resize` and the longer one round(longer * resize /
 * shorter)), then padded by `pad` zero pixels on each side, and an OH x OW window is taken at
 * offset (oy, ox) in [-pad, RH + pad - OH] x [-pad, RW + pad - OW] (uniform for a random
 * crop, centred otherwise), then mirrored when flip is drawn. Output pixel (y, x) therefore
 * reads resized pixel (oy + y, ox + x') with x' = OW - 1 - x when flipped, and is zero (before
 * normalisation, i.e. (0 - mean)/std, as torchvision pads the uint8 image with 0) outside.
 * A resized pixel (v, u) is the bilinear interpolation of the source at the point
 * ((v + 0.5) H / RH - 0.5, (u + 0.5) W / RW - 0.5) with clamping at the borders (the
 * half-pixel convention of OpenCV's INTER_LINEAR and PIL), computed for each output pixel,
 * so no intermediate image is stored. Without resize the bytes are copied exactly.
 * Random draws from the key: counter 0 the crop row, 1 the crop column, 2 the flip. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "data_impl.h"

void
cor_data_aug_identity(cor_data_aug *aug)
{
    memset(aug, 0, sizeof *aug);
    for (int c = 0; c < 3; c++)
    {
        aug->mean[c] = 0.0f;
        aug->std[c] = 1.0f;
    }
}

static void
resized_shape(const cor_data_aug *aug, int h, int w, int *rh, int *rw)
{
    if (aug->resize > 0 && h > 0 && w > 0)
    {
        if (h <= w)
        {
            *rh = aug->resize;
            *rw = (int)floor((double)w * aug->resize / h + 0.5);
        }
        else
        {
            *rw = aug->resize;
            *rh = (int)floor((double)h * aug->resize / w + 0.5);
        }
    }
    else
    {
        *rh = h;
        *rw = w;
    }
}

void
cor_data_aug_out_shape(const cor_data_aug *aug, int h, int w, int *oh, int *ow)
{
    int rh, rw;

    resized_shape(aug, h, w, &rh, &rw);
    *oh = aug->out_h > 0 ? aug->out_h : rh;
    *ow = aug->out_w > 0 ? aug->out_w : rw;
}

/* The offset of a window of size o in a range of size r padded by pad. */
static int
offset(int r, int o, int pad, int random, uint64_t key, uint64_t ctr)
{
    int span = r + 2 * pad - o; /* >= 0, checked by the caller */

    if (!random)
        return (r - o) / 2 - ((r - o) < 0 && (r - o) % 2 ? 1 : 0);
    {
        cor_data_rng g = {key, ctr};
        return (int)cor_data_rng_below(&g, (uint64_t)span + 1) - pad;
    }
}

int
cor_data_augment(float *out, const cor_data_image *img, const cor_data_aug *aug, uint64_t key)
{
    int rh, rw, oh, ow, oy, ox, flip = 0;
    size_t plane;

    if (!out || !img || !aug || !img->pix)
        return COR_ERROR(COR_EINVAL, "cor_data_augment: NULL argument");
    if (img->c < 1 || img->c > 3 || img->h < 1 || img->w < 1)
        return COR_ERROR(COR_EINVAL, "cor_data_augment: image of %d x %d x %d", img->c, img->h,
                         img->w);
    for (int c = 0; c < img->c; c++)
        if (!(aug->std[c] > 0))
            return COR_ERROR(COR_EINVAL, "cor_data_augment: std[%d] = %g is not positive", c,
                             (double)aug->std[c]);
    if (aug->pad < 0)
        return COR_ERROR(COR_EINVAL, "cor_data_augment: negative padding");
    resized_shape(aug, img->h, img->w, &rh, &rw);
    cor_data_aug_out_shape(aug, img->h, img->w, &oh, &ow);
    if (oh > rh + 2 * aug->pad || ow > rw + 2 * aug->pad)
        return COR_ERROR(COR_EINVAL, "cor_data_augment: crop %d x %d larger than the image "
                         "%d x %d padded by %d", oh, ow, rh, rw, aug->pad);
    oy = offset(rh, oh, aug->pad, aug->random_crop, key, 0);
    ox = offset(rw, ow, aug->pad, aug->random_crop, key, 1);
    if (aug->flip)
        flip = (int)(cor_data_rng_at(key, 2) >> 63);
    plane = (size_t)oh * (size_t)ow;
    for (int c = 0; c < img->c; c++)
    {
        const uint8_t *src = img->pix + (size_t)c * img->h * img->w;
        float scale = 1.0f / (255.0f * aug->std[c]);
        float shift = aug->mean[c] / aug->std[c];
        float *dst = out + c * plane;

        for (int y = 0; y < oh; y++)
        {
            int v = oy + y;

            for (int x = 0; x < ow; x++)
            {
                int u = ox + (flip ? ow - 1 - x : x);
                float p;

                if (v < 0 || v >= rh || u < 0 || u >= rw)
                    p = 0.0f;
                else if (rh == img->h && rw == img->w)
                    p = src[(size_t)v * img->w + u];
                else
                {
                    double sy = (v + 0.5) * img->h / rh - 0.5;
                    double sx = (u + 0.5) * img->w / rw - 0.5;
                    int y0, x0, y1, x1;
                    double fy, fx;

                    if (sy < 0)
                        sy = 0;
                    if (sx < 0)
                        sx = 0;
                    y0 = (int)sy;
                    x0 = (int)sx;
                    if (y0 > img->h - 1)
                        y0 = img->h - 1;
                    if (x0 > img->w - 1)
                        x0 = img->w - 1;
                    y1 = y0 + 1 < img->h ? y0 + 1 : y0;
                    x1 = x0 + 1 < img->w ? x0 + 1 : x0;
                    fy = sy - y0;
                    fx = sx - x0;
                    if (fy > 1)
                        fy = 1;
                    if (fx > 1)
                        fx = 1;
                    p = (float)((1 - fy) * ((1 - fx) * src[(size_t)y0 * img->w + x0]
                                            + fx * src[(size_t)y0 * img->w + x1])
                                + fy * ((1 - fx) * src[(size_t)y1 * img->w + x0]
                                        + fx * src[(size_t)y1 * img->w + x1]));
                }
                dst[(size_t)y * ow + x] = p * scale - shift;
            }
        }
    }
    return COR_OK;
}
