/* test_seal.c — fcgi/seal.h: what a stored record is (keyed, legacy,
 * clear), which key of a ring opens it, whether it needs re-sealing, the
 * ring itself; and fcgi/config.h's reading of the data keys
 * (FACECLOCK_DATA_KEY, FACECLOCK_DATA_KEY_OLD) and of the key hashing key
 * (FACECLOCK_KEY_HASH_KEY). */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "seal.h"
#include "unit.h"

#define PLAIN_LEN 40
#define LEGACY_LEN (PLAIN_LEN + CRYPTO_SEAL_OVERHEAD)

static const char aad[] = "faceclock:face:1:2";

static void key_fill(unsigned char key[32], unsigned char fill)
{
    memset(key, fill, 32);
}

/* a ring of the keys filled with fills[0..n) (fills[0] current) */
static void ring_of(struct seal_ring *ring, const unsigned char *fills, int n)
{
    memset(ring, 0, sizeof *ring);
    for (int i = 0; i < n; i++) {
        unsigned char k[32];
        key_fill(k, fills[i]);
        ck_assert_int_eq(seal_ring_add(ring, k), 0);
    }
}

/* ---- what a record is ---- */

enum bytes { B_KEYED, B_KEYED_SHORT, B_LEGACY_MAGIC, B_JPEG, B_EMPTY, B_OTHER_VERSION };

static const struct form_case {
    enum bytes bytes;
    size_t n, legacy_len;
    enum seal_form want;
} form_cases[] = {
    {B_KEYED, PLAIN_LEN + SEAL_OVERHEAD, LEGACY_LEN, SEAL_KEYED},
    {B_KEYED, PLAIN_LEN + SEAL_OVERHEAD, 0, SEAL_KEYED},
    {B_KEYED, SEAL_OVERHEAD, 0, SEAL_KEYED},                 /* empty plain text */
    {B_KEYED_SHORT, SEAL_OVERHEAD - 1, 0, SEAL_CLEAR},       /* header, no room for a tag */
    {B_LEGACY_MAGIC, LEGACY_LEN, LEGACY_LEN, SEAL_LEGACY},   /* a nonce that looks like a header */
    {B_LEGACY_MAGIC, LEGACY_LEN, 0, SEAL_KEYED},             /* no legacy form: its header wins */
    {B_JPEG, 200, 0, SEAL_CLEAR},
    {B_JPEG, LEGACY_LEN, LEGACY_LEN, SEAL_LEGACY},
    {B_EMPTY, 0, 0, SEAL_CLEAR},
    {B_EMPTY, 0, LEGACY_LEN, SEAL_CLEAR},
    {B_OTHER_VERSION, PLAIN_LEN + SEAL_OVERHEAD, 0, SEAL_CLEAR},
};

START_TEST(form_of)
{
    const struct form_case *c = &form_cases[_i];
    unsigned char buf[512];
    memset(buf, 0x5a, sizeof buf);
    switch (c->bytes) {
    case B_KEYED: case B_KEYED_SHORT: case B_LEGACY_MAGIC:
        buf[0] = SEAL_MAGIC0, buf[1] = SEAL_MAGIC1;
        break;
    case B_JPEG:
        buf[0] = 0xff, buf[1] = 0xd8, buf[2] = 0xff;
        break;
    case B_OTHER_VERSION:
        buf[0] = SEAL_MAGIC0, buf[1] = SEAL_MAGIC1 + 1;
        break;
    case B_EMPTY:
        break;
    }
    ck_assert_int_eq(seal_form_of(buf, c->n, c->legacy_len), c->want);
}
END_TEST

/* ---- which key opens a record ---- */

enum record { R_KEYED, R_LEGACY, R_LEGACY_HEADER, R_OTHER_AAD, R_ID_SWAPPED, R_TAMPERED, R_CLEAR };

static const struct open_case {
    const char *what;
    unsigned char sealer;        /* fill of the key that sealed it */
    enum record record;
    unsigned char ring[3];       /* fills of the reader's ring, current first; 0 ends */
    size_t cap;
    int opens, current;
} open_cases[] = {
    {"its own key, current", 1, R_KEYED, {1}, PLAIN_LEN, 1, 1},
    {"its key, now old", 1, R_KEYED, {2, 1}, PLAIN_LEN, 1, 0},
    {"its key, third of the ring", 1, R_KEYED, {3, 2, 1}, PLAIN_LEN, 1, 0},
    {"its key dropped", 1, R_KEYED, {2}, PLAIN_LEN, 0, 0},
    {"legacy under the current key", 1, R_LEGACY, {1}, PLAIN_LEN, 1, 0},
    {"legacy under an old key", 1, R_LEGACY, {2, 1}, PLAIN_LEN, 1, 0},
    {"legacy, its key dropped", 1, R_LEGACY, {2, 3}, PLAIN_LEN, 0, 0},
    /* a legacy record is legacy, whatever its nonce begins with (found by
     * tests/fuzz/seal.c: seal_is_current took it for a keyed record) */
    {"legacy, nonce like the current header", 1, R_LEGACY_HEADER, {1}, PLAIN_LEN, 0, 0},
    {"bound to something else", 1, R_OTHER_AAD, {1}, PLAIN_LEN, 0, 1},
    {"names a key that did not seal it", 1, R_ID_SWAPPED, {2, 1}, PLAIN_LEN, 0, 1},
    {"a byte changed", 1, R_TAMPERED, {1}, PLAIN_LEN, 0, 1},
    {"plain text does not fit", 1, R_KEYED, {1}, PLAIN_LEN - 1, 0, 1},
    {"legacy does not fit", 1, R_LEGACY, {1}, PLAIN_LEN - 1, 0, 0},
    {"clear bytes", 1, R_CLEAR, {1}, PLAIN_LEN, 0, 0},
    {"an empty ring", 1, R_KEYED, {0}, PLAIN_LEN, 0, 0},
};

START_TEST(open_by_key_id)
{
    const struct open_case *c = &open_cases[_i];
    struct seal_ring sealer, reader;
    unsigned char plain[PLAIN_LEN], rec[PLAIN_LEN + SEAL_OVERHEAD], out[PLAIN_LEN];
    size_t n = 0, got = 0, legacy = LEGACY_LEN;
    int nring = 0;

    for (int i = 0; i < PLAIN_LEN; i++)
        plain[i] = (unsigned char)(i * 7 + 1);
    ring_of(&sealer, &c->sealer, 1);
    while (nring < 3 && c->ring[nring] != 0)
        nring++;
    ring_of(&reader, c->ring, nring);
    switch (c->record) {
    case R_LEGACY:
    case R_LEGACY_HEADER:
        ck_assert_int_eq(crypto_seal(sealer.keys[0].key, aad, strlen(aad), plain, PLAIN_LEN, rec), 0);
        n = LEGACY_LEN;
        if (c->record == R_LEGACY_HEADER)
            ck_assert_int_eq(seal_current_header(&reader, rec), 0);
        break;
    case R_CLEAR:
        memcpy(rec, plain, PLAIN_LEN);
        n = PLAIN_LEN;
        break;
    default:
        ck_assert_int_eq(seal_record(&sealer, c->record == R_OTHER_AAD ? "faceclock:face:1:3" : aad,
                                     strlen(aad), plain, PLAIN_LEN, rec), 0);
        n = sizeof rec;
        ck_assert_int_eq(seal_form_of(rec, n, legacy), SEAL_KEYED);
        if (c->record == R_ID_SWAPPED && nring > 0)
            memcpy(rec + 2, reader.keys[0].id, SEAL_KEY_ID_LEN);
        if (c->record == R_TAMPERED)
            rec[SEAL_HEADER_LEN + 14] ^= 1;
    }
    int rc = seal_open(&reader, aad, strlen(aad), rec, n, legacy, out, c->cap, &got);
    ck_assert_msg(rc == (c->opens ? 0 : -1), "%s: seal_open %d", c->what, rc);
    if (c->opens) {
        ck_assert_uint_eq(got, PLAIN_LEN);
        ck_assert_mem_eq(out, plain, PLAIN_LEN);
    }
    ck_assert_msg(seal_is_current(&reader, rec, n, legacy) == c->current, "%s: current", c->what);
}
END_TEST

START_TEST(sealing_needs_a_key)
{
    struct seal_ring empty;
    unsigned char rec[8 + SEAL_OVERHEAD], header[SEAL_HEADER_LEN];
    memset(&empty, 0, sizeof empty);
    ck_assert_int_eq(seal_record(&empty, aad, strlen(aad), "12345678", 8, rec), -1);
    ck_assert_int_eq(seal_current_header(&empty, header), -1);
}
END_TEST

START_TEST(ring)
{
    struct seal_ring r;
    unsigned char k[32], id1[SEAL_KEY_ID_LEN], id1b[SEAL_KEY_ID_LEN], id2[SEAL_KEY_ID_LEN];
    unsigned char header[SEAL_HEADER_LEN], rec[4 + SEAL_OVERHEAD];

    key_fill(k, 1);
    seal_key_id(k, id1);
    seal_key_id(k, id1b);
    ck_assert_mem_eq(id1, id1b, SEAL_KEY_ID_LEN);             /* stable */
    ck_assert(memcmp(id1, k, SEAL_KEY_ID_LEN) != 0);          /* not the key's bytes */
    key_fill(k, 2);
    seal_key_id(k, id2);
    ck_assert(memcmp(id1, id2, SEAL_KEY_ID_LEN) != 0);

    memset(&r, 0, sizeof r);
    for (unsigned char f = 1; f <= SEAL_MAX_KEYS; f++) {
        key_fill(k, f);
        ck_assert_int_eq(seal_ring_add(&r, k), 0);
        ck_assert_int_eq(seal_ring_add(&r, k), 0);            /* twice: once */
    }
    ck_assert_int_eq(r.n, SEAL_MAX_KEYS);
    key_fill(k, SEAL_MAX_KEYS + 1);
    ck_assert_int_eq(seal_ring_add(&r, k), -1);               /* full */
    ck_assert_int_eq(r.n, SEAL_MAX_KEYS);

    /* a record begins with the current key's header */
    ck_assert_int_eq(seal_current_header(&r, header), 0);
    ck_assert_int_eq(seal_record(&r, aad, strlen(aad), "abcd", 4, rec), 0);
    ck_assert_mem_eq(rec, header, SEAL_HEADER_LEN);
    ck_assert_mem_eq(rec + 2, id1, SEAL_KEY_ID_LEN);
    ck_assert_ptr_eq(seal_key_of(&r, rec, sizeof rec), &r.keys[0]);
}
END_TEST

/* ---- the settings ---- */

#define HEX1 "0101010101010101010101010101010101010101010101010101010101010101"
#define HEX2 "0202020202020202020202020202020202020202020202020202020202020202"
#define HEX3 "0303030303030303030303030303030303030303030303030303030303030303"

static const struct config_case {
    const char *data, *old, *hash;  /* NULL: unset */
    int rc;
    unsigned char ring[4];          /* fills of the ring, current first; 0 ends */
    unsigned char hash_fill;        /* 0: no key hashing key */
} config_cases[] = {
    {NULL, NULL, NULL, 0, {0}, 0},
    {HEX1, NULL, NULL, 0, {1}, 1},                           /* today's derivation */
    {HEX1, NULL, HEX3, 0, {1}, 3},
    {NULL, NULL, HEX3, 0, {0}, 3},
    {HEX2, HEX1, HEX1, 0, {2, 1}, 1},                        /* a rotation that keeps kiosk keys */
    {HEX2, HEX1 "," HEX3, HEX1, 0, {2, 1, 3}, 1},
    {HEX2, HEX2, HEX1, 0, {2}, 1},                           /* the current key again: once */
    {HEX2, HEX1, NULL, -1, {0}, 0},                          /* would void every kiosk key */
    {NULL, HEX1, HEX1, -1, {0}, 0},                          /* nothing to re-seal under */
    {HEX2, HEX1 ",", HEX1, -1, {0}, 0},
    {HEX2, "0101", HEX1, -1, {0}, 0},
    {HEX2, HEX1 "," HEX3 "," HEX1 "," HEX2 ",0404040404040404040404040404040404040404040404040404040404040404",
     HEX1, 0, {2, 1, 3, 4}, 1},                              /* duplicates do not count */
    {HEX2, "zz01010101010101010101010101010101010101010101010101010101010101", HEX1, -1, {0}, 0},
    {HEX2, "," HEX1, HEX1, -1, {0}, 0},
};

static void set_or_unset(const char *name, const char *v)
{
    if (v != NULL)
        setenv(name, v, 1);
    else
        unsetenv(name);
}

START_TEST(config_keys)
{
    const struct config_case *c = &config_cases[_i];
    struct config saved = g_config;
    const char *names[] = {"FACECLOCK_DATA_KEY", "FACECLOCK_DATA_KEY_OLD", "FACECLOCK_KEY_HASH_KEY",
                           "FACECLOCK_CONFIG", "FACECLOCK_ADMIN_KEY"};
    char *was[5];

    for (int i = 0; i < 5; i++) {
        const char *v = getenv(names[i]);
        was[i] = v != NULL ? strdup(v) : NULL;
    }
    set_or_unset(names[0], c->data);
    set_or_unset(names[1], c->old);
    set_or_unset(names[2], c->hash);
    unsetenv(names[3]);
    unsetenv(names[4]);
    int rc = config_load();
    struct config got = g_config;
    g_config = saved;
    for (int i = 0; i < 5; i++) {
        set_or_unset(names[i], was[i]);
        free(was[i]);
    }

    ck_assert_int_eq(rc, c->rc);
    if (rc < 0)
        return;
    struct seal_ring want;
    int n = 0;
    while (n < 4 && c->ring[n] != 0)
        n++;
    ring_of(&want, c->ring, n);
    ck_assert_int_eq(got.data_keys.n, n);
    for (int i = 0; i < n; i++) {
        ck_assert_mem_eq(got.data_keys.keys[i].key, want.keys[i].key, 32);
        ck_assert_mem_eq(got.data_keys.keys[i].id, want.keys[i].id, SEAL_KEY_ID_LEN);
    }
    ck_assert_int_eq(got.has_hash_key, c->hash_fill != 0);
    if (c->hash_fill) {
        unsigned char k[32];
        key_fill(k, c->hash_fill);
        ck_assert_mem_eq(got.hash_key, k, 32);
    }
}
END_TEST

UNIT_SUITE(suite_seal)
{
    Suite *s = suite_create("seal");
    TCase *tc = tcase_create("seal");
    tcase_add_loop_test(tc, form_of, 0, (int)(sizeof form_cases / sizeof form_cases[0]));
    tcase_add_loop_test(tc, open_by_key_id, 0, (int)(sizeof open_cases / sizeof open_cases[0]));
    tcase_add_test(tc, sealing_needs_a_key);
    tcase_add_test(tc, ring);
    tcase_add_loop_test(tc, config_keys, 0, (int)(sizeof config_cases / sizeof config_cases[0]));
    suite_add_tcase(s, tc);
    return s;
}
