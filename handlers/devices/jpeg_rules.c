/* jpeg_rules.c — owns JPEG decoding, thumbnails and encoding (jpeg_rules.h) on
 * libturbojpeg 2.x. A handle is made per call: captures are rare, and a
 * function without hidden state is simpler to test and to reason about. */
#include <stdlib.h>
#include <string.h>

#include <turbojpeg.h>

#include "jpeg_rules.h"

/* Decoding flags: a warning (truncated or corrupt data) fails the call
 * instead of yielding a grey-filled image; at most a bounded number of
 * progressive scans, so a small file cannot buy unbounded CPU. */
#define DECODE_FLAGS (TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS)

/* The scaled size libjpeg will produce for w x h: the smallest factor <= 1
 * that keeps the shorter side >= min_side (min_side 0: factor 1; min_side
 * < 0: the smallest factor there is). */
static void scaled_size(int w, int h, int min_side, int *sw, int *sh)
{
    int nsf = 0, shorter = w < h ? w : h;
    tjscalingfactor *sf = tjGetScalingFactors(&nsf), best = {1, 1};

    for (int i = 0; min_side != 0 && sf != NULL && i < nsf; i++) {
        if (sf[i].num > sf[i].denom)
            continue;
        if (min_side > 0 && TJSCALED(shorter, sf[i]) < min_side)
            continue;
        /* a smaller factor than best? */
        if ((long)sf[i].num * best.denom < (long)best.num * sf[i].denom)
            best = sf[i];
    }
    *sw = TJSCALED(w, best);
    *sh = TJSCALED(h, best);
}

/* Decode into a fresh buffer: pixel format pf, scaled per min_side. */
static int decode(const unsigned char *buf, size_t len, int min_side, int pf,
                  struct jpeg_image *img, int *full_w, int *full_h)
{
    tjhandle tj = NULL;
    unsigned char *px = NULL;
    /* a tables-only stream (SOI, tables, EOI) passes the header call
     * without setting the size: 0 refuses it */
    int w = 0, h = 0, subsamp, cs, sw, sh, rc = JPEG_INVALID;

    /* SOI and the start of a marker: PNG, text and empty input stop here */
    if (buf == NULL || len < 4 || len > 0xffffffffUL || buf[0] != 0xff || buf[1] != 0xd8 ||
        buf[2] != 0xff)
        return JPEG_INVALID;
    if ((tj = tjInitDecompress()) == NULL)
        return JPEG_INVALID;
    if (tjDecompressHeader3(tj, buf, (unsigned long)len, &w, &h, &subsamp, &cs) < 0)
        goto err;
    if (w <= 0 || h <= 0)
        goto err;
    if (w > JPEG_MAX_SIDE || h > JPEG_MAX_SIDE) {
        rc = JPEG_TOO_LARGE;
        goto err;
    }
    scaled_size(w, h, min_side, &sw, &sh);
    px = malloc((size_t)sw * (size_t)sh * (size_t)tjPixelSize[pf]);
    if (px == NULL)
        goto err;
    if (tjDecompress2(tj, buf, (unsigned long)len, px, sw, 0, sh, pf, DECODE_FLAGS) < 0)
        goto err;
    tjDestroy(tj);
    img->width = sw;
    img->height = sh;
    img->rgb = px;
    *full_w = w;
    *full_h = h;
    return JPEG_OK;
err:
    free(px);
    tjDestroy(tj);
    return rc;
}

int jpeg_decode(const unsigned char *buf, size_t len, int min_side, struct jpeg_image *img)
{
    int w, h;

    return decode(buf, len, min_side > 0 ? min_side : 0, TJPF_RGB, img, &w, &h);
}

int jpeg_check(const unsigned char *buf, size_t len, int *width, int *height)
{
    struct jpeg_image img;
    int rc;

    /* RGB, as jpeg_decode, so a colour space it cannot convert fails
     * here too; at the smallest scale only the pixels are fewer */
    if ((rc = decode(buf, len, -1, TJPF_RGB, &img, width, height)) != JPEG_OK)
        return rc;
    jpeg_image_free(&img);
    return JPEG_OK;
}

void jpeg_image_free(struct jpeg_image *img)
{
    free(img->rgb);
    img->rgb = NULL;
    img->width = img->height = 0;
}

/* Source span of output index o when n source pixels become m:
 * [o*n/m, (o+1)*n/m) in source pixel units. */
struct span {
    int first, last;        /* source pixels touched */
    double lo, hi;          /* the exact interval */
};

static struct span span_of(int o, int n, int m)
{
    struct span s;

    s.lo = (double)o * n / m;
    s.hi = (double)(o + 1) * n / m;
    s.first = (int)s.lo;
    s.last = (int)s.hi;
    if ((double)s.last == s.hi)         /* the interval is open at hi */
        s.last--;
    if (s.last >= n)
        s.last = n - 1;
    if (s.last < s.first)
        s.last = s.first;
    return s;
}

/* how much of source pixel k lies inside the span */
static double weight(const struct span *s, int k)
{
    double a = s->lo > k ? s->lo : k, b = s->hi < k + 1 ? s->hi : k + 1;

    return b > a ? b - a : 0.0;
}

void jpeg_square_thumb(const struct jpeg_image *src, int side, unsigned char *out)
{
    int sq = src->width < src->height ? src->width : src->height;
    int x0 = (src->width - sq) / 2, y0 = (src->height - sq) / 2;
    size_t stride = (size_t)src->width * 3;

    for (int oy = 0; oy < side; oy++) {
        struct span sy = span_of(oy, sq, side);

        for (int ox = 0; ox < side; ox++) {
            struct span sx = span_of(ox, sq, side);
            double acc[3] = {0, 0, 0}, total = 0;

            for (int y = sy.first; y <= sy.last; y++) {
                double wy = weight(&sy, y);
                const unsigned char *row = src->rgb + (size_t)(y0 + y) * stride;

                for (int x = sx.first; x <= sx.last; x++) {
                    double wgt = wy * weight(&sx, x);
                    const unsigned char *p = row + (size_t)(x0 + x) * 3;

                    acc[0] += wgt * p[0];
                    acc[1] += wgt * p[1];
                    acc[2] += wgt * p[2];
                    total += wgt;
                }
            }
            unsigned char *q = out + ((size_t)oy * side + ox) * 3;
            for (int c = 0; c < 3; c++) {
                double v = total > 0 ? acc[c] / total + 0.5 : 0;
                q[c] = (unsigned char)(v > 255 ? 255 : v);
            }
        }
    }
}

unsigned char *jpeg_encode(const unsigned char *rgb, int w, int h, int quality, size_t *len)
{
    tjhandle tj = tjInitCompress();
    unsigned char *jpeg = NULL;
    unsigned long size = 0;

    if (tj == NULL)
        return NULL;
    if (tjCompress2(tj, rgb, w, 0, h, TJPF_RGB, &jpeg, &size, TJSAMP_420, quality, 0) < 0) {
        tjFree(jpeg);
        jpeg = NULL;
    } else {
        *len = size;
    }
    tjDestroy(tj);
    return jpeg;
}

void jpeg_free(unsigned char *buf)
{
    tjFree(buf);
}

int jpeg_thumbnail(const unsigned char *buf, size_t len, unsigned char **out, size_t *outlen)
{
    unsigned char px[JPEG_THUMB_SIDE * JPEG_THUMB_SIDE * 3];
    struct jpeg_image img;
    int rc;

    if ((rc = jpeg_decode(buf, len, JPEG_THUMB_SIDE, &img)) != JPEG_OK)
        return rc;
    jpeg_square_thumb(&img, JPEG_THUMB_SIDE, px);
    jpeg_image_free(&img);
    *out = jpeg_encode(px, JPEG_THUMB_SIDE, JPEG_THUMB_SIDE, JPEG_THUMB_QUALITY, outlen);
    return *out != NULL ? JPEG_OK : JPEG_INVALID;
}
