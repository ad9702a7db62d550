/* jpeg_rules.h — JPEG images held in memory, through libturbojpeg: decoding
 * that refuses anything but a whole, valid JPEG of bounded size; the
 * square thumbnail (centre-cropped, then area-averaged, never stretched);
 * encoding. Pure: no I/O. Pixel buffers are RGB, 3 bytes a pixel, rows
 * packed, top row first. */
#ifndef FC_JPEG_H
#define FC_JPEG_H

#include <stddef.h>

#define JPEG_MAX_SIDE 4096          /* wider or taller images are refused */
#define JPEG_THUMB_SIDE 128
#define JPEG_THUMB_QUALITY 85

/* what the decoding functions return */
enum jpeg_result {
    JPEG_OK = 0,
    JPEG_INVALID = -1,              /* not one whole, valid JPEG */
    JPEG_TOO_LARGE = -2,            /* a valid header, but wider or taller than JPEG_MAX_SIDE */
};

struct jpeg_image {
    int width, height;
    unsigned char *rgb;             /* width * height * 3; jpeg_image_free */
};

/* Decode buf[0..len) into img. With min_side > 0 libjpeg scales down while
 * decoding (DCT scaling, 1/2 .. 1/8) as far as the shorter side stays at
 * least min_side; 0 decodes at full size. JPEG_INVALID (img untouched) for
 * anything that is not one complete JPEG: no SOI marker, corrupt or
 * truncated data (any libjpeg warning counts), a colour space that does not
 * convert to RGB, a side of 0; JPEG_TOO_LARGE for a side over
 * JPEG_MAX_SIDE (nothing decoded). On JPEG_OK the caller releases img with
 * jpeg_image_free. */
int jpeg_decode(const unsigned char *buf, size_t len, int min_side, struct jpeg_image *img);

/* Whether buf[0..len) is what jpeg_decode accepts, decoding at the
 * smallest scale (every entropy-coded byte is still read, so truncation and
 * corruption are found; little memory). JPEG_OK with the full *width and
 * *height, or jpeg_decode's refusal. */
int jpeg_check(const unsigned char *buf, size_t len, int *width, int *height);

void jpeg_image_free(struct jpeg_image *img);

/* The centre square of src (side min(width, height)) scaled to side x side
 * by area averaging into out (side * side * 3 bytes). */
void jpeg_square_thumb(const struct jpeg_image *src, int side, unsigned char *out);

/* Encode w x h RGB pixels as a baseline JPEG (4:2:0) at quality 1..100.
 * Returns a buffer the caller releases with jpeg_free, *len its size; NULL
 * on failure. */
unsigned char *jpeg_encode(const unsigned char *rgb, int w, int h, int quality, size_t *len);

void jpeg_free(unsigned char *buf);

/* The JPEG_THUMB_SIDE square thumbnail of the JPEG in buf[0..len), as a
 * JPEG at JPEG_THUMB_QUALITY: jpeg_decode (scaled for the thumbnail),
 * jpeg_square_thumb, jpeg_encode. JPEG_OK with *out (the caller releases it
 * with jpeg_free) and *outlen; else jpeg_decode's refusal, or JPEG_INVALID
 * when encoding fails. */
int jpeg_thumbnail(const unsigned char *buf, size_t len, unsigned char **out, size_t *outlen);

#endif
