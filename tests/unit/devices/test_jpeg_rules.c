/* test_jpeg.c — handlers/devices/jpeg_rules.h with JPEGs made here by libturbojpeg's
 * compressor from synthetic images (a gradient: red across, green down,
 * with a magenta square in the centre): decode round trips, thumbnails
 * that are 128x128, taken from the centre and cropped rather than
 * stretched (wide, tall, large and small inputs), the area averaging on
 * exact pixels, and a table of byte strings that must be refused. */
#include <stdlib.h>
#include <string.h>

#include <turbojpeg.h>

#include "devices/jpeg_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* the square's colour; the background's blue is BG_BLUE */
#define SQ_R 255
#define SQ_G 0
#define SQ_B 255
#define BG_BLUE 40

/* w x h RGB: red = x across, green = y down, blue BG_BLUE; a centred
 * magenta square of side sq (0: none). Caller frees. */
static unsigned char *
make_rgb(int w, int h, int sq)
{
    unsigned char *px = malloc((size_t)w * h * 3);
    int x0 = (w - sq) / 2, y0 = (h - sq) / 2;

    ck_assert_ptr_nonnull(px);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            unsigned char *p = px + ((size_t)y * w + x) * 3;
            int in = sq > 0 && x >= x0 && x < x0 + sq && y >= y0 && y < y0 + sq;

            p[0] = in ? SQ_R : (unsigned char)(w > 1 ? x * 255 / (w - 1) : 0);
            p[1] = in ? SQ_G : (unsigned char)(h > 1 ? y * 255 / (h - 1) : 0);
            p[2] = in ? SQ_B : BG_BLUE;
        }
    return px;
}

/* The JPEG of make_rgb(w, h, sq) (tjFree it). */
static unsigned char *
make_jpeg(int w, int h, int sq, int quality, int subsamp, size_t *len)
{
    tjhandle tj = tjInitCompress();
    unsigned char *px = make_rgb(w, h, sq), *jpeg = NULL;
    unsigned long size = 0;

    ck_assert_ptr_nonnull(tj);
    ck_assert_msg(tjCompress2(tj, px, w, 0, h, TJPF_RGB, &jpeg, &size, subsamp, quality, 0) == 0,
                  "tjCompress2: %s", tjGetErrorStr2(tj));
    tjDestroy(tj);
    free(px);
    *len = size;
    return jpeg;
}

/* ---- decode round trip ----------------------------------------------------- */

static const struct {
    int w, h;
} rt_tab[] = {
    {64, 48}, {320, 240}, {17, 33}, {1, 1}, {8, 200}, {4096, 16}, {16, 4096},
};

START_TEST(round_trip)
{
    int w = rt_tab[_i].w, h = rt_tab[_i].h, fw = 0, fh = 0, worst = 0;
    size_t len;
    unsigned char *jpeg = make_jpeg(w, h, 0, 100, TJSAMP_444, &len), *px = make_rgb(w, h, 0);
    struct jpeg_image img;

    ck_assert_int_eq(jpeg_decode(jpeg, len, 0, &img), 0);
    ck_assert_int_eq(img.width, w);
    ck_assert_int_eq(img.height, h);
    for (size_t k = 0; k < (size_t)w * h * 3; k++) {
        int d = abs((int)img.rgb[k] - (int)px[k]);
        worst = d > worst ? d : worst;
    }
    ck_assert_msg(worst <= 6, "%dx%d: a pixel is off by %d", w, h, worst);
    ck_assert_int_eq(jpeg_check(jpeg, len, &fw, &fh), 0);
    ck_assert_int_eq(fw, w);
    ck_assert_int_eq(fh, h);
    jpeg_image_free(&img);
    ck_assert_ptr_null(img.rgb);
    free(px);
    tjFree(jpeg);
}
END_TEST

/* min_side lets libjpeg scale down, never below min_side */
static const struct {
    int w, h, min_side, want_w, want_h;
} scale_tab[] = {
    {1600, 1200, 128, 200, 150},    /* 1/8 keeps 150 >= 128 */
    {1024, 1024, 128, 128, 128},
    {1000, 300, 128, 500, 150},     /* 1/2: 3/8 would give 113 */
    {300, 1000, 128, 150, 500},
    {100, 60, 128, 100, 60},        /* already small: full size */
    {800, 600, 0, 800, 600},        /* 0: full size */
};

START_TEST(scaled_decode)
{
    size_t len;
    unsigned char *jpeg = make_jpeg(scale_tab[_i].w, scale_tab[_i].h, 0, 90, TJSAMP_420, &len);
    struct jpeg_image img;

    ck_assert_int_eq(jpeg_decode(jpeg, len, scale_tab[_i].min_side, &img), 0);
    ck_assert_int_eq(img.width, scale_tab[_i].want_w);
    ck_assert_int_eq(img.height, scale_tab[_i].want_h);
    jpeg_image_free(&img);
    tjFree(jpeg);
}
END_TEST

/* ---- thumbnails ------------------------------------------------------------- */

static const struct {
    const char *name;
    int w, h;
} th_tab[] = {
    {"square", 256, 256},
    {"wide", 400, 200},
    {"tall", 200, 400},
    {"large wide (decoded at 1/8)", 1920, 1080},
    {"large tall", 1080, 1920},
    {"small (scaled up)", 96, 60},
    {"exactly 128", 128, 128},
};

/* whether a thumbnail pixel is the square's magenta */
static int
is_square(const unsigned char *p)
{
    return p[0] > 180 && p[1] < 90 && p[2] > 180;
}

START_TEST(thumbnail)
{
    int w = th_tab[_i].w, h = th_tab[_i].h, side = w < h ? w : h, sq = side / 3;
    int x0 = (w - side) / 2, y0 = (h - side) / 2;
    size_t len, tlen = 0;
    unsigned char *jpeg = make_jpeg(w, h, sq, 95, TJSAMP_444, &len);
    unsigned char *thumb = NULL;
    struct jpeg_image t;
    int across = 0, down = 0;
    const char *name = th_tab[_i].name;

    ck_assert_msg(jpeg_thumbnail(jpeg, len, &thumb, &tlen) == JPEG_OK, "%s: no thumbnail", name);
    ck_assert_int_eq(jpeg_decode(thumb, tlen, 0, &t), 0);
    ck_assert_int_eq(t.width, JPEG_THUMB_SIDE);
    ck_assert_int_eq(t.height, JPEG_THUMB_SIDE);

    /* the centre is the square's colour */
    const unsigned char *c = t.rgb + ((size_t)64 * 128 + 64) * 3;
    ck_assert_msg(is_square(c), "%s: centre is %d,%d,%d", name, c[0], c[1], c[2]);

    /* the square stays square: as many magenta pixels across the middle
     * row as down the middle column, about 128/3 of each (stretching a
     * 2:1 image would make one of them half the other) */
    for (int k = 0; k < 128; k++) {
        across += is_square(t.rgb + ((size_t)64 * 128 + k) * 3);
        down += is_square(t.rgb + ((size_t)k * 128 + 64) * 3);
    }
    double want = 128.0 * sq / side;
    ck_assert_msg(abs(across - down) <= 2, "%s: square is %d wide, %d tall", name, across, down);
    ck_assert_msg(across > want - 4 && across < want + 4, "%s: square %d wide, want ~%.1f", name,
                  across, want);

    /* cropped, not stretched: the corners show the gradient where the
     * centre square of the source begins and ends */
    const unsigned char *tl = t.rgb, *br = t.rgb + ((size_t)127 * 128 + 127) * 3;
    int r_tl = w > 1 ? x0 * 255 / (w - 1) : 0, g_tl = h > 1 ? y0 * 255 / (h - 1) : 0;
    int r_br = (x0 + side - 1) * 255 / (w - 1), g_br = (y0 + side - 1) * 255 / (h - 1);
    ck_assert_msg(abs(tl[0] - r_tl) <= 12 && abs(tl[1] - g_tl) <= 12, "%s: top left %d,%d want %d,%d",
                  name, tl[0], tl[1], r_tl, g_tl);
    ck_assert_msg(abs(br[0] - r_br) <= 12 && abs(br[1] - g_br) <= 12,
                  "%s: bottom right %d,%d want %d,%d", name, br[0], br[1], r_br, g_br);
    ck_assert_msg(abs(tl[2] - BG_BLUE) <= 12, "%s: background blue %d", name, tl[2]);

    jpeg_image_free(&t);
    jpeg_free(thumb);
    tjFree(jpeg);
}
END_TEST

/* ---- area averaging on exact pixels ------------------------------------------ */

/* one-channel test images: value v at (x, y) in every channel */
static void
fill(struct jpeg_image *img, int w, int h, const int *v)
{
    img->width = w;
    img->height = h;
    img->rgb = malloc((size_t)w * h * 3);
    for (int k = 0; k < w * h; k++)
        img->rgb[3 * k] = img->rgb[3 * k + 1] = img->rgb[3 * k + 2] = (unsigned char)v[k];
}

static const struct {
    const char *name;
    int w, h, side;
    int px[36];
    int want[9];
} area_tab[] = {
    /* 4x2: the centre 2x2 (columns 1, 2) averaged into one pixel */
    {"wide crop to 1", 4, 2, 1, {0, 10, 30, 200, 0, 50, 70, 200}, {40}},
    /* 2x4: rows 1, 2 */
    {"tall crop to 1", 2, 4, 1, {200, 200, 10, 30, 50, 70, 200, 200}, {40}},
    /* 4x4 to 2x2: 2x2 blocks */
    {"halve", 4, 4, 2, {0, 4, 100, 100, 8, 12, 100, 100, 50, 50, 1, 3, 50, 50, 5, 7}, {6, 100, 50, 4}},
    /* 3x3 to 2x2: out(0,0) covers [0,1.5)^2: weights 1, .5, .5, .25 */
    {"fractional", 3, 3, 2, {90, 0, 0, 0, 0, 0, 0, 0, 0}, {40, 0, 0, 0}},
    /* 1x1 to 2x2: scaled up, every pixel the one */
    {"up", 1, 1, 2, {77}, {77, 77, 77, 77}},
    /* 5x3: centre columns 1..3 to 3x3 is a copy */
    {"copy", 5, 3, 3, {9, 1, 2, 3, 9, 9, 4, 5, 6, 9, 9, 7, 8, 9, 9}, {1, 2, 3, 4, 5, 6, 7, 8, 9}},
};

START_TEST(area_average)
{
    struct jpeg_image img;
    unsigned char out[9 * 3];
    int side = area_tab[_i].side;

    fill(&img, area_tab[_i].w, area_tab[_i].h, area_tab[_i].px);
    jpeg_square_thumb(&img, side, out);
    for (int k = 0; k < side * side; k++)
        for (int c = 0; c < 3; c++)
            ck_assert_msg(out[3 * k + c] == area_tab[_i].want[k], "%s: pixel %d = %d, want %d",
                          area_tab[_i].name, k, out[3 * k + c], area_tab[_i].want[k]);
    jpeg_image_free(&img);
}
END_TEST

/* ---- refused ------------------------------------------------------------------ */

enum damage { D_NONE, D_TRUNC_HALF, D_TRUNC_EOI, D_TRUNC_HEADER, D_ZERO_WIDTH, D_GARBAGE_BODY,
              D_NO_SOI, D_TABLES_ONLY };

static const struct {
    const char *name;
    const char *bytes;      /* literal input, or NULL: a made JPEG, damaged */
    size_t len;
    int w, h;
    enum damage damage;
    enum jpeg_result want;
} bad_tab[] = {
    {"empty", "", 0, 0, 0, D_NONE, JPEG_INVALID},
    {"SOI only", "\xff\xd8", 2, 0, 0, D_NONE, JPEG_INVALID},
    {"SOI and a marker byte", "\xff\xd8\xff", 3, 0, 0, D_NONE, JPEG_INVALID},
    {"SOI EOI", "\xff\xd8\xff\xd9", 4, 0, 0, D_NONE, JPEG_INVALID},
    {"PNG", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0\x90\x91h6", 33, 0, 0, D_NONE, JPEG_INVALID},
    {"GIF", "GIF89a\x10\0\x10\0\x80\0\0", 13, 0, 0, D_NONE, JPEG_INVALID},
    {"text", "not a jpeg at all", 17, 0, 0, D_NONE, JPEG_INVALID},
    {"SOI then garbage", "\xff\xd8\xff\xe0garbagegarbagegarbagegarbage", 32, 0, 0, D_NONE, JPEG_INVALID},
    {"truncated at half", NULL, 0, 64, 64, D_TRUNC_HALF, JPEG_INVALID},
    {"EOI cut off", NULL, 0, 64, 64, D_TRUNC_EOI, JPEG_INVALID},
    {"cut inside the header", NULL, 0, 64, 64, D_TRUNC_HEADER, JPEG_INVALID},
    {"width 0 in SOF", NULL, 0, 64, 64, D_ZERO_WIDTH, JPEG_INVALID},
    {"entropy data overwritten", NULL, 0, 64, 64, D_GARBAGE_BODY, JPEG_INVALID},
    {"SOI removed", NULL, 0, 64, 64, D_NO_SOI, JPEG_INVALID},
    /* SOI, the tables, EOI: libjpeg reads a header without a size */
    {"tables only", NULL, 0, 64, 64, D_TABLES_ONLY, JPEG_INVALID},
    {"wider than 4096", NULL, 0, 4097, 16, D_NONE, JPEG_TOO_LARGE},
    {"taller than 4096", NULL, 0, 16, 4097, D_NONE, JPEG_TOO_LARGE},
};

/* position of the SOF0 marker's width field, or 0 */
static size_t
sof_width_at(const unsigned char *j, size_t len)
{
    for (size_t k = 2; k + 9 < len; k++)
        if (j[k] == 0xff && j[k + 1] == 0xc0)
            return k + 7;
    return 0;
}

/* position of the first byte after the SOS header */
static size_t
scan_at(const unsigned char *j, size_t len)
{
    for (size_t k = 2; k + 4 < len; k++)
        if (j[k] == 0xff && j[k + 1] == 0xda)
            return k + 2 + ((size_t)j[k + 2] << 8 | j[k + 3]);
    return 0;
}

START_TEST(refuses)
{
    const char *name = bad_tab[_i].name;
    unsigned char *buf, *made = NULL;
    size_t len, at;
    struct jpeg_image img = {7, 7, (unsigned char *)"untouched"};
    int w = -1, h = -1;

    if (bad_tab[_i].bytes != NULL) {
        len = bad_tab[_i].len;
        buf = malloc(len + 1);
        memcpy(buf, bad_tab[_i].bytes, len);
    } else {
        made = make_jpeg(bad_tab[_i].w, bad_tab[_i].h, 8, 90, TJSAMP_420, &len);
        buf = malloc(len);
        memcpy(buf, made, len);
        switch (bad_tab[_i].damage) {
        case D_NONE:
            break;
        case D_TRUNC_HALF:
            len /= 2;
            break;
        case D_TRUNC_EOI:
            ck_assert(buf[len - 2] == 0xff && buf[len - 1] == 0xd9);
            len -= 2;
            break;
        case D_TRUNC_HEADER:
            len = scan_at(buf, len) - 4;
            break;
        case D_ZERO_WIDTH:
            at = sof_width_at(buf, len);
            ck_assert(at > 0);
            buf[at] = buf[at + 1] = 0;
            break;
        case D_GARBAGE_BODY:
            at = scan_at(buf, len);
            ck_assert(at > 0 && at + 64 < len);
            for (size_t k = 0; k < 64; k++)
                buf[at + k] = (unsigned char)(k & 1 ? 0xd3 : 0xff);   /* restart markers out of place */
            break;
        case D_NO_SOI:
            buf[0] = 0;
            break;
        case D_TABLES_ONLY:
            at = sof_width_at(buf, len);
            ck_assert(at > 7);
            len = at - 7;               /* up to the SOF marker */
            buf[len++] = 0xff;
            buf[len++] = 0xd9;
            break;
        }
    }

    enum jpeg_result want = bad_tab[_i].want;
    unsigned char *thumb = NULL;
    size_t tlen = 0;

    ck_assert_msg(jpeg_decode(buf, len, 0, &img) == (int)want, "%s: decoded", name);
    ck_assert_msg(img.width == 7 && img.height == 7, "%s: img written on refusal", name);
    ck_assert_msg(jpeg_decode(buf, len, JPEG_THUMB_SIDE, &img) == (int)want, "%s: decoded scaled", name);
    ck_assert_msg(jpeg_check(buf, len, &w, &h) == (int)want, "%s: checked", name);
    ck_assert_msg(jpeg_thumbnail(buf, len, &thumb, &tlen) == (int)want, "%s: thumbnail made", name);
    ck_assert_ptr_null(thumb);
    free(buf);
    tjFree(made);
}
END_TEST

START_TEST(refuses_null)
{
    struct jpeg_image img;
    unsigned char *t = NULL;
    int w, h;
    size_t n;

    ck_assert_int_eq(jpeg_decode(NULL, 100, 0, &img), JPEG_INVALID);
    ck_assert_int_eq(jpeg_check(NULL, 100, &w, &h), JPEG_INVALID);
    ck_assert_int_eq(jpeg_thumbnail(NULL, 100, &t, &n), JPEG_INVALID);
}
END_TEST

/* ---- encoding ------------------------------------------------------------------ */

START_TEST(encode)
{
    unsigned char *px = make_rgb(128, 128, 40), *jpeg;
    struct jpeg_image img;
    size_t len = 0;

    jpeg = jpeg_encode(px, 128, 128, JPEG_THUMB_QUALITY, &len);
    ck_assert_ptr_nonnull(jpeg);
    ck_assert(len > 100 && len < 20000);
    ck_assert(jpeg[0] == 0xff && jpeg[1] == 0xd8 && jpeg[len - 2] == 0xff && jpeg[len - 1] == 0xd9);
    ck_assert_int_eq(jpeg_decode(jpeg, len, 0, &img), 0);
    ck_assert(is_square(img.rgb + ((size_t)64 * 128 + 64) * 3));
    jpeg_image_free(&img);
    jpeg_free(jpeg);
    free(px);
}
END_TEST

UNIT_SUITE(suite_jpeg)
{
    Suite *s = suite_create("jpeg");
    TCase *tc;

    tc = tcase_create("decode");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, round_trip, 0, NELEM(rt_tab));
    tcase_add_loop_test(tc, scaled_decode, 0, NELEM(scale_tab));
    tcase_add_loop_test(tc, refuses, 0, NELEM(bad_tab));
    tcase_add_test(tc, refuses_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("thumbnail");
    tcase_add_loop_test(tc, thumbnail, 0, NELEM(th_tab));
    tcase_add_loop_test(tc, area_average, 0, NELEM(area_tab));
    tcase_add_test(tc, encode);
    suite_add_tcase(s, tc);

    return s;
}
