/* tests/fuzz/jpeg.c — libFuzzer target: the JPEG checks of an enrollment
 * capture (handlers/devices/jpeg_rules.c) on any bytes, as enrollment.c
 * runs them: jpeg_check for most poses, jpeg_thumbnail for the front one.
 * Asserts that both take and refuse the same images for the same reason,
 * that an accepted image has sides 1..JPEG_MAX_SIDE and (when small
 * enough to decode whole here) decodes at full size to them, and that its
 * thumbnail is itself a JPEG_THUMB_SIDE square JPEG. */
#include <stdint.h>
#include <stdlib.h>

#include "devices/jpeg_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int w = 0, h = 0, tw = 0, th = 0;
    unsigned char *thumb = NULL;
    size_t tlen = 0;
    struct jpeg_image img;

    int rc = jpeg_check(data, size, &w, &h);
    int rt = jpeg_thumbnail(data, size, &thumb, &tlen);
    if (rc != rt)
        abort();
    if (rc != JPEG_OK) {
        if (rc != JPEG_INVALID && rc != JPEG_TOO_LARGE)
            abort();
        return 0;
    }
    if (w < 1 || h < 1 || w > JPEG_MAX_SIDE || h > JPEG_MAX_SIDE)
        abort();
    if (thumb == NULL || tlen == 0 || jpeg_check(thumb, tlen, &tw, &th) != JPEG_OK ||
        tw != JPEG_THUMB_SIDE || th != JPEG_THUMB_SIDE)
        abort();
    jpeg_free(thumb);
    if ((long)w * h <= 1024L * 1024L) {
        if (jpeg_decode(data, size, 0, &img) != JPEG_OK || img.width != w || img.height != h ||
            img.rgb == NULL)
            abort();
        jpeg_image_free(&img);
    }
    return 0;
}
