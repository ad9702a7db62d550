/* test_auth.c — fcgi/auth.h, the pure parts of keys: the key hashing key
 * derived from the data key, a key's stored hash (HMAC-SHA-256, hex), the
 * check of a presented key against a keyed or a scrypt hash (one table),
 * and the budget that bounds scrypt checks of keys made before keyed
 * hashes. */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "crypto.h"
#include "unit.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char key_a[] = "kio_7_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
static const char key_b[] = "kio_7_ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

static void hkey_of(unsigned char fill, unsigned char hkey[32])
{
    unsigned char data_key[32];
    memset(data_key, fill, sizeof data_key);
    ck_assert_int_eq(auth_key_derive(data_key, hkey), 0);
}

START_TEST(derivation)
{
    unsigned char k1[32], k2[32], k3[32], data_key[32];
    hkey_of(1, k1);
    hkey_of(1, k2);
    hkey_of(2, k3);
    ck_assert_mem_eq(k1, k2, 32);                 /* stable */
    ck_assert(memcmp(k1, k3, 32) != 0);           /* depends on the data key */
    memset(data_key, 1, sizeof data_key);
    ck_assert(memcmp(k1, data_key, 32) != 0);     /* not the data key itself */
}
END_TEST

START_TEST(hash_is_hmac_of_key)
{
    unsigned char hkey[32], mac[32];
    char got[AUTH_KEY_HASH_MAX], want[AUTH_KEY_HASH_MAX], other[AUTH_KEY_HASH_MAX];
    hkey_of(3, hkey);
    ck_assert_int_eq(auth_key_hash_with(hkey, key_a, got), 0);
    crypto_hmac_sha256(hkey, 32, key_a, strlen(key_a), mac);
    snprintf(want, sizeof want, "$hmac-sha256$");
    crypto_hex(mac, 32, want + strlen(want));
    ck_assert_str_eq(got, want);
    ck_assert_uint_eq(strlen(got), AUTH_KEY_HASH_MAX - 1);
    hkey_of(4, hkey);                             /* another data key, another hash */
    auth_key_hash_with(hkey, key_a, other);
    ck_assert_str_ne(got, other);
}
END_TEST

/* stored hash kinds of the table */
enum stored { KEYED_A, KEYED_B, KEYED_A_OTHER_DATA_KEY, SCRYPT_A, SCRYPT_B, MALFORMED, EMPTY,
              KEYED_A_TRUNCATED };

static const struct {
    const char *key;
    enum stored stored;
    int budget_left;                              /* scrypt checks left this second */
    enum auth_key_check want;
} check_vec[] = {
    {key_a, KEYED_A, 2, AUTH_KEY_GOOD},
    {key_a, KEYED_A, 0, AUTH_KEY_GOOD},           /* keyed hashes never spend the budget */
    {key_b, KEYED_A, 2, AUTH_KEY_BAD},
    {key_a, KEYED_B, 2, AUTH_KEY_BAD},
    {key_a, KEYED_A_OTHER_DATA_KEY, 2, AUTH_KEY_BAD},
    {key_a, KEYED_A_TRUNCATED, 2, AUTH_KEY_BAD},
    {"", KEYED_A, 2, AUTH_KEY_BAD},
    {key_a, SCRYPT_A, 2, AUTH_KEY_REHASH},
    {key_a, SCRYPT_A, 0, AUTH_KEY_BAD},           /* over budget: not even checked */
    {key_b, SCRYPT_A, 2, AUTH_KEY_BAD},
    {key_a, SCRYPT_B, 2, AUTH_KEY_BAD},
    {key_a, MALFORMED, 2, AUTH_KEY_BAD},
    {key_a, EMPTY, 2, AUTH_KEY_BAD},
};

START_TEST(check_table)
{
    unsigned char hkey[32], other[32];
    char stored[CRYPTO_HASH_MAX], rehash[AUTH_KEY_HASH_MAX], want_rehash[AUTH_KEY_HASH_MAX];
    struct auth_legacy_budget budget = {.second = 100, .used = AUTH_LEGACY_PER_SECOND - check_vec[_i].budget_left};
    hkey_of(5, hkey);
    hkey_of(6, other);
    switch (check_vec[_i].stored) {
    case KEYED_A: auth_key_hash_with(hkey, key_a, stored); break;
    case KEYED_B: auth_key_hash_with(hkey, key_b, stored); break;
    case KEYED_A_OTHER_DATA_KEY: auth_key_hash_with(other, key_a, stored); break;
    case KEYED_A_TRUNCATED: auth_key_hash_with(hkey, key_a, stored); stored[strlen(stored) - 1] = '\0'; break;
    case SCRYPT_A: ck_assert_int_eq(crypto_hash_secret(key_a, 4, stored), 0); break;
    case SCRYPT_B: ck_assert_int_eq(crypto_hash_secret(key_b, 4, stored), 0); break;
    case MALFORMED: snprintf(stored, sizeof stored, "$hmac-sha256"); break;
    case EMPTY: stored[0] = '\0'; break;
    }
    enum auth_key_check got = auth_key_check_with(hkey, check_vec[_i].key, stored, &budget, 100, rehash);
    ck_assert_int_eq(got, check_vec[_i].want);
    if (got == AUTH_KEY_REHASH) {
        auth_key_hash_with(hkey, key_a, want_rehash);
        ck_assert_str_eq(rehash, want_rehash);    /* then stored, it checks GOOD */
        ck_assert_int_eq(auth_key_check_with(hkey, key_a, rehash, &budget, 100, want_rehash), AUTH_KEY_GOOD);
    } else {
        ck_assert_str_eq(rehash, "");
    }
}
END_TEST

START_TEST(legacy_budget)
{
    struct auth_legacy_budget b = {0, 0};
    for (int i = 0; i < AUTH_LEGACY_PER_SECOND; i++)
        ck_assert_int_eq(auth_legacy_take(&b, 1000), 1);
    ck_assert_int_eq(auth_legacy_take(&b, 1000), 0);       /* spent for this second */
    ck_assert_int_eq(auth_legacy_take(&b, 1000), 0);
    ck_assert_int_eq(auth_legacy_take(&b, 1001), 1);       /* a new second, a new budget */
    ck_assert_int_eq(b.used, 1);
}
END_TEST

START_TEST(key_id)
{
    long long id = 0;
    ck_assert_int_eq(auth_key_id(key_a, "kio", &id), 0);
    ck_assert_int_eq(id, 7);
    ck_assert_int_eq(auth_key_id(key_a, "dev", &id), -1);
    ck_assert_int_eq(auth_key_id("kio_07_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", "kio", &id), -1);
    ck_assert_int_eq(auth_key_id("kio_7_00112233", "kio", &id), -1);
}
END_TEST

UNIT_SUITE(suite_auth)
{
    Suite *s = suite_create("auth");
    TCase *tc = tcase_create("auth");
    tcase_add_test(tc, derivation);
    tcase_add_test(tc, hash_is_hmac_of_key);
    tcase_add_loop_test(tc, check_table, 0, NELEM(check_vec));
    tcase_add_test(tc, legacy_budget);
    tcase_add_test(tc, key_id);
    suite_add_tcase(s, tc);
    return s;
}
