/* test_ctoken.c — handlers/attendance/ctoken_rules.h: round trips, expiry (valid while
 * now <= expires), another hotel or key, every one-character change of a
 * token, and a table of hand-signed strings that carry a correct MAC but
 * are not in the one canonical form (signs, leading zeros, blanks,
 * overflow, uppercase or wrong-length hex, missing or extra parts), which
 * must be refused all the same. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "attendance/ctoken_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const unsigned char key[32] = "0123456789abcdef0123456789abcdef";
static const unsigned char other_key[32] = "0123456789abcdef0123456789abcdeF";

#define NONCE "00112233445566778899aabbccddeeff"

/* ---- round trips ----------------------------------------------------------- */

static const struct {
    long long hotel, staff, expires, now;
    int ok;
} trip_tab[] = {
    {1, 2, 1000, 880, 1},
    {1, 2, 1000, 999, 1},
    {1, 2, 1000, 1000, 1},      /* the second it expires at is still valid */
    {1, 2, 1000, 1001, 0},
    {1, 2, 1000, 5000, 0},
    {1, 2, 1000, -5, 1},
    {12, 345, 1700000120, 1700000000, 1},
    {LLONG_MAX, LLONG_MAX, LLONG_MAX, LLONG_MAX, 1},
    {7, 8, 0, 0, 1},
    {7, 8, 0, 1, 0},
};

START_TEST(round_trip)
{
    char tok[CTOKEN_MAX], nonce[33];
    long long staff = -1, expires = -1;
    const char *dot;

    ck_assert_int_eq(ctoken_make(key, trip_tab[_i].hotel, trip_tab[_i].staff,
                                 trip_tab[_i].expires, tok), 0);
    ck_assert_uint_lt(strlen(tok), CTOKEN_MAX);
    if (!trip_tab[_i].ok) {
        ck_assert_int_eq(ctoken_check(key, tok, trip_tab[_i].hotel, trip_tab[_i].now, &staff,
                                      &expires, nonce), -1);
        ck_assert_int_eq(staff, 0);
        ck_assert_int_eq(expires, 0);
        ck_assert_str_eq(nonce, "");
        return;
    }
    ck_assert_int_eq(ctoken_check(key, tok, trip_tab[_i].hotel, trip_tab[_i].now, &staff,
                                  &expires, nonce), 0);
    ck_assert_int_eq(staff, trip_tab[_i].staff);
    ck_assert_int_eq(expires, trip_tab[_i].expires);
    ck_assert_uint_eq(strlen(nonce), 32);
    /* the nonce handed back is the token's fourth field */
    dot = tok;
    for (int i = 0; i < 3; i++)
        dot = strchr(dot, '.') + 1;
    ck_assert_int_eq(strncmp(dot, nonce, 32), 0);
    ck_assert_int_eq(dot[32], '.');
}
END_TEST

START_TEST(wrong_hotel_or_key)
{
    char tok[CTOKEN_MAX], nonce[33];
    long long staff, expires;

    ck_assert_int_eq(ctoken_make(key, 12, 345, 1000, tok), 0);
    ck_assert_int_eq(ctoken_check(key, tok, 12, 900, &staff, &expires, nonce), 0);
    ck_assert_int_eq(ctoken_check(key, tok, 13, 900, &staff, &expires, nonce), -1);
    ck_assert_int_eq(ctoken_check(key, tok, 1, 900, &staff, &expires, nonce), -1);
    ck_assert_int_eq(ctoken_check(key, tok, 0, 900, &staff, &expires, nonce), -1);
    ck_assert_int_eq(ctoken_check(other_key, tok, 12, 900, &staff, &expires, nonce), -1);
    ck_assert_int_eq(ctoken_check(NULL, tok, 12, 900, &staff, &expires, nonce), -1);
    ck_assert_int_eq(ctoken_check(key, NULL, 12, 900, &staff, &expires, nonce), -1);
}
END_TEST

START_TEST(nonces_differ)
{
    char a[CTOKEN_MAX], b[CTOKEN_MAX];

    ck_assert_int_eq(ctoken_make(key, 1, 2, 1000, a), 0);
    ck_assert_int_eq(ctoken_make(key, 1, 2, 1000, b), 0);
    ck_assert_str_ne(a, b);
}
END_TEST

static const struct {
    long long hotel, staff, expires;
} make_bad[] = {
    {0, 1, 1000}, {-1, 1, 1000}, {1, 0, 1000}, {1, -7, 1000}, {1, 1, -1}, {LLONG_MIN, 1, 1},
};

START_TEST(make_refuses)
{
    char tok[CTOKEN_MAX];

    ck_assert_int_eq(ctoken_make(key, make_bad[_i].hotel, make_bad[_i].staff, make_bad[_i].expires,
                                 tok), -1);
}
END_TEST

START_TEST(make_null)
{
    char tok[CTOKEN_MAX];

    ck_assert_int_eq(ctoken_make(NULL, 1, 2, 3, tok), -1);
    ck_assert_int_eq(ctoken_make(key, 1, 2, 3, NULL), -1);
}
END_TEST

/* another digit for a digit, another hex letter for a hex letter, a digit
 * for '.' */
static char
same_kind(char c)
{
    if (isdigit((unsigned char)c))
        return (char)('0' + (c - '0' + 1) % 10);
    if (c == '.')
        return '5';
    return c == 'f' ? 'a' : (char)(c + 1);
}

/* every single-character change of a valid token is refused: into
 * another character of the same kind (digit, hex letter) and into '.' */
START_TEST(one_char_changes)
{
    char tok[CTOKEN_MAX], t[CTOKEN_MAX], nonce[33];
    long long staff, expires;
    size_t n;

    ck_assert_int_eq(ctoken_make(key, 12, 345, 1700000120, tok), 0);
    n = strlen(tok);
    for (size_t i = 0; i < n; i++) {
        char c = tok[i];
        char repl[3] = {same_kind(c), c == '.' ? 'a' : '.',
                        isdigit((unsigned char)c) ? 'A' : (char)toupper((unsigned char)c)};

        for (int j = 0; j < 3; j++) {
            if (repl[j] == c)
                continue;
            memcpy(t, tok, n + 1);
            t[i] = repl[j];
            ck_assert_msg(ctoken_check(key, t, 12, 1700000000, &staff, &expires, nonce) == -1,
                          "accepted with position %zu changed to '%c': %s", i, repl[j], t);
        }
    }
    /* cut short anywhere, or anything appended */
    for (size_t i = 0; i < n; i++) {
        memcpy(t, tok, i);
        t[i] = '\0';
        ck_assert_int_eq(ctoken_check(key, t, 12, 1700000000, &staff, &expires, nonce), -1);
    }
    for (const char *tail = "0a.\n "; *tail; tail++) {
        memcpy(t, tok, n);
        t[n] = *tail;
        t[n + 1] = '\0';
        ck_assert_int_eq(ctoken_check(key, t, 12, 1700000000, &staff, &expires, nonce), -1);
    }
}
END_TEST

/* ---- hand-signed strings ---------------------------------------------------- */

enum mac_form { MAC_LOWER, MAC_UPPER, MAC_SHORT, MAC_LONG, MAC_NONE };

static const struct {
    const char *name;
    const char *prefix;   /* "<hotel>.<staff>.<expires>.<nonce>", signed as written */
    enum mac_form mac;
    int ok;
} signed_tab[] = {
    {"canonical", "12.345.1700000120." NONCE, MAC_LOWER, 1},
    {"largest ids", "12.9223372036854775807.9223372036854775807." NONCE, MAC_LOWER, 1},
    {"expires 0 (long gone)", "12.345.0." NONCE, MAC_LOWER, 0},
    {"uppercase MAC", "12.345.1700000120." NONCE, MAC_UPPER, 0},
    {"63-digit MAC", "12.345.1700000120." NONCE, MAC_SHORT, 0},
    {"65-digit MAC", "12.345.1700000120." NONCE, MAC_LONG, 0},
    {"no MAC", "12.345.1700000120." NONCE, MAC_NONE, 0},
    {"plus hotel", "+12.345.1700000120." NONCE, MAC_LOWER, 0},
    {"minus hotel", "-12.345.1700000120." NONCE, MAC_LOWER, 0},
    {"blank before hotel", " 12.345.1700000120." NONCE, MAC_LOWER, 0},
    {"blank after hotel", "12 .345.1700000120." NONCE, MAC_LOWER, 0},
    {"leading zero hotel", "012.345.1700000120." NONCE, MAC_LOWER, 0},
    {"hotel 0", "0.345.1700000120." NONCE, MAC_LOWER, 0},
    {"empty hotel", ".345.1700000120." NONCE, MAC_LOWER, 0},
    {"hex hotel", "0xc.345.1700000120." NONCE, MAC_LOWER, 0},
    {"plus staff", "12.+345.1700000120." NONCE, MAC_LOWER, 0},
    {"staff 0", "12.0.1700000120." NONCE, MAC_LOWER, 0},
    {"leading zero staff", "12.0345.1700000120." NONCE, MAC_LOWER, 0},
    {"staff past LLONG_MAX", "12.9223372036854775808.1700000120." NONCE, MAC_LOWER, 0},
    {"20-digit staff", "12.10000000000000000000.1700000120." NONCE, MAC_LOWER, 0},
    {"minus expires", "12.345.-1700000120." NONCE, MAC_LOWER, 0},
    {"plus expires", "12.345.+1700000120." NONCE, MAC_LOWER, 0},
    {"exponent expires", "12.345.17e8." NONCE, MAC_LOWER, 0},
    {"fraction expires", "12.345.1700000120.5." NONCE, MAC_LOWER, 0},
    {"leading zero expires", "12.345.01700000120." NONCE, MAC_LOWER, 0},
    {"uppercase nonce", "12.345.1700000120.00112233445566778899AABBCCDDEEFF", MAC_LOWER, 0},
    {"31-digit nonce", "12.345.1700000120.0011223344556677889aabbccddeeff", MAC_LOWER, 0},
    {"33-digit nonce", "12.345.1700000120.00112233445566778899aabbccddeeff0", MAC_LOWER, 0},
    {"non-hex nonce", "12.345.1700000120.00112233445566778899aabbccddeefg", MAC_LOWER, 0},
    {"no nonce", "12.345.1700000120", MAC_LOWER, 0},
    {"no expires", "12.345." NONCE, MAC_LOWER, 0},
    {"extra field", "12.345.1700000120.7." NONCE, MAC_LOWER, 0},
    {"double dot", "12..345.1700000120." NONCE, MAC_LOWER, 0},
};

START_TEST(hand_signed)
{
    char tok[2 * CTOKEN_MAX], hex[65], nonce[33];
    unsigned char mac[32];
    const char *p = signed_tab[_i].prefix;
    long long staff, expires;
    int rc;

    ck_assert_int_eq(crypto_hmac_sha256(key, sizeof(key), p, strlen(p), mac), 0);
    crypto_hex(mac, sizeof(mac), hex);
    switch (signed_tab[_i].mac) {
    case MAC_UPPER:
        for (int i = 0; i < 64; i++)
            hex[i] = (char)toupper((unsigned char)hex[i]);
        break;
    case MAC_SHORT:
        hex[63] = '\0';
        break;
    default:
        break;
    }
    if (signed_tab[_i].mac == MAC_NONE)
        snprintf(tok, sizeof(tok), "%s", p);
    else if (signed_tab[_i].mac == MAC_LONG)
        snprintf(tok, sizeof(tok), "%s.%s0", p, hex);
    else
        snprintf(tok, sizeof(tok), "%s.%s", p, hex);
    rc = ctoken_check(key, tok, 12, 1700000000, &staff, &expires, nonce);
    ck_assert_msg(rc == (signed_tab[_i].ok ? 0 : -1), "%s: %d for %s", signed_tab[_i].name, rc, tok);
    if (signed_tab[_i].ok)
        ck_assert_str_eq(nonce, NONCE);
}
END_TEST

static const char *const malformed[] = {
    "", ".", "....", "12", "12.345", "12.345.1700000120", "12.345.1700000120.",
    "12.345.1700000120." NONCE ".", "abc", "\n",
};

START_TEST(malformed_strings)
{
    char nonce[33];
    long long staff, expires;

    ck_assert_int_eq(ctoken_check(key, malformed[_i], 12, 0, &staff, &expires, nonce), -1);
}
END_TEST

/* far longer than any token: refused without reading it all */
START_TEST(too_long)
{
    static char big[1 << 16];
    char nonce[33];
    long long staff, expires;

    memset(big, '7', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ck_assert_int_eq(ctoken_check(key, big, 12, 1700000000, &staff, &expires, nonce), -1);
    memset(big, '7', CTOKEN_MAX);
    big[CTOKEN_MAX] = '\0';
    ck_assert_int_eq(ctoken_check(key, big, 12, 1700000000, &staff, &expires, nonce), -1);
}
END_TEST

UNIT_SUITE(suite_ctoken)
{
    Suite *s = suite_create("ctoken");
    TCase *tc;

    tc = tcase_create("round_trip");
    tcase_add_loop_test(tc, round_trip, 0, NELEM(trip_tab));
    tcase_add_test(tc, wrong_hotel_or_key);
    tcase_add_test(tc, nonces_differ);
    tcase_add_loop_test(tc, make_refuses, 0, NELEM(make_bad));
    tcase_add_test(tc, make_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("tampered");
    tcase_add_test(tc, one_char_changes);
    tcase_add_loop_test(tc, hand_signed, 0, NELEM(signed_tab));
    tcase_add_loop_test(tc, malformed_strings, 0, NELEM(malformed));
    tcase_add_test(tc, too_long);
    suite_add_tcase(s, tc);

    return s;
}
