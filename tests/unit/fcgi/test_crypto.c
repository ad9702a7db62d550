/* test_crypto.c — fcgi/crypto.h: digests and MACs against published
 * vectors, random output shape, scrypt hash strings (round trip, vectors
 * computed independently with Python's hashlib.scrypt, tampered and
 * malformed strings), and the constant-time comparisons. Hashes made here
 * use small costs (ln <= 10) to keep the suite fast. */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void
assert_hex(const unsigned char *got, size_t n, const char *want)
{
    char hex[2 * 64 + 1];

    ck_assert_uint_le(n, 64);
    crypto_hex(got, n, hex);
    ck_assert_str_eq(hex, want);
}

static int
is_lower_hex(const char *s)
{
    for (; *s != '\0'; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

/* ---- hex, SHA-256, HMAC-SHA-256 ------------------------------------------ */

START_TEST(hex_basic)
{
    static const unsigned char in[] = { 0x00, 0xff, 0x1a, 0xa1, 0x09 };
    char out[2 * sizeof(in) + 1];

    crypto_hex(in, sizeof(in), out);
    ck_assert_str_eq(out, "00ff1aa109");
    crypto_hex(in, 0, out);
    ck_assert_str_eq(out, "");
}
END_TEST

static const struct { const char *in; const char *hex; } sha_vec[] = {
    { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
};

START_TEST(sha256_vectors)
{
    unsigned char out[32];

    crypto_sha256(sha_vec[_i].in, strlen(sha_vec[_i].in), out);
    assert_hex(out, 32, sha_vec[_i].hex);
}
END_TEST

/* RFC 4231 test cases 1, 2 and 6 (6: a key longer than the block), plus
 * the empty key and message. */
START_TEST(hmac_vectors)
{
    unsigned char key1[20], key6[131], out[32];
    static const char msg6[] = "Test Using Larger Than Block-Size Key - Hash Key First";

    memset(key1, 0x0b, sizeof(key1));
    ck_assert_int_eq(crypto_hmac_sha256(key1, sizeof(key1), "Hi There", 8, out), 0);
    assert_hex(out, 32, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

    ck_assert_int_eq(crypto_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, out), 0);
    assert_hex(out, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

    memset(key6, 0xaa, sizeof(key6));
    ck_assert_int_eq(crypto_hmac_sha256(key6, sizeof(key6), msg6, strlen(msg6), out), 0);
    assert_hex(out, 32, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");

    ck_assert_int_eq(crypto_hmac_sha256("", 0, "", 0, out), 0);
    assert_hex(out, 32, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}
END_TEST

/* The kept keyed state gives crypto_hmac_sha256's MAC whatever came
 * before it: the same key again (reset, not re-keyed), another key, back
 * to the first, an empty message and one longer than a block. */
START_TEST(hmac_kept_table)
{
    static const struct { unsigned char key_byte; const char *msg; } steps[] = {
        { 1, "kio_1_aa" }, { 1, "kio_1_aa" }, { 1, "kio_2_bb" }, { 2, "kio_1_aa" }, { 1, "" },
        { 1, "kio_3_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-longer-than-a-block" },
        { 3, "x" }, { 3, "x" }, { 1, "kio_1_aa" },
    };
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        unsigned char key[32], want[32], got[32];
        memset(key, steps[i].key_byte, sizeof key);
        ck_assert_int_eq(crypto_hmac_sha256(key, 32, steps[i].msg, strlen(steps[i].msg), want), 0);
        ck_assert_int_eq(crypto_hmac_sha256_kept(key, steps[i].msg, strlen(steps[i].msg), got), 0);
        ck_assert_msg(memcmp(want, got, 32) == 0, "step %zu differs", i);
    }
}
END_TEST

/* ---- random -------------------------------------------------------------- */

static const size_t hex_lens[] = { 0, 1, 16, 31, 32, 33, 100 };

START_TEST(random_hex_shape)
{
    char buf[2 * 100 + 2];
    size_t n = hex_lens[_i];

    memset(buf, 'X', sizeof(buf));
    ck_assert_int_eq(crypto_random_hex(buf, n), 0);
    ck_assert_uint_eq(strlen(buf), 2 * n);
    ck_assert_msg(is_lower_hex(buf), "%s", buf);
    ck_assert_int_eq(buf[2 * n + 1], 'X');     /* nothing written past the NUL */
}
END_TEST

START_TEST(random_differs)
{
    char a[65], b[65];
    unsigned char r1[32], r2[32], zero[32] = { 0 };

    ck_assert_int_eq(crypto_random_hex(a, 32), 0);
    ck_assert_int_eq(crypto_random_hex(b, 32), 0);
    ck_assert_str_ne(a, b);
    ck_assert_int_eq(crypto_random(r1, sizeof(r1)), 0);
    ck_assert_int_eq(crypto_random(r2, sizeof(r2)), 0);
    ck_assert(memcmp(r1, r2, sizeof(r1)) != 0);
    ck_assert(memcmp(r1, zero, sizeof(r1)) != 0);
}
END_TEST

/* ---- scrypt hash strings ------------------------------------------------- */

START_TEST(hash_roundtrip)
{
    char h[CRYPTO_HASH_MAX], h2[CRYPTO_HASH_MAX];
    const char *prefix = "$scrypt$ln=10,r=8,p=1$";

    ck_assert_int_eq(crypto_hash_secret("hunter2", 10, h), 0);
    ck_assert_msg(strncmp(h, prefix, strlen(prefix)) == 0, "%s", h);
    ck_assert_uint_eq(strlen(h), strlen(prefix) + 32 + 1 + 64);
    ck_assert_int_eq(h[strlen(prefix) + 32], '$');
    ck_assert_int_eq(crypto_verify_secret("hunter2", h), 1);
    ck_assert_int_eq(crypto_verify_secret("hunter3", h), 0);
    ck_assert_int_eq(crypto_verify_secret("hunter", h), 0);
    ck_assert_int_eq(crypto_verify_secret("hunter22", h), 0);
    ck_assert_int_eq(crypto_verify_secret("Hunter2", h), 0);
    ck_assert_int_eq(crypto_verify_secret("", h), 0);

    /* a fresh salt each time: same secret, different strings, both verify */
    ck_assert_int_eq(crypto_hash_secret("hunter2", 10, h2), 0);
    ck_assert_str_ne(h, h2);
    ck_assert_int_eq(crypto_verify_secret("hunter2", h2), 1);
}
END_TEST

START_TEST(hash_bad_params)
{
    char h[CRYPTO_HASH_MAX];

    ck_assert_int_eq(crypto_hash_secret("x", 0, h), -1);
    ck_assert_int_eq(crypto_hash_secret("x", 21, h), -1);
    ck_assert_int_eq(crypto_hash_secret("x", -3, h), -1);
    ck_assert_int_eq(crypto_hash_secret("", 4, h), -1);
    ck_assert_int_eq(crypto_hash_secret("x", 1, h), 0);    /* smallest cost */
    ck_assert_int_eq(crypto_verify_secret("x", h), 1);
}
END_TEST

/* Strings whose key was computed with hashlib.scrypt (r = 8), so they pin
 * both the format and libgcrypt's parameter mapping (N, p). */
static const struct { const char *secret; const char *hash; } hash_vec[] = {
    { "hunter2", "$scrypt$ln=10,r=8,p=1$000102030405060708090a0b0c0d0e0f$"
      "0d7046164e5cb63bfa849d6aaa7ebfbc3271bc0153976c91df15815eefe0c882" },
    { "correct horse battery staple", "$scrypt$ln=4,r=8,p=2$000102030405060708090a0b0c0d0e0f$"
      "55b21ed626fc37700674727f8bee33e606b2670cbbd015df67225784bddebf47" },
    { "p\xc3\xa4ssw\xc3\xb6rd", "$scrypt$ln=14,r=8,p=1$00000000000000000000000000000000$"
      "d093017f2bd843436ae7ddc886bc9a1622416f15174a7b862c692174ec73370f" },
};

START_TEST(hash_vectors)
{
    ck_assert_int_eq(crypto_verify_secret(hash_vec[_i].secret, hash_vec[_i].hash), 1);
    ck_assert_int_eq(crypto_verify_secret("wrong", hash_vec[_i].hash), 0);
}
END_TEST

#define GOOD_SALT "000102030405060708090a0b0c0d0e0f"
#define GOOD_KEY "0d7046164e5cb63bfa849d6aaa7ebfbc3271bc0153976c91df15815eefe0c882"

/* Each is the hunter2 vector above with one thing changed: none verifies. */
static const char *const hash_bad[] = {
    "$scrypt$ln=10,r=8,p=1$" GOOD_SALT "$"
        "1d7046164e5cb63bfa849d6aaa7ebfbc3271bc0153976c91df15815eefe0c882",  /* key */
    "$scrypt$ln=10,r=8,p=1$" GOOD_SALT "$"
        "0d7046164e5cb63bfa849d6aaa7ebfbc3271bc0153976c91df15815eefe0c883",
    "$scrypt$ln=10,r=8,p=1$100102030405060708090a0b0c0d0e0f$" GOOD_KEY,  /* salt */
    "$scrypt$ln=11,r=8,p=1$" GOOD_SALT "$" GOOD_KEY,       /* valid, other cost */
    "$scrypt$ln=10,r=8,p=2$" GOOD_SALT "$" GOOD_KEY,
    "$scrypt$ln=10,r=1,p=1$" GOOD_SALT "$" GOOD_KEY,       /* r must be 8 */
    "$scrypt$ln=10,r=16,p=1$" GOOD_SALT "$" GOOD_KEY,
    "$scrypt$ln=0,r=8,p=1$" GOOD_SALT "$" GOOD_KEY,        /* ln out of range */
    "$scrypt$ln=21,r=8,p=1$" GOOD_SALT "$" GOOD_KEY,
    "$scrypt$ln=010,r=8,p=1$" GOOD_SALT "$" GOOD_KEY,
    "$scrypt$ln=-10,r=8,p=1$" GOOD_SALT "$" GOOD_KEY,
    "$scrypt$ln=,r=8,p=1$" GOOD_SALT "$" GOOD_KEY,
    "$scrypt$ln=10,r=8,p=0$" GOOD_SALT "$" GOOD_KEY,       /* p out of range */
    "$scrypt$ln=10,r=8,p=5$" GOOD_SALT "$" GOOD_KEY,
    "$scrypt$ln=10,r=8,p=10$" GOOD_SALT "$" GOOD_KEY,
    "$scrypt$ln=10,r=8$" GOOD_SALT "$" GOOD_KEY,
    "$scrypt$p=1,r=8,ln=10$" GOOD_SALT "$" GOOD_KEY,
    "$scrypt$ln=10,r=8,p=1$" GOOD_SALT "$"                 /* key too short */
        "0d7046164e5cb63bfa849d6aaa7ebfbc3271bc0153976c91df15815eefe0c88",
    "$scrypt$ln=10,r=8,p=1$" GOOD_SALT "$" GOOD_KEY "0",   /* too long */
    "$scrypt$ln=10,r=8,p=1$" GOOD_SALT "$" GOOD_KEY "\n",
    "$scrypt$ln=10,r=8,p=1$" GOOD_SALT "$" GOOD_KEY "$",
    "$scrypt$ln=10,r=8,p=1$0102030405060708090a0b0c0d0e0f$" GOOD_KEY,  /* short salt */
    "$scrypt$ln=10,r=8,p=1$00" GOOD_SALT "$" GOOD_KEY,     /* long salt */
    "$scrypt$ln=10,r=8,p=1$" GOOD_SALT GOOD_KEY,           /* no separator */
    "$scrypt$ln=10,r=8,p=1$" GOOD_SALT "$$" GOOD_KEY,
    "$scrypt$ln=10,r=8,p=1$000102030405060708090A0B0C0D0E0F$" GOOD_KEY, /* upper */
    "$scrypt$ln=10,r=8,p=1$00010203040506070809Oa0b0c0d0e0f$" GOOD_KEY, /* 'O' */
    "$scrypt$ln=10,r=8,p=1$" GOOD_SALT "$"
        "0d7046164e5cb63bfa849d6aaa7ebfbc3271bc0153976c91df15815eefe0c8g2",
    "scrypt$ln=10,r=8,p=1$" GOOD_SALT "$" GOOD_KEY,
    "$SCRYPT$ln=10,r=8,p=1$" GOOD_SALT "$" GOOD_KEY,
    "$scrypt$ ln=10,r=8,p=1$" GOOD_SALT "$" GOOD_KEY,
    " $scrypt$ln=10,r=8,p=1$" GOOD_SALT "$" GOOD_KEY,
    "$2b$10$abcdefghijklmnopqrstuuJ0Dc8Vk3OXxyz0123456789abcdefgh",
    "hunter2", "", "$", "$scrypt$", "$scrypt$ln=10,r=8,p=1$",
};

START_TEST(hash_tampered)
{
    ck_assert_msg(crypto_verify_secret("hunter2", hash_bad[_i]) == 0, "%s", hash_bad[_i]);
}
END_TEST

/* crypto_hash_cost: the ln of a well-formed hash, -1 for anything else */
static const struct { const char *hash; int cost; } cost_vec[] = {
    { "$scrypt$ln=10,r=8,p=1$" GOOD_SALT "$" GOOD_KEY, 10 },
    { "$scrypt$ln=1,r=8,p=1$" GOOD_SALT "$" GOOD_KEY, 1 },
    { "$scrypt$ln=14,r=8,p=2$" GOOD_SALT "$" GOOD_KEY, 14 },
    { "$scrypt$ln=17,r=8,p=1$" GOOD_SALT "$" GOOD_KEY, 17 },
    { "$scrypt$ln=20,r=8,p=1$" GOOD_SALT "$" GOOD_KEY, 20 },
    { "$scrypt$ln=21,r=8,p=1$" GOOD_SALT "$" GOOD_KEY, -1 },
    { "$scrypt$ln=0,r=8,p=1$" GOOD_SALT "$" GOOD_KEY, -1 },
    { "$scrypt$ln=017,r=8,p=1$" GOOD_SALT "$" GOOD_KEY, -1 },
    { "$scrypt$ln=17,r=8,p=1$" GOOD_SALT "$", -1 },
    { "$hmac-sha256$" GOOD_KEY, -1 },
    { "", -1 },
    { NULL, -1 },
};

START_TEST(hash_cost)
{
    ck_assert_int_eq(crypto_hash_cost(cost_vec[_i].hash), cost_vec[_i].cost);
}
END_TEST

START_TEST(hash_cost_of_new_hash)
{
    char h[CRYPTO_HASH_MAX];
    ck_assert_int_eq(crypto_hash_secret("hunter2", 4, h), 0);
    ck_assert_int_eq(crypto_hash_cost(h), 4);
}
END_TEST

START_TEST(hash_null)
{
    ck_assert_int_eq(crypto_verify_secret(NULL, hash_vec[0].hash), 0);
    ck_assert_int_eq(crypto_verify_secret("hunter2", NULL), 0);
}
END_TEST

/* ---- constant-time comparisons ------------------------------------------- */

static const struct { const char *a, *b; size_t n; int eq; } mem_vec[] = {
    { "", "", 0, 1 }, { "abc", "abd", 0, 1 }, { "abc", "abc", 3, 1 },
    { "abc", "abd", 3, 0 }, { "abc", "xbc", 3, 0 }, { "a\0b", "a\0c", 3, 0 },
    { "a\0b", "a\0b", 3, 1 }, { "\x80", "\x00", 1, 0 }, { "\xff", "\xfe", 1, 0 },
};

START_TEST(equal_table)
{
    ck_assert_int_eq(crypto_equal(mem_vec[_i].a, mem_vec[_i].b, mem_vec[_i].n), mem_vec[_i].eq);
}
END_TEST

static const struct { const char *a, *b; int eq; } str_vec[] = {
    { "", "", 1 }, { "a", "a", 1 }, { "secret-token", "secret-token", 1 },
    { "abc", "abd", 0 }, { "abc", "ab", 0 }, { "ab", "abc", 0 },
    { "", "a", 0 }, { "a", "", 0 }, { "abc", "ABC", 0 },
    { "\xff", "\xfe", 0 }, { "abc", "abc ", 0 },
};

START_TEST(str_equal_table)
{
    ck_assert_int_eq(crypto_str_equal(str_vec[_i].a, str_vec[_i].b), str_vec[_i].eq);
}
END_TEST

START_TEST(str_equal_null)
{
    ck_assert_int_eq(crypto_str_equal(NULL, "a"), 0);
    ck_assert_int_eq(crypto_str_equal("a", NULL), 0);
    ck_assert_int_eq(crypto_str_equal(NULL, NULL), 0);
}
END_TEST

UNIT_SUITE(suite_crypto)
{
    Suite *s = suite_create("crypto");
    TCase *tc;

    tc = tcase_create("digest");
    tcase_add_test(tc, hex_basic);
    tcase_add_loop_test(tc, sha256_vectors, 0, NELEM(sha_vec));
    tcase_add_test(tc, hmac_vectors);
    tcase_add_test(tc, hmac_kept_table);
    suite_add_tcase(s, tc);

    tc = tcase_create("random");
    tcase_add_loop_test(tc, random_hex_shape, 0, NELEM(hex_lens));
    tcase_add_test(tc, random_differs);
    suite_add_tcase(s, tc);

    tc = tcase_create("scrypt");
    tcase_set_timeout(tc, 30);          /* ASan makes ln=14 slower */
    tcase_add_test(tc, hash_roundtrip);
    tcase_add_test(tc, hash_bad_params);
    tcase_add_loop_test(tc, hash_vectors, 0, NELEM(hash_vec));
    tcase_add_loop_test(tc, hash_tampered, 0, NELEM(hash_bad));
    tcase_add_test(tc, hash_null);
    tcase_add_loop_test(tc, hash_cost, 0, NELEM(cost_vec));
    tcase_add_test(tc, hash_cost_of_new_hash);
    suite_add_tcase(s, tc);

    tc = tcase_create("compare");
    tcase_add_loop_test(tc, equal_table, 0, NELEM(mem_vec));
    tcase_add_loop_test(tc, str_equal_table, 0, NELEM(str_vec));
    tcase_add_test(tc, str_equal_null);
    suite_add_tcase(s, tc);

    return s;
}
