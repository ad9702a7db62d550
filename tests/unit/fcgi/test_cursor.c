/* test_cursor.c — fcgi/cursor.h: a keyset cursor's token round-trips
 * for each direction and extreme key, and every token that is not exactly
 * one made with the same key and scope is refused (table-driven: garbled,
 * truncated, uppercase, forged tag, another scope, another key, an
 * unknown direction signed properly). */
#include <string.h>

#include "crypto.h"
#include "cursor.h"
#include "unit.h"

static void key_of(unsigned char fill, unsigned char key[32])
{
    unsigned char base[32];
    memset(base, fill, sizeof base);
    ck_assert_int_eq(cursor_derive_key(base, key), 0);
}

static const struct cursor round_trips[] = {
    {CURSOR_NEXT, 1733356800123456LL, 1},
    {CURSOR_PREV, 1733356800123456LL, 987654321},
    {CURSOR_NEXT, 0, 0},
    {CURSOR_PREV, -62135596800000000LL, 9007199254740992LL},    /* year 1, 2^53 */
    {CURSOR_NEXT, 9223372036854775807LL, 9223372036854775807LL},
    {CURSOR_PREV, -9223372036854775807LL - 1, -1},
};

START_TEST(round_trip)
{
    unsigned char key[32];
    char text[CURSOR_TEXT];
    struct cursor back;
    const struct cursor *c = &round_trips[_i];

    key_of(1, key);
    ck_assert_int_eq(cursor_encode(key, "face-audit 7", c, text), 0);
    ck_assert_uint_eq(strlen(text), 2 * CURSOR_BYTES);
    ck_assert_uint_eq(strspn(text, "0123456789abcdef"), 2 * CURSOR_BYTES);
    memset(&back, 0xa5, sizeof back);
    ck_assert_int_eq(cursor_decode(key, "face-audit 7", text, &back), 0);
    ck_assert_int_eq(back.dir, c->dir);
    ck_assert(back.ts_us == c->ts_us);
    ck_assert(back.id == c->id);
}
END_TEST

/* how a good token is spoiled before it is parsed */
enum spoil { NONE, FLIP_BODY, FLIP_TAG, CUT, EXTEND, UPPER, NON_HEX, EMPTY, OTHER_SCOPE, OTHER_KEY,
             BAD_DIR, NUL_TEXT };

static const struct {
    enum spoil how;
    int ok;
    const char *what;
} refusals[] = {
    {NONE, 1, "the token as made"},
    {FLIP_BODY, 0, "a changed timestamp digit"},
    {FLIP_TAG, 0, "a changed tag digit"},
    {CUT, 0, "one digit short"},
    {EXTEND, 0, "one digit more"},
    {UPPER, 0, "uppercase hex"},
    {NON_HEX, 0, "a character that is no hex digit"},
    {EMPTY, 0, "empty"},
    {OTHER_SCOPE, 0, "another hotel's cursor"},
    {OTHER_KEY, 0, "another server key"},
    {BAD_DIR, 0, "an unknown direction, signed"},
    {NUL_TEXT, 0, "no text"},
};

/* A token of direction byte dir signed as cursor_encode would: the
 * encoder refuses an unknown direction, so build it by hand. */
static void signed_with_dir(const unsigned char key[32], const char *scope, unsigned char dir, char *out)
{
    unsigned char msg[64], b[CURSOR_BYTES], mac[32];
    size_t n = strlen(scope);
    memset(b, 0, sizeof b);
    b[0] = dir;
    b[16] = 5;
    memcpy(msg, scope, n + 1);
    memcpy(msg + n + 1, b, 17);
    ck_assert_int_eq(crypto_hmac_sha256(key, 32, msg, n + 18, mac), 0);
    memcpy(b + 17, mac, 16);
    crypto_hex(b, sizeof b, out);
}

START_TEST(refused)
{
    unsigned char key[32], other[32];
    char text[CURSOR_TEXT + 2];
    const char *scope = "face-audit 7", *parse_scope = scope, *input = text;
    const unsigned char *parse_key = key;
    struct cursor c = {CURSOR_NEXT, 1733356800123456LL, 42}, back;

    key_of(1, key);
    key_of(2, other);
    ck_assert_int_eq(cursor_encode(key, scope, &c, text), 0);
    switch (refusals[_i].how) {
    case NONE: break;
    case FLIP_BODY: text[10] = text[10] == '0' ? '1' : '0'; break;
    case FLIP_TAG: text[60] = text[60] == '0' ? '1' : '0'; break;
    case CUT: text[2 * CURSOR_BYTES - 1] = '\0'; break;
    case EXTEND: {
        size_t n = strlen(text);
        text[n] = '0';              /* text has room for one more */
        text[n + 1] = '\0';
        break;
    }
    case UPPER:
        for (char *p = text; *p; p++)
            if (*p >= 'a' && *p <= 'f')
                *p = (char)(*p - 'a' + 'A');
        break;
    case NON_HEX: text[20] = 'g'; break;
    case EMPTY: text[0] = '\0'; break;
    case OTHER_SCOPE: parse_scope = "face-audit 8"; break;
    case OTHER_KEY: parse_key = other; break;
    case BAD_DIR: signed_with_dir(key, scope, 'x', text); break;
    case NUL_TEXT: input = NULL; break;
    }
    ck_assert_msg((cursor_decode(parse_key, parse_scope, input, &back) == 0) == refusals[_i].ok, "%s",
                  refusals[_i].what);
}
END_TEST

START_TEST(distinct_tokens)
{
    unsigned char key[32];
    char a[CURSOR_TEXT], b[CURSOR_TEXT];
    struct cursor n = {CURSOR_NEXT, 100, 1}, p = {CURSOR_PREV, 100, 1};
    key_of(3, key);
    ck_assert_int_eq(cursor_encode(key, "s", &n, a), 0);
    ck_assert_int_eq(cursor_encode(key, "s", &p, b), 0);
    ck_assert_str_ne(a, b);                              /* the direction is signed too */
    ck_assert_int_eq(cursor_encode(key, "t", &n, b), 0);
    ck_assert_str_ne(a, b);                              /* so is the scope */
    n.dir = (enum cursor_dir)'x';
    ck_assert_int_eq(cursor_encode(key, "s", &n, a), -1);   /* no token of an unknown direction */
}
END_TEST

UNIT_SUITE(suite_cursor)
{
    Suite *s = suite_create("cursor");
    TCase *tc = tcase_create("cursor");
    tcase_add_loop_test(tc, round_trip, 0, (int)(sizeof round_trips / sizeof round_trips[0]));
    tcase_add_loop_test(tc, refused, 0, (int)(sizeof refusals / sizeof refusals[0]));
    tcase_add_test(tc, distinct_tokens);
    suite_add_tcase(s, tc);
    return s;
}
