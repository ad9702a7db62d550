/* test_jsonx.c — the non-replying half of fcgi/jsonx.h: jx_parse (strict,
 * depth-limited, whole-input) and the typed readers jx_string, jx_id,
 * jx_int, jx_double and jx_bool, each with a table of values it accepts
 * and a table it must refuse. A value is placed as {"v": VALUE}; an
 * invalid value may be refused by jx_parse already or by the reader. And
 * the text jx_add_number writes for a number. And jx_serialize, the
 * answers' writer, against json-c's text of the same objects: a table of
 * parsed bodies, every byte in a string, objects built as answers are
 * (null members, json_object_new_double_s, jx_add_double, jx_add_number,
 * the edges of int64 and uint64). */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "unit.h"
#include "validate.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* {"v": value} parsed, or NULL when jx_parse refuses it */
static struct json_object *
wrap(const char *value)
{
    char buf[512];
    int n = snprintf(buf, sizeof(buf), "{\"v\": %s}", value);

    ck_assert(n > 0 && (size_t)n < sizeof(buf));
    return jx_parse(buf, (size_t)n);
}

/* ---- jx_parse ------------------------------------------------------------ */

static const char *const parse_ok[] = {
    "{}", "[]", "{\"a\":1}", " {\"a\": [1, 2.5, \"x\", true, false, null, {}]} ",
    "{}\n", "{}\r\n\t ", "[1,2,3]", "3", "\"s\"", "true", "-0.5e-3",
    "{\"a\":\"caf\xc3\xa9\"}", "{\"a\":\"\\u00e9\\ud83d\\ude00\"}",
    "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":[[[[1]]]]}}}}}}",
};
static const char *const parse_bad[] = {
    "", " ", "{", "}", "{\"a\":1", "{\"a\":1}}", "{} x", "{}{}", "{} {}",
    "[1,2,]", "{\"a\":1,}", "{a:1}", "{\"a\":01}", "{\"a\":.5}",
    "{\"a\":+1}", "{\"a\":0x10}", "{\"a\":\"\\x41\"}", "{\"a\":tru}", "{\"a\":True}",
    "{\"a\":undefined}",
    "{\"a\":\"caf\xc3\"}", "{\"a\":\"\xff\"}",
    "{\"a\":\"x\"}\x01", "{\"a\":1}garbage", "[1]]",
    /* json-c 0.16 accepts these even with JSON_TOKENER_STRICT, so they are
     * not listed: 'single-quoted' object keys, "1.", raw control
     * characters and overlong UTF-8 inside strings (jx_string still
     * refuses the last two: see str_bad). */
};

START_TEST(parse_valid)
{
    struct json_object *o = jx_parse(parse_ok[_i], strlen(parse_ok[_i]));

    ck_assert_msg(o != NULL, "%s", parse_ok[_i]);
    json_object_put(o);
}
END_TEST

START_TEST(parse_invalid)
{
    struct json_object *o = jx_parse(parse_bad[_i], strlen(parse_bad[_i]));

    ck_assert_msg(o == NULL, "accepted: %s", parse_bad[_i]);
    json_object_put(o);
}
END_TEST

/* The length, not a NUL, ends the input; NUL bytes inside are refused. */
START_TEST(parse_embedded_nul)
{
    static const char a[] = "{\"a\":1}\0garbage", b[] = "{\"a\":1}\0", c[] = "{\"a\":\"x\0y\"}";
    struct json_object *o;

    ck_assert_ptr_null(jx_parse(a, sizeof(a) - 1));
    ck_assert_ptr_null(jx_parse(b, sizeof(b) - 1));
    ck_assert_ptr_null(jx_parse(c, sizeof(c) - 1));
    o = jx_parse(a, 7);                         /* just the object */
    ck_assert_ptr_nonnull(o);
    json_object_put(o);
    ck_assert_ptr_null(jx_parse(a, 6));         /* cut short */
}
END_TEST

static char *
nested(int depth, char open, char close)
{
    char *s = malloc(2 * (size_t)depth + 1);

    ck_assert_ptr_nonnull(s);
    memset(s, open, (size_t)depth);
    memset(s + depth, close, (size_t)depth);
    s[2 * depth] = '\0';
    return s;
}

START_TEST(parse_depth)
{
    char *s;
    struct json_object *o;

    s = nested(16, '[', ']');
    o = jx_parse(s, strlen(s));
    ck_assert_msg(o != NULL, "16 levels refused");
    json_object_put(o);
    free(s);

    s = nested(100, '[', ']');
    o = jx_parse(s, strlen(s));
    ck_assert_msg(o == NULL, "100 levels accepted");
    free(s);

    s = nested(100000, '[', ']');               /* no stack overflow either */
    o = jx_parse(s, strlen(s));
    ck_assert_ptr_null(o);
    free(s);

    s = malloc(5 * 1000 + 2);                   /* {"a":{"a":...}} */
    ck_assert_ptr_nonnull(s);
    for (int i = 0; i < 1000; i++)
        memcpy(s + 5 * i, "{\"a\":", 5);
    s[5000] = '1';
    s[5001] = '\0';
    o = jx_parse(s, strlen(s));
    ck_assert_ptr_null(o);
    free(s);
}
END_TEST

/* ---- absent, null, required ---------------------------------------------- */

START_TEST(absent_and_null)
{
    struct json_object *o = jx_parse("{\"n\":null,\"s\":\"x\"}", strlen("{\"n\":null,\"s\":\"x\"}"));
    const char *why = NULL, *str = NULL;
    long long id = 0;
    long l = 0;
    double d = 0;
    int b = 0;

    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(jx_has(o, "s"), 1);
    ck_assert_int_eq(jx_has(o, "n"), 0);
    ck_assert_int_eq(jx_has(o, "missing"), 0);

    ck_assert_int_eq(jx_string(o, "missing", JX_OPTIONAL, 10, &str, &why), 0);
    ck_assert_int_eq(jx_string(o, "n", JX_OPTIONAL, 10, &str, &why), 0);
    ck_assert_int_eq(jx_id(o, "missing", JX_OPTIONAL, &id, &why), 0);
    ck_assert_int_eq(jx_int(o, "n", JX_OPTIONAL, 0, 10, &l, &why), 0);
    ck_assert_int_eq(jx_double(o, "missing", JX_OPTIONAL, 0, 1, &d, &why), 0);
    ck_assert_int_eq(jx_bool(o, "n", JX_OPTIONAL, &b, &why), 0);

    why = NULL;
    ck_assert_int_eq(jx_string(o, "missing", JX_REQUIRED, 10, &str, &why), -1);
    ck_assert_ptr_nonnull(why);
    why = NULL;
    ck_assert_int_eq(jx_string(o, "n", JX_REQUIRED, 10, &str, &why), -1);
    ck_assert_ptr_nonnull(why);
    why = NULL;
    ck_assert_int_eq(jx_id(o, "n", JX_REQUIRED, &id, &why), -1);
    ck_assert_ptr_nonnull(why);
    why = NULL;
    ck_assert_int_eq(jx_int(o, "missing", JX_REQUIRED, 0, 10, &l, &why), -1);
    ck_assert_ptr_nonnull(why);
    why = NULL;
    ck_assert_int_eq(jx_double(o, "n", JX_REQUIRED, 0, 1, &d, &why), -1);
    ck_assert_ptr_nonnull(why);
    why = NULL;
    ck_assert_int_eq(jx_bool(o, "missing", JX_REQUIRED, &b, &why), -1);
    ck_assert_ptr_nonnull(why);

    ck_assert_int_eq(jx_string(o, "s", JX_REQUIRED, 10, &str, &why), 0);
    ck_assert_str_eq(str, "x");
    json_object_put(o);
}
END_TEST

/* ---- jx_string ----------------------------------------------------------- */

static const struct { const char *json; size_t max; const char *want; } str_ok[] = {
    { "\"abc\"", 3, "abc" }, { "\"\"", 10, "" }, { "\"\"", 0, "" },
    { "\"caf\\u00e9\"", 4, "caf\xc3\xa9" }, { "\"caf\xc3\xa9\"", 4, "caf\xc3\xa9" },
    { "\"\\u65e5\\u672c\"", 2, "\xe6\x97\xa5\xe6\x9c\xac" },
    { "\"\\ud83d\\ude00\"", 1, "\xf0\x9f\x98\x80" },
    { "\"a\\nb\\tc\\r\"", 6, "a\nb\tc\r" }, { "\"\\\"\\\\\\/\"", 3, "\"\\/" },
};
static const struct { const char *json; size_t max; } str_bad[] = {
    { "\"a\\u0000b\"", 10 }, { "\"\\u0000\"", 10 }, { "\"abc\\u0000\"", 10 },
    { "\"abcd\"", 3 }, { "\"caf\\u00e9\"", 3 }, { "\"x\"", 0 },
    { "\"\\ud83d\\ude00\\ud83d\\ude00\"", 1 },
    { "\"\\u0001\"", 10 }, { "\"\\u001b[31m\"", 10 }, { "\"\\u007f\"", 10 },
    { "\"\\b\"", 10 }, { "\"\\f\"", 10 }, { "\"a\x01" "b\"", 10 },
    { "\"\xc0\xaf\"", 10 }, { "\"\xe0\x80\xaf\"", 10 }, { "\"\xed\xa0\x80\"", 10 },
    { "12", 10 }, { "1.5", 10 }, { "true", 10 }, { "[]", 10 }, { "[\"a\"]", 10 },
    { "{}", 10 }, { "{\"a\":\"b\"}", 10 },
};

START_TEST(string_valid)
{
    struct json_object *o = wrap(str_ok[_i].json);
    const char *s = NULL, *why = NULL;

    ck_assert_msg(o != NULL, "%s", str_ok[_i].json);
    ck_assert_msg(jx_string(o, "v", JX_REQUIRED, str_ok[_i].max, &s, &why) == 0,
                  "%s: %s", str_ok[_i].json, why ? why : "?");
    ck_assert_str_eq(s, str_ok[_i].want);
    json_object_put(o);
}
END_TEST

START_TEST(string_invalid)
{
    struct json_object *o = wrap(str_bad[_i].json);
    const char *s = NULL, *why = NULL;
    int rc;

    if (o == NULL)
        return;
    rc = jx_string(o, "v", JX_REQUIRED, str_bad[_i].max, &s, &why);
    json_object_put(o);          /* before asserting: no leak on failure */
    ck_assert_msg(rc == -1, "accepted %s", str_bad[_i].json);
    ck_assert_ptr_nonnull(why);
}
END_TEST

/* Whatever escapes arrive, a string handed out is valid text. */
static const char *const str_odd[] = {
    "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800x\"", "\"\\ud800\\u0041\"",
    "\"\\udbff\\udfff\"", "\"\\uffff\"", "\"\\ufffe\"",
};

START_TEST(string_odd_escapes)
{
    struct json_object *o = wrap(str_odd[_i]);
    const char *s = NULL, *why = NULL;

    if (o == NULL)
        return;
    if (jx_string(o, "v", JX_REQUIRED, 100, &s, &why) == 0)
        ck_assert_msg(valid_text(s, 100), "%s gave invalid text", str_odd[_i]);
    json_object_put(o);
}
END_TEST

/* ---- jx_id --------------------------------------------------------------- */

static const struct { const char *json; long long want; } id_ok[] = {
    { "1", 1 }, { "42", 42 }, { "9007199254740992", 9007199254740992LL },
};
static const char *const id_bad[] = {
    "0", "-1", "-0", "9007199254740993", "9223372036854775807",
    "9223372036854775808", "18446744073709551615", "99999999999999999999",
    "-99999999999999999999", "1.5", "1.0", "\"5\"", "true", "[1]", "{}",
};

START_TEST(id_valid)
{
    struct json_object *o = wrap(id_ok[_i].json);
    const char *why = NULL;
    long long v = -1;

    ck_assert_msg(o != NULL, "%s", id_ok[_i].json);
    ck_assert_int_eq(jx_id(o, "v", JX_REQUIRED, &v, &why), 0);
    ck_assert_int_eq(v, id_ok[_i].want);
    json_object_put(o);
}
END_TEST

START_TEST(id_invalid)
{
    struct json_object *o = wrap(id_bad[_i]);
    const char *why = NULL;
    long long v = -1;
    int rc;

    if (o == NULL)
        return;
    rc = jx_id(o, "v", JX_REQUIRED, &v, &why);
    json_object_put(o);          /* before asserting: no leak on failure */
    ck_assert_msg(rc == -1, "accepted %s as %lld",
                  id_bad[_i], v);
    ck_assert_ptr_nonnull(why);
}
END_TEST

/* ---- jx_int -------------------------------------------------------------- */

static const struct { const char *json; long min, max, want; } int_ok[] = {
    { "0", -5, 100, 0 }, { "-5", -5, 100, -5 }, { "100", -5, 100, 100 },
    { "-0", -5, 100, 0 }, { "42", -5, 100, 42 },
    { "9223372036854775807", LONG_MIN, LONG_MAX, LONG_MAX },
    /* not LONG_MIN: json-c 0.16 saturates -9223372036854775809 to it, so a
     * reader may have to refuse the value itself to refuse the overflow */
};
static const struct { const char *json; long min, max; } int_bad[] = {
    { "101", -5, 100 }, { "-6", -5, 100 }, { "1.5", -5, 100 }, { "\"3\"", -5, 100 },
    { "true", -5, 100 }, { "[3]", -5, 100 }, { "99999999999999999999", -5, 100 },
    { "-99999999999999999999", -5, 100 },
    /* beyond 64 bits: must be refused, not clamped into range */
    { "9223372036854775808", LONG_MIN, LONG_MAX },
    { "18446744073709551615", LONG_MIN, LONG_MAX },
    { "99999999999999999999", LONG_MIN, LONG_MAX },
    { "-9223372036854775809", LONG_MIN, LONG_MAX },
};

START_TEST(int_valid)
{
    struct json_object *o = wrap(int_ok[_i].json);
    const char *why = NULL;
    long v = -1;

    ck_assert_msg(o != NULL, "%s", int_ok[_i].json);
    ck_assert_int_eq(jx_int(o, "v", JX_REQUIRED, int_ok[_i].min, int_ok[_i].max, &v, &why), 0);
    ck_assert_int_eq(v, int_ok[_i].want);
    json_object_put(o);
}
END_TEST

START_TEST(int_invalid)
{
    struct json_object *o = wrap(int_bad[_i].json);
    const char *why = NULL;
    long v = -1;
    int rc;

    if (o == NULL)
        return;
    rc = jx_int(o, "v", JX_REQUIRED, int_bad[_i].min, int_bad[_i].max, &v, &why);
    json_object_put(o);          /* before asserting: no leak on failure */
    ck_assert_msg(rc == -1, "accepted %s as %ld", int_bad[_i].json, v);
    ck_assert_ptr_nonnull(why);
}
END_TEST

/* ---- jx_double ----------------------------------------------------------- */

static const struct { const char *json; double want; } dbl_ok[] = {
    { "0", 0 }, { "12.5", 12.5 }, { "-90", -90 }, { "90", 90 }, { "45", 45 },
    { "1e1", 10 }, { "-0.0", 0 }, { "8.9999e1", 89.999 }, { "-1.25E+1", -12.5 },
};
static const char *const dbl_bad[] = {
    "90.0001", "-91", "1e3", "\"1\"", "true", "[1]", "{}", "1e400", "-1e400",
    "NaN", "Infinity", "-Infinity", "nan", "inf",
};

START_TEST(double_valid)
{
    struct json_object *o = wrap(dbl_ok[_i].json);
    const char *why = NULL;
    double v = -1;

    ck_assert_msg(o != NULL, "%s", dbl_ok[_i].json);
    ck_assert_int_eq(jx_double(o, "v", JX_REQUIRED, -90, 90, &v, &why), 0);
    ck_assert_double_eq_tol(v, dbl_ok[_i].want, 1e-9);
    json_object_put(o);
}
END_TEST

START_TEST(double_invalid)
{
    struct json_object *o = wrap(dbl_bad[_i]);
    const char *why = NULL;
    double v = -1;
    int rc;

    if (o == NULL)
        return;
    rc = jx_double(o, "v", JX_REQUIRED, -90, 90, &v, &why);
    json_object_put(o);          /* before asserting: no leak on failure */
    ck_assert_msg(rc == -1, "accepted %s as %g", dbl_bad[_i], v);
    ck_assert_ptr_nonnull(why);
}
END_TEST

/* ---- jx_bool ------------------------------------------------------------- */

static const struct { const char *json; int want; } bool_ok[] = {
    { "true", 1 }, { "false", 0 },
};
static const char *const bool_bad[] = {
    "1", "0", "\"true\"", "\"false\"", "\"yes\"", "[]", "{}", "0.0",
};

START_TEST(bool_valid)
{
    struct json_object *o = wrap(bool_ok[_i].json);
    const char *why = NULL;
    int v = -1;

    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(jx_bool(o, "v", JX_REQUIRED, &v, &why), 0);
    ck_assert_int_eq(v != 0, bool_ok[_i].want);
    json_object_put(o);
}
END_TEST

START_TEST(bool_invalid)
{
    struct json_object *o = wrap(bool_bad[_i]);
    const char *why = NULL;
    int v = -1;
    int rc;

    if (o == NULL)
        return;
    rc = jx_bool(o, "v", JX_REQUIRED, &v, &why);
    json_object_put(o);          /* before asserting: no leak on failure */
    ck_assert_msg(rc == -1, "accepted %s", bool_bad[_i]);
    ck_assert_ptr_nonnull(why);
}
END_TEST

/* jx_diff: before, after -> the old and new sides of what changed */
static const struct {
    const char *before, *after, *old_side, *new_side;
    int n;
} diffs[] = {
    {"{}", "{}", "{}", "{}", 0},
    {"{\"a\":1}", "{\"a\":1}", "{}", "{}", 0},
    {"{\"a\":1,\"b\":true}", "{\"a\":2,\"b\":true}", "{\"a\":1}", "{\"a\":2}", 1},
    {"{\"a\":[1,2]}", "{\"a\":[1,2]}", "{}", "{}", 0},
    {"{\"a\":[1,2]}", "{\"a\":[2,1]}", "{\"a\":[1,2]}", "{\"a\":[2,1]}", 1},
    {"{\"a\":1}", "{\"b\":1}", "{\"a\":1,\"b\":null}", "{\"a\":null,\"b\":1}", 2},
    {"{\"a\":null}", "{\"a\":0}", "{\"a\":null}", "{\"a\":0}", 1},
    {"{\"a\":0.85}", "{\"a\":0.9}", "{\"a\":0.85}", "{\"a\":0.9}", 1},
};

START_TEST(diff_table)
{
    struct json_object *b = json_tokener_parse(diffs[_i].before), *a = json_tokener_parse(diffs[_i].after);
    struct json_object *old_side, *new_side;
    struct json_object *want_old = json_tokener_parse(diffs[_i].old_side);
    struct json_object *want_new = json_tokener_parse(diffs[_i].new_side);

    ck_assert_int_eq(jx_diff(b, a, &old_side, &new_side), diffs[_i].n);
    ck_assert_msg(json_object_equal(old_side, want_old), "old side %s", json_object_to_json_string(old_side));
    ck_assert_msg(json_object_equal(new_side, want_new), "new side %s", json_object_to_json_string(new_side));
    json_object_put(b);
    json_object_put(a);
    json_object_put(old_side);
    json_object_put(new_side);
    json_object_put(want_old);
    json_object_put(want_new);
}
END_TEST

/* ---- jx_add_number ------------------------------------------------------- */

/* the text written for a value: the fewest digits from 15 up that read
 * back as exactly the value (17 where 15 would merge two values) */
static const struct {
    double v;
    const char *text;
} num_tab[] = {
    {0.85, "0.85"},
    {6.0, "6.0"},
    {48, "48.0"},
    {0, "0.0"},
    {-0.5, "-0.5"},
    {1e300, "1e+300"},
    {9.99999999999999, "9.99999999999999"},
    {9.999999999999991, "9.999999999999991"},
    {0.1 + 0.2, "0.30000000000000004"},
    {0.12345678901234567, "0.12345678901234566"},
};

START_TEST(number_text)
{
    struct json_object *o = json_object_new_object(), *v = NULL;

    jx_add_number(o, "v", num_tab[_i].v);
    ck_assert(json_object_object_get_ex(o, "v", &v));
    const char *text = json_object_to_json_string(v);
    int same = strcmp(text, num_tab[_i].text) == 0 && strtod(text, NULL) == num_tab[_i].v;
    char got[64];
    snprintf(got, sizeof got, "%s", text);
    json_object_put(o);          /* before asserting: no leak on failure */
    ck_assert_msg(same, "%.17g written as %s, want %s", num_tab[_i].v, got, num_tab[_i].text);
}
END_TEST

/* ---- jx_serialize -------------------------------------------------------- */

/* jx_serialize(o) is json-c's text of o with resp_json's flags; puts o */
static void same_text(struct json_object *o, const char *what)
{
    size_t n, len;
    const char *want = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
                                                         &len);
    char *got = jx_serialize(o, &n);
    int same = n == len && memcmp(got, want, n) == 0 && got[n] == '\0';
    char msg[160];
    snprintf(msg, sizeof msg, "%s: %.60s, json-c %.60s", what, got, want);
    free(got);
    json_object_put(o);
    ck_assert_msg(same, "%s", msg);
}

static const char *const texts[] = {
    "{}", "[]", "null", "true", "false", "0", "-0", "1.5", "-0.0", "1e400", "0.1", "1E-7", "123456789012345678",
    "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
    "-9223372036854775808", "-9223372036854775809", "\"\"", "\"a/b\\\\c\\\"d\"",
    "\"\\u0000\\u0001\\u001f\\u007f\\b\\f\\n\\r\\t\\/\"", "\"caf\u00e9 \\u2028 \\ud83d\\ude00\"",
    "{\"a\":null,\"b\":[null,1,[],{}],\"c\":{\"d\":[1.25,\"x\",true]}}", "{\"k\\n\\\"/\":1}",
    "[[[[[[1]]]]]]", "{\"descriptor\":[0.1,-0.25,3,1e-7,123.456]}",
};

START_TEST(serialize_texts)
{
    const char *t = texts[_i];
    struct json_object *o = jx_parse(t, strlen(t));
    ck_assert_msg(o != NULL || strcmp(t, "null") == 0, "%s does not parse", t);
    same_text(o, t);
    /* the body parser's fast path: doubles serialized by their own text */
    size_t cap = strlen(t) + 8;
    char *body = malloc(cap);
    snprintf(body, cap, "{\"v\":%s}", t);
    same_text(jx_parse_body(body, strlen(body)), body);
    free(body);
}
END_TEST

START_TEST(serialize_every_byte)
{
    char s[257];
    for (int i = 0; i < 256; i++)
        s[i] = (char)(i == 0 ? 'x' : i);
    s[256] = '\0';
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, s + 1, json_object_new_string_len(s, 256));
    json_object_object_add(o, "nul", json_object_new_string_len("a\0b", 3));
    same_text(o, "every byte");
}
END_TEST

START_TEST(serialize_answers)
{
    struct json_object *o = json_object_new_object(), *a = json_object_new_array();
    jx_add_str(o, "message", "Clock-in successful for Ana \"Li\" </script>");
    jx_add_str(o, "none", NULL);
    jx_add_int(o, "min", LLONG_MIN);
    jx_add_int(o, "max", LLONG_MAX);
    jx_add_int(o, "zero", 0);
    jx_add_bool(o, "yes", 1);
    jx_add_bool(o, "no", 0);
    jx_add_double(o, "confidence", 0.98765, 3);
    jx_add_double(o, "hours", 8, 2);
    jx_add_number(o, "n", 0.1 + 0.2);
    json_object_object_add(o, "u", json_object_new_uint64(UINT64_MAX));
    json_object_object_add(o, "u2", json_object_new_uint64(5));
    json_object_object_add(o, "d", json_object_new_double(1.0 / 3));
    json_object_object_add(o, "d2", json_object_new_double(-0.0));
    json_object_object_add(o, "ds", json_object_new_double_s(2.5, "2.50"));
    json_object_array_add(a, NULL);
    json_object_array_add(a, json_object_new_int(-7));
    json_object_array_add(a, json_object_new_double(1e22));
    json_object_object_add(o, "list", a);
    same_text(o, "an answer");
}
END_TEST

UNIT_SUITE(suite_jsonx)
{
    Suite *s = suite_create("jsonx");
    TCase *tc;

    tc = tcase_create("parse");
    tcase_add_loop_test(tc, parse_valid, 0, NELEM(parse_ok));
    tcase_add_loop_test(tc, parse_invalid, 0, NELEM(parse_bad));
    tcase_add_test(tc, parse_embedded_nul);
    tcase_add_test(tc, parse_depth);
    suite_add_tcase(s, tc);

    tc = tcase_create("readers");
    tcase_add_test(tc, absent_and_null);
    tcase_add_loop_test(tc, string_valid, 0, NELEM(str_ok));
    tcase_add_loop_test(tc, string_invalid, 0, NELEM(str_bad));
    tcase_add_loop_test(tc, string_odd_escapes, 0, NELEM(str_odd));
    tcase_add_loop_test(tc, id_valid, 0, NELEM(id_ok));
    tcase_add_loop_test(tc, id_invalid, 0, NELEM(id_bad));
    tcase_add_loop_test(tc, int_valid, 0, NELEM(int_ok));
    tcase_add_loop_test(tc, int_invalid, 0, NELEM(int_bad));
    tcase_add_loop_test(tc, double_valid, 0, NELEM(dbl_ok));
    tcase_add_loop_test(tc, double_invalid, 0, NELEM(dbl_bad));
    tcase_add_loop_test(tc, bool_valid, 0, NELEM(bool_ok));
    tcase_add_loop_test(tc, bool_invalid, 0, NELEM(bool_bad));
    suite_add_tcase(s, tc);

    tc = tcase_create("diff");
    tcase_add_loop_test(tc, diff_table, 0, NELEM(diffs));
    suite_add_tcase(s, tc);

    tc = tcase_create("builders");
    tcase_add_loop_test(tc, number_text, 0, NELEM(num_tab));
    suite_add_tcase(s, tc);

    tc = tcase_create("serialize");
    tcase_add_loop_test(tc, serialize_texts, 0, NELEM(texts));
    tcase_add_test(tc, serialize_every_byte);
    tcase_add_test(tc, serialize_answers);
    suite_add_tcase(s, tc);

    return s;
}
