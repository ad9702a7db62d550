/* test_csrf.c — fcgi/csrf.h: the key derived from the data key, a
 * session's token (HMAC-SHA-256 of its digest, hex), the constant-time
 * check of a presented token, and which requests need one. */
#include <string.h>

#include "crypto.h"
#include "csrf.h"
#include "unit.h"

static const char digest_a[] = "\\x" "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
static const char digest_b[] = "\\x" "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

static void key_of(unsigned char fill, unsigned char key[32])
{
    unsigned char data_key[32];
    memset(data_key, fill, sizeof data_key);
    ck_assert_int_eq(csrf_derive_key(data_key, key), 0);
}

START_TEST(derivation)
{
    unsigned char k1[32], k2[32], k3[32], data_key[32];
    key_of(1, k1);
    key_of(1, k2);
    key_of(2, k3);
    ck_assert_mem_eq(k1, k2, 32);                 /* stable */
    ck_assert(memcmp(k1, k3, 32) != 0);           /* depends on the data key */
    memset(data_key, 1, sizeof data_key);
    ck_assert(memcmp(k1, data_key, 32) != 0);     /* not the data key itself */
}
END_TEST

START_TEST(token_is_hmac_of_digest)
{
    unsigned char key[32], digest[32], mac[32];
    char tok[CSRF_TOKEN_HEX], want[65];
    key_of(7, key);
    ck_assert_int_eq(csrf_token_for(key, digest_a, tok), 0);
    ck_assert_uint_eq(strlen(tok), 64);
    ck_assert_uint_eq(strspn(tok, "0123456789abcdef"), 64);
    for (int i = 0; i < 32; i++)
        digest[i] = (unsigned char)(i % 16 * 0x11);
    crypto_hmac_sha256(key, 32, digest, 32, mac);
    crypto_hex(mac, 32, want);
    ck_assert_str_eq(tok, want);
}
END_TEST

START_TEST(token_differs_by_session_and_key)
{
    unsigned char k1[32], k2[32];
    char a[CSRF_TOKEN_HEX], b[CSRF_TOKEN_HEX], c[CSRF_TOKEN_HEX];
    key_of(1, k1);
    key_of(2, k2);
    csrf_token_for(k1, digest_a, a);
    csrf_token_for(k1, digest_b, b);
    csrf_token_for(k2, digest_a, c);
    ck_assert_str_ne(a, b);
    ck_assert_str_ne(a, c);
}
END_TEST

START_TEST(malformed_digest)
{
    unsigned char key[32];
    char tok[CSRF_TOKEN_HEX];
    key_of(1, key);
    ck_assert_int_eq(csrf_token_for(key, NULL, tok), -1);
    ck_assert_int_eq(csrf_token_for(key, "", tok), -1);
    ck_assert_int_eq(csrf_token_for(key, digest_a + 2, tok), -1);          /* no \x */
    ck_assert_int_eq(csrf_token_for(key, "\\x00", tok), -1);               /* short */
    char upper[sizeof digest_a];
    memcpy(upper, digest_a, sizeof digest_a);
    upper[30] = 'A';
    ck_assert_int_eq(csrf_token_for(key, upper, tok), -1);                 /* not lowercase hex */
    ck_assert_str_eq(tok, "");
}
END_TEST

START_TEST(check)
{
    unsigned char key[32];
    char tok[CSRF_TOKEN_HEX], other[CSRF_TOKEN_HEX], bad[CSRF_TOKEN_HEX + 1];
    key_of(3, key);
    csrf_token_for(key, digest_a, tok);
    csrf_token_for(key, digest_b, other);
    ck_assert(csrf_token_ok(key, digest_a, tok));
    ck_assert(!csrf_token_ok(key, digest_a, other));        /* another session's */
    ck_assert(!csrf_token_ok(key, digest_a, NULL));
    ck_assert(!csrf_token_ok(key, digest_a, ""));
    memcpy(bad, tok, sizeof tok);
    bad[63] = bad[63] == '0' ? '1' : '0';
    ck_assert(!csrf_token_ok(key, digest_a, bad));          /* last digit */
    memcpy(bad, tok, sizeof tok);
    bad[0] = bad[0] == '0' ? '1' : '0';
    ck_assert(!csrf_token_ok(key, digest_a, bad));          /* first digit */
    memcpy(bad, tok, 63);
    bad[63] = '\0';
    ck_assert(!csrf_token_ok(key, digest_a, bad));          /* a prefix */
    memcpy(bad, tok, 64);
    bad[64] = 'a';
    bad[65] = '\0';
    ck_assert(!csrf_token_ok(key, digest_a, bad));          /* longer */
    for (int i = 0; tok[i]; i++)
        bad[i] = (char)(tok[i] >= 'a' ? tok[i] - 32 : tok[i]);
    bad[64] = '\0';
    ck_assert(strcmp(bad, tok) == 0 || !csrf_token_ok(key, digest_a, bad));   /* upper case */
    ck_assert(!csrf_token_ok(key, "nonsense", tok));
}
END_TEST

START_TEST(required)
{
    struct caller c;
    memset(&c, 0, sizeof c);
    c.grants = 1u << 3;                                     /* some caller */
    memcpy(c.token_digest, digest_a, sizeof digest_a);
    c.via_cookie = 1;
    ck_assert(!csrf_required("GET", &c));
    ck_assert(!csrf_required("HEAD", &c));
    ck_assert(csrf_required("POST", &c));
    ck_assert(csrf_required("PATCH", &c));
    ck_assert(csrf_required("PUT", &c));
    ck_assert(csrf_required("DELETE", &c));
    ck_assert(csrf_required("OPTIONS", &c));
    c.via_cookie = 0;                                       /* bearer */
    ck_assert(!csrf_required("POST", &c));
    c.token_digest[0] = '\0';                               /* a key: no session */
    ck_assert(!csrf_required("POST", &c));
    memset(&c, 0, sizeof c);                                /* public routes */
    ck_assert(!csrf_required("POST", &c));
}
END_TEST

UNIT_SUITE(suite_csrf)
{
    Suite *s = suite_create("csrf");
    TCase *tc = tcase_create("csrf");
    tcase_add_test(tc, derivation);
    tcase_add_test(tc, token_is_hmac_of_digest);
    tcase_add_test(tc, token_differs_by_session_and_key);
    tcase_add_test(tc, malformed_digest);
    tcase_add_test(tc, check);
    tcase_add_test(tc, required);
    suite_add_tcase(s, tc);
    return s;
}
