/* test_idempotency_rules.c — handlers/attendance/idempotency_rules.h: the
 * Idempotency-Key syntax (one table: every allowed character class, the
 * length bounds, the quoted form, and what is refused), the request
 * fingerprint (known vectors computed independently — SHA-256 of the
 * SHA-256 of "METHOD\0path\0" followed by the body — and that method,
 * path and body bytes each change it), and which statuses are kept. */
#include <string.h>
#include "attendance/idempotency_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static char k128[IDEM_KEY_MAX + 1], k129[IDEM_KEY_MAX + 2], q128[IDEM_KEY_MAX + 3];

static const struct {
    const char *name;
    const char *header;
    const char *want;          /* the key; NULL: refused */
} keys[] = {
    {"uuid", "8e03978e-40d5-43e8-bc93-6894a57f9324", "8e03978e-40d5-43e8-bc93-6894a57f9324"},
    {"one char", "a", "a"},
    {"every punctuation allowed", "a-b_c.d:e~f+g/h=", "a-b_c.d:e~f+g/h="},
    {"digits and cases", "AZaz09", "AZaz09"},
    {"quoted", "\"8e03978e\"", "8e03978e"},
    {"longest", k128, k128},
    {"longest quoted", q128, k128},
    {"empty", "", NULL},
    {"empty quoted", "\"\"", NULL},
    {"one quote", "\"", NULL},
    {"unclosed quote", "\"abc", NULL},
    {"closing quote only", "abc\"", NULL},
    {"quote inside", "ab\"c", NULL},
    {"too long", k129, NULL},
    {"space inside", "a b", NULL},
    {"leading space", " ab", NULL},
    {"trailing space", "ab ", NULL},
    {"tab", "a\tb", NULL},
    {"comma (a list)", "a,b", NULL},
    {"semicolon (parameters)", "a;b", NULL},
    {"backslash", "a\\b", NULL},
    {"angle brackets", "<a>", NULL},
    {"percent", "a%20b", NULL},
    {"non-ASCII", "caf\xc3\xa9", NULL},
    {"DEL", "a\x7f", NULL},
    {"newline", "a\nb", NULL},
};

START_TEST(key_syntax)
{
    char out[IDEM_KEY_MAX + 1];
    memset(k128, 'k', IDEM_KEY_MAX);
    memset(k129, 'k', IDEM_KEY_MAX + 1);
    q128[0] = '"';
    memset(q128 + 1, 'k', IDEM_KEY_MAX);
    q128[IDEM_KEY_MAX + 1] = '"';
    int rc = idem_key_parse(keys[_i].header, out);
    if (keys[_i].want == NULL) {
        ck_assert_msg(rc == -1, "%s: accepted", keys[_i].name);
        ck_assert_int_eq(idem_key_valid(keys[_i].header), 0);
    } else {
        ck_assert_msg(rc == 0, "%s: refused", keys[_i].name);
        ck_assert_str_eq(out, keys[_i].want);
        ck_assert_int_eq(idem_key_valid(keys[_i].header), 1);
    }
}
END_TEST

static const struct {
    const char *method, *path, *body;
    const char *want;
} vectors[] = {
    {"POST", "/api/x/face-clock-in/", "{\"descriptor\":[0.1]}",
     "a6a4fcc2804bd9ee6f0dd277645144d13bfeda4465f04f9b8b3e7e6d632710ff"},
    {"POST", "/", "", "7521153ed21f31cde43fa7cc82753972afb2201d278c63a8f3de863e9b2c0148"},
    {"POST", "/", NULL, "7521153ed21f31cde43fa7cc82753972afb2201d278c63a8f3de863e9b2c0148"},
};

START_TEST(fingerprint_vectors)
{
    char fp[IDEM_FP_HEX];
    const char *b = vectors[_i].body;
    idem_fingerprint(vectors[_i].method, vectors[_i].path, b, b != NULL ? strlen(b) : 0, fp);
    ck_assert_str_eq(fp, vectors[_i].want);
}
END_TEST

/* each part changes it, and the parts do not run into each other */
START_TEST(fingerprint_parts)
{
    static const struct {
        const char *m, *p, *b;
    } t[] = {
        {"POST", "/x", "{\"a\":1}"},
        {"PUT", "/x", "{\"a\":1}"},
        {"POST", "/y", "{\"a\":1}"},
        {"POST", "/x", "{\"a\":2}"},
        {"POST", "/x", "{\"a\": 1}"},        /* equal JSON, other bytes */
        {"POS", "T/x", "{\"a\":1}"},
        {"POST", "/x{", "\"a\":1}"},
    };
    char fp[NELEM(t)][IDEM_FP_HEX];
    for (int i = 0; i < NELEM(t); i++) {
        idem_fingerprint(t[i].m, t[i].p, t[i].b, strlen(t[i].b), fp[i]);
        ck_assert_uint_eq(strlen(fp[i]), 64);
        ck_assert_uint_eq(strspn(fp[i], "0123456789abcdef"), 64);
    }
    for (int i = 0; i < NELEM(t); i++)
        for (int j = i + 1; j < NELEM(t); j++)
            ck_assert_msg(strcmp(fp[i], fp[j]) != 0, "rows %d and %d share a fingerprint", i, j);
    char again[IDEM_FP_HEX];
    idem_fingerprint(t[0].m, t[0].p, t[0].b, strlen(t[0].b), again);
    ck_assert_str_eq(again, fp[0]);
}
END_TEST

static const struct {
    int status;
    int kept;
} statuses[] = {
    {200, 1}, {201, 1}, {204, 1}, {299, 1}, {400, 1}, {403, 1}, {404, 1}, {409, 1}, {422, 1},
    {408, 0}, {429, 0}, {500, 0}, {502, 0}, {503, 0}, {504, 0}, {199, 0}, {302, 0}, {0, 0},
};

START_TEST(storable)
{
    ck_assert_msg(idem_storable(statuses[_i].status) == statuses[_i].kept, "status %d", statuses[_i].status);
}
END_TEST

UNIT_SUITE(suite_idempotency_rules)
{
    Suite *s = suite_create("idempotency_rules");
    TCase *tc = tcase_create("key");
    tcase_add_loop_test(tc, key_syntax, 0, NELEM(keys));
    suite_add_tcase(s, tc);
    tc = tcase_create("fingerprint");
    tcase_add_loop_test(tc, fingerprint_vectors, 0, NELEM(vectors));
    tcase_add_test(tc, fingerprint_parts);
    suite_add_tcase(s, tc);
    tc = tcase_create("storable");
    tcase_add_loop_test(tc, storable, 0, NELEM(statuses));
    suite_add_tcase(s, tc);
    return s;
}
