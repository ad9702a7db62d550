/* test_b64.c — handlers/devices/b64_rules.h: the RFC 4648 vectors both ways, round
 * trips of every length over a block boundary (no line breaks), a table of
 * text strict decoding refuses, the size cap, nothing written past cap
 * (an exact-size heap buffer for ASan, and a guard byte: libb64, which
 * ASan does not instrument, wrote the byte after padded input), data URL
 * prefixes, and a
 * descriptor's little-endian float32 bytes written out by hand. */
#include <stdlib.h>
#include <string.h>

#include "devices/b64_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- RFC 4648 section 10 ------------------------------------------------- */

static const struct {
    const char *plain, *coded;
} vec_tab[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
    {"\xff\xfe\xfd", "//79"},
    {"\xfb\xef\xbe", "++++"},
};

START_TEST(vectors)
{
    const char *plain = vec_tab[_i].plain, *coded = vec_tab[_i].coded;
    unsigned char dec[16];
    char enc[32];
    size_t n = 99;

    ck_assert_uint_eq(b64_encode((const unsigned char *)plain, strlen(plain), enc), strlen(coded));
    ck_assert_str_eq(enc, coded);
    ck_assert_uint_eq(B64_ENCODED_LEN(strlen(plain)), strlen(coded));
    ck_assert_int_eq(b64_decoded_size(coded, strlen(coded), &n), 0);
    ck_assert_uint_eq(n, strlen(plain));
    ck_assert_int_eq(b64_decode(coded, strlen(coded), dec, sizeof dec, &n), B64_OK);
    ck_assert_uint_eq(n, strlen(plain));
    ck_assert(memcmp(dec, plain, n) == 0);
}
END_TEST

/* ---- round trips of lengths 0..300 (libb64 wraps at 72 chars) ----------- */

START_TEST(round_trip)
{
    size_t len = (size_t)_i;
    unsigned char in[300], out[300];
    char enc[B64_ENCODED_LEN(300) + 1];
    size_t n;

    for (size_t k = 0; k < len; k++)
        in[k] = (unsigned char)(k * 37 + len);
    ck_assert_uint_eq(b64_encode(in, len, enc), B64_ENCODED_LEN(len));
    ck_assert_uint_eq(strlen(enc), B64_ENCODED_LEN(len));
    ck_assert_msg(strchr(enc, '\n') == NULL, "line break in the encoding of %zu bytes", len);
    ck_assert_int_eq(b64_decode(enc, strlen(enc), out, len, &n), B64_OK);
    ck_assert_uint_eq(n, len);
    ck_assert(memcmp(in, out, len) == 0);
}
END_TEST

/* ---- refused ------------------------------------------------------------- */

static const struct {
    const char *name;
    const char *text;
    size_t len;             /* 0: strlen(text) */
} bad_tab[] = {
    {"length 3", "Zg=", 0},
    {"length 5", "Zm9vY", 0},
    {"three pads", "Z===", 0},
    {"only pads", "====", 0},
    {"pad in the middle", "Zg==Zm9v", 0},
    {"pad first", "=Zm9", 0},
    {"pad then char", "Zg=a", 0},
    {"line break", "Zm9v\nYmFy", 0},
    {"trailing newline", "Zm9vYmE=\n", 0},
    {"space", "Zm9 vYmFy", 0},
    {"url-safe minus", "Zm9-", 0},
    {"url-safe underscore", "Zm9_", 0},
    {"dot", "Zm9.", 0},
    {"non-ASCII byte", "Zm9\xc3", 0},
    {"embedded NUL", "Zm\0v", 4},
    {"nonzero bits before ==", "Zh==", 0},
    {"nonzero bits before =", "Zm9=", 0},
};

START_TEST(refuses)
{
    const char *t = bad_tab[_i].text;
    size_t len = bad_tab[_i].len ? bad_tab[_i].len : strlen(t), n = 12345;
    unsigned char out[64];

    memset(out, 0xAA, sizeof out);
    ck_assert_msg(b64_decoded_size(t, len, &n) == -1, "%s: size accepted", bad_tab[_i].name);
    ck_assert_msg(b64_decode(t, len, out, sizeof out, &n) == B64_INVALID, "%s: decoded",
                  bad_tab[_i].name);
    for (size_t k = 0; k < sizeof out; k++)
        ck_assert_msg(out[k] == 0xAA, "%s: written on refusal", bad_tab[_i].name);
}
END_TEST

/* ---- the size cap --------------------------------------------------------- */

static const struct {
    const char *text;
    size_t cap;
    enum b64_result want;
} cap_tab[] = {
    {"Zm9vYmFy", 6, B64_OK},
    {"Zm9vYmFy", 5, B64_TOO_LARGE},
    {"Zm9vYmE=", 5, B64_OK},
    {"Zm9vYmE=", 4, B64_TOO_LARGE},
    {"Zg==", 1, B64_OK},
    {"Zg==", 0, B64_TOO_LARGE},
    {"", 0, B64_OK},
    {"Zg=", 100, B64_INVALID},           /* invalid wins over any cap */
};

START_TEST(size_cap)
{
    unsigned char out[16];
    size_t n = 0;

    memset(out, 0xAA, sizeof out);
    ck_assert_int_eq(b64_decode(cap_tab[_i].text, strlen(cap_tab[_i].text), out, cap_tab[_i].cap, &n),
                     cap_tab[_i].want);
    if (cap_tab[_i].want != B64_OK)
        for (size_t k = 0; k < sizeof out; k++)
            ck_assert_msg(out[k] == 0xAA, "written past a refusal");
}
END_TEST

/* ---- nothing past cap: an exact-size heap buffer (ASan), a guard byte ---- */

START_TEST(exact_size)
{
    size_t len = (size_t)_i, n = 0;
    unsigned char in[64], *heap = malloc(len), guarded[65];
    char enc[B64_ENCODED_LEN(64) + 1];

    ck_assert_ptr_nonnull(heap);
    for (size_t k = 0; k < len; k++)
        in[k] = (unsigned char)(0xF0 ^ k * 11);
    b64_encode(in, len, enc);
    ck_assert_int_eq(b64_decode(enc, strlen(enc), heap, len, &n), B64_OK);
    ck_assert_uint_eq(n, len);
    ck_assert(len == 0 || memcmp(heap, in, len) == 0);
    free(heap);
    memset(guarded, 0xAA, sizeof guarded);
    ck_assert_int_eq(b64_decode(enc, strlen(enc), guarded, len, &n), B64_OK);
    ck_assert_msg(guarded[len] == 0xAA, "byte %zu past cap written decoding %zu bytes", len, len);
}
END_TEST

/* ---- data URLs ------------------------------------------------------------ */

static const struct {
    const char *url;
    const char *want;       /* NULL: refused */
} url_tab[] = {
    {"data:image/jpeg;base64,QUJD", "QUJD"},
    {"data:image/jpeg;base64,", ""},
    {"data:image/png;base64,QUJD", NULL},
    {"data:image/jpeg,QUJD", NULL},
    {"data:image/jpeg;charset=x;base64,QUJD", NULL},
    {"DATA:image/jpeg;base64,QUJD", NULL},
    {"data:image/jpe;base64,QUJD", NULL},
    {"data:image/jpegx;base64,QUJD", NULL},
    {" data:image/jpeg;base64,QUJD", NULL},
    {"QUJD", NULL},
    {"", NULL},
};

START_TEST(data_url)
{
    size_t len = 999;
    const char *p = b64_data_url(url_tab[_i].url, "image/jpeg", &len);

    if (url_tab[_i].want == NULL) {
        ck_assert_msg(p == NULL, "%s accepted", url_tab[_i].url);
    } else {
        ck_assert_msg(p != NULL, "%s refused", url_tab[_i].url);
        ck_assert_str_eq(p, url_tab[_i].want);
        ck_assert_uint_eq(len, strlen(url_tab[_i].want));
    }
}
END_TEST

START_TEST(data_url_null)
{
    size_t len;

    ck_assert_ptr_null(b64_data_url(NULL, "image/jpeg", &len));
}
END_TEST

/* ---- descriptors as little-endian float32 ----------------------------------- */

START_TEST(descriptor)
{
    float d[DESCRIPTOR_DIM] = {1.0f, -2.0f, 0.5f, 0.1f};
    /* IEEE-754 single, least significant byte first */
    static const unsigned char want[16] = {
        0x00, 0x00, 0x80, 0x3f,     /* 1.0 */
        0x00, 0x00, 0x00, 0xc0,     /* -2.0 */
        0x00, 0x00, 0x00, 0x3f,     /* 0.5 */
        0xcd, 0xcc, 0xcc, 0x3d,     /* 0.1f */
    };
    unsigned char bytes[DESCRIPTOR_DIM * 4];
    char enc[B64_DESCRIPTOR_LEN + 1];
    size_t n;

    d[127] = -0.0f;
    b64_descriptor(d, enc);
    ck_assert_uint_eq(strlen(enc), 684);
    ck_assert_uint_eq(B64_DESCRIPTOR_LEN, 684);
    ck_assert(strncmp(enc, "AACAPwAAAMAAAAA/zczMPQAAAAA", 27) == 0);
    ck_assert_int_eq(b64_decode(enc, strlen(enc), bytes, sizeof bytes, &n), B64_OK);
    ck_assert_uint_eq(n, sizeof bytes);
    ck_assert(memcmp(bytes, want, sizeof want) == 0);
    for (size_t k = 16; k < 508; k++)
        ck_assert_uint_eq(bytes[k], 0);
    ck_assert_uint_eq(bytes[508], 0x00);
    ck_assert_uint_eq(bytes[511], 0x80);   /* -0.0: the sign bit only */
}
END_TEST

UNIT_SUITE(suite_b64)
{
    Suite *s = suite_create("b64");
    TCase *tc;

    tc = tcase_create("codec");
    tcase_add_loop_test(tc, vectors, 0, NELEM(vec_tab));
    tcase_add_loop_test(tc, round_trip, 0, 301);
    tcase_add_loop_test(tc, refuses, 0, NELEM(bad_tab));
    tcase_add_loop_test(tc, size_cap, 0, NELEM(cap_tab));
    tcase_add_loop_test(tc, exact_size, 0, 65);
    suite_add_tcase(s, tc);

    tc = tcase_create("data_url");
    tcase_add_loop_test(tc, data_url, 0, NELEM(url_tab));
    tcase_add_test(tc, data_url_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("descriptor");
    tcase_add_test(tc, descriptor);
    suite_add_tcase(s, tc);

    return s;
}
