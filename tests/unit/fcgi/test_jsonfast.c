/* test_jsonfast.c — fcgi/jsonfast.c, the body parser's fast path, held to
 * jx_parse (json-c): a table of bodies it must take (the scan's, the bad
 * descriptors the e2e tests send, the edges of the number grammar) and a
 * table it must leave to json-c, each checked differentially — whatever
 * the fast path builds is jx_same as json-c's object; and 4,000 generated
 * scan bodies (numbers written every way a kiosk might) taken and the
 * same, their descriptors reading alike through descriptor_from_json.
 * Each text is also read with "descriptor" named as a list of numbers
 * (jx_parse_fast_nums, a route's PT_NUMBERS field): taken exactly when the
 * plain fast path takes it, the rest of the object json-c's, the list
 * json-c's items bit for bit, and the descriptor it makes
 * (descriptor_from_numbers) json-c's parse + descriptor_from_json. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attendance/descriptor_rules.h"
#include "jsonfast.h"
#include "jsonx.h"
#include "pool.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The list reading of text against json-c's object c (which it takes:
 * the member is deleted from it). took: whether the plain fast path took
 * the text. */
static void numbers_check(const char *text, size_t len, struct json_object *c, int took)
{
    struct pool *pool = pool_new();
    struct jx_numbers nums[] = {{.key = "descriptor"}, {.key = "absent"}};
    struct json_object *f = jx_parse_fast_nums(text, len, nums, 2, pool), *vc = NULL;

    ck_assert_msg((f != NULL) == took, "the list reading takes another set: %.80s", text);
    ck_assert(!nums[1].found && (f != NULL || !nums[0].found));
    if (f != NULL && nums[0].found) {
        ck_assert(json_object_object_get_ex(c, "descriptor", &vc) && json_object_is_type(vc, json_type_array));
        ck_assert_uint_eq(json_object_array_length(vc), nums[0].n);
        for (size_t i = 0; i < nums[0].n; i++) {
            double y = json_object_get_double(json_object_array_get_idx(vc, i));
            ck_assert_msg(memcmp(&y, &nums[0].v[i], sizeof y) == 0, "item %zu differs in %.80s", i, text);
        }
        float dn[DESCRIPTOR_DIM], dc[DESCRIPTOR_DIM];
        memset(dn, 0x5a, sizeof dn);
        memset(dc, 0x5a, sizeof dc);
        int rn = descriptor_from_numbers(nums[0].v, nums[0].n, dn), rc = descriptor_from_json(vc, dc);
        ck_assert_int_eq(rn, rc);
        ck_assert(memcmp(dn, dc, sizeof dn) == 0);
        json_object_object_del(c, "descriptor");
    }
    if (f != NULL)
        ck_assert_msg(jx_same(f, c), "the list reading's object differs from json-c's on %.80s", text);
    json_object_put(f);
    pool_free(pool);
}

/* The differential check of one text: the fast path's object, if any, is
 * json-c's; and jx_parse_body agrees with jx_parse either way; then the
 * list reading (numbers_check). Returns whether the fast path took it. */
static int differ_check(const char *text, size_t len)
{
    struct json_object *f = jx_parse_fast(text, len), *c = jx_parse(text, len), *b = jx_parse_body(text, len);

    if (f != NULL)
        ck_assert_msg(c != NULL && jx_same(f, c), "fast path differs from json-c on %.80s", text);
    ck_assert_msg((b == NULL) == (c == NULL) && (b == NULL || jx_same(b, c)), "jx_parse_body differs on %.80s", text);
    if (f != NULL) {
        float df[DESCRIPTOR_DIM], dc[DESCRIPTOR_DIM];
        struct json_object *vf = NULL, *vc = NULL;
        json_object_object_get_ex(f, "descriptor", &vf);
        json_object_object_get_ex(c, "descriptor", &vc);
        int rf = descriptor_from_json(vf, df), rc = descriptor_from_json(vc, dc);
        ck_assert_int_eq(rf, rc);
        if (rf == 0)
            ck_assert(memcmp(df, dc, sizeof df) == 0);
    }
    int took = f != NULL;
    numbers_check(text, len, c, took);
    json_object_put(f);
    json_object_put(c);
    json_object_put(b);
    return took;
}

static int differ(const char *text)
{
    return differ_check(text, strlen(text));
}

/* {"descriptor": [127 × 0.1, last]} and extra members after it */
static const char *scan_body(char *buf, size_t size, const char *last, const char *extra)
{
    size_t n = (size_t)snprintf(buf, size, "{\"descriptor\": [");
    for (int i = 0; i < 127; i++)
        n += (size_t)snprintf(buf + n, size - n, "0.1, ");
    snprintf(buf + n, size - n, "%s]%s}", last, extra);
    return buf;
}

/* bodies the fast path takes */
static const char *const taken[] = {
    "{}", " { } ", "{}\n", "{}\r\n\t ", "{\"a\":1}", "{\"a\":-0}", "{\"a\":0}", "{\"a\":-0.0}",
    "{\"a\":1.50}", "{\"a\":1E5}", "{\"a\":1e+5}", "{\"a\":1e-5}", "{\"a\":-1.25E-007}",
    "{\"a\":1e400}", "{\"a\":-1e400}", "{\"a\":1e-400}", "{\"a\":123456789012345678}",
    "{\"a\":-123456789012345678}", "{\"a\":4.9e-324}", "{\"a\":2.2250738585072011e-308}",
    "{\"a\":0.1000000000000000055511151231257827}", "{\"a\":9007199254740993}",
    "{\"a\":true,\"b\":false,\"c\":null}", "{\"a\" : \"text\" , \"b\":\"\"}",
    "{\"force_log\": true, \"force_reason\": \"left the badge at home\", \"descriptor\": [1, 2.5, -3e2]}",
    "{\"a\":[]}", "{\"a\":[ ]}", "{\"a\":[1]}", "{\"a\":[1,2 , 3\t,\n4]}", "{\"\":1}",
    "{\"descriptor\":[0.1,-0.2,1e999]}",
    /* the list reading: empty, ints, -0, another type, among other members */
    "{\"descriptor\":[]}", "{\"descriptor\": [ ] ,\"a\":1}", "{\"descriptor\":\"text\",\"a\":1}",
    "{\"a\":[1],\"descriptor\":[-0, 12, -123456789012345678, -0.0, 1e-400]}", "{\"descriptor\":null}",
    /* the edges of the exact path (2^53, 10^22) and past them (strtod) */
    "{\"a\":[9007199254740992e-22, 9007199254740993e-22, 9007199254740992.5, 1e22, 1e23, 1e-22, 1e-23]}",
    "{\"a\":[0.0000000000000000000001, 0.00000000000000000000001, 123456789012345678.9, 0.30000000000000004]}",
    "{\"a\":[1234567890123456789e-5, 12345678901234567890e-5, 5e-324, 2.4703282292062327e-324]}",
    "{\"a\":[1e000000000000000000000001, 1e-0000000000000000, 4.35e999999, 17976931348623157e292]}",
};

/* bodies left to json-c (malformed, or beyond the subset) */
static const char *const declined[] = {
    "", " ", "{", "}", "[]", "[1,2]", "3", "\"s\"", "true", "null", "{\"a\":1", "{\"a\":1}}",
    "{} x", "{}{}", "{\"a\":1,}", "{,}", "{a:1}", "{'a':1}", "{\"a\":01}", "{\"a\":.5}",
    "{\"a\":1.}", "{\"a\":+1}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":1e+}", "{\"a\":0x10}",
    "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}", "{\"a\":nan}", "{\"a\":tru}",
    "{\"a\":True}", "{\"a\":nul}", "{\"a\":truex}", "{\"a\":\"\\u0041\"}", "{\"a\":\"\\n\"}",
    "{\"a\":\"caf\xc3\xa9\"}", "{\"a\":\"tab\there\"}", "{\"a\":1,\"a\":2}", "{\"a\":{}}",
    "{\"a\":[[1]]}", "{\"a\":[\"1\"]}", "{\"a\":[true]}", "{\"a\":[null]}", "{\"a\":[{}]}",
    "{\"a\":[1,]}", "{\"a\":[,1]}", "{\"a\":[1 2]}", "{\"a\":[1}", "{\"a\":1]}",
    "{\"a\":1234567890123456789}", "{\"a\":-9223372036854775809}",
    "{\"a\":18446744073709551616}", "{\f\"a\":1}", "{\"a\":1}\f", "{\"a\"\v:1}",
    "{\"descriptor\":[1],\"descriptor\":[2]}", "{\"descriptor\":[1],\"descriptor\":\"x\"}",
    "{\"descriptor\":\"x\",\"descriptor\":[1]}", "{\"descriptor\":[1,]}", "{\"descriptor\":[1,\"2\"]}",
    "{\"descriptor\":[1 2]}", "{\"descriptor\":[1", "{\"descriptor\":[1]", "{\"descriptor\":[01]}",
    "{\"a_key_longer_than_sixty_four_characters_is_left_to_json_c_0123456789\":1}",
};

START_TEST(test_taken)
{
    for (int i = 0; i < NELEM(taken); i++)
        ck_assert_msg(differ(taken[i]), "fast path declined %s", taken[i]);
}
END_TEST

START_TEST(test_declined)
{
    for (int i = 0; i < NELEM(declined); i++)
        ck_assert_msg(!differ(declined[i]), "fast path took %s", declined[i]);
}
END_TEST

/* a NUL inside, or none at text[len]: refused by jx_parse, left by the fast path */
START_TEST(test_nul)
{
    const char in[] = "{\"a\":1}\0{}";
    ck_assert(!differ_check(in, sizeof in - 1));
    char unterminated[8];
    memcpy(unterminated, "{\"a\":1}x", 8);
    ck_assert_ptr_null(jx_parse_fast(unterminated, 7));
}
END_TEST

/* the bad descriptors of tests/e2e/attendance (test_faces.py, test_clock.py):
 * the fast path's reading of each is json-c's, and the descriptor is refused */
START_TEST(test_bad_descriptors)
{
    static const char *const lasts[] = {
        "0.1, 0.1", "\"0.1\"", "null", "true", "[0.1]", "{\"x\": 1}", "1e999", "-1e400", "NaN",
        "Infinity", "-Infinity", "1e6000000000", "1000001", "-1000000.5",
    };
    static char buf[4096];
    for (int i = 0; i < NELEM(lasts); i++) {
        scan_body(buf, sizeof buf, lasts[i], "");
        differ(buf);
        struct json_object *o = jx_parse_body(buf, strlen(buf)), *v = NULL;
        float d[DESCRIPTOR_DIM];
        if (o != NULL)
            json_object_object_get_ex(o, "descriptor", &v);
        ck_assert_msg(descriptor_from_json(v, d) < 0, "descriptor ending %s taken", lasts[i]);
        json_object_put(o);
    }
    /* a repeated key (json-c: the last wins): left to json-c */
    scan_body(buf, sizeof buf, "0.1", ", \"descriptor\": [1]");
    ck_assert(!differ(buf));
    const char *short_body = "{\"descriptor\": [0.1, 0.2]}";
    ck_assert(differ(short_body));
}
END_TEST

/* the longest array the fast path reads, 512 numbers, and one more: json-c's */
START_TEST(test_longest_array)
{
    static char buf[8192];
    for (int items = 511; items <= 513; items++) {
        size_t n = (size_t)snprintf(buf, sizeof buf, "{\"descriptor\":[");
        for (int i = 0; i < items; i++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%d.5", i ? "," : "", i);
        snprintf(buf + n, sizeof buf - n, "]}");
        ck_assert_int_eq(differ(buf), items <= 512);
    }
}
END_TEST

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dULL;
}

/* one number written one of the ways a client might */
static int write_number(char *out, size_t size)
{
    double x = ((double)(next() >> 11) / 9007199254740992.0 - 0.5) * 0.5;
    switch (next() % 8) {
    case 0: return snprintf(out, size, "%.17g", x);
    case 1: return snprintf(out, size, "%.9g", x);
    case 2: return snprintf(out, size, "%.6e", x);
    case 3: return snprintf(out, size, "%.3E", x * 1e-30);
    case 4: return snprintf(out, size, "%lld", (long long)(next() % 2000001) - 1000000);
    case 5: return snprintf(out, size, "%.20f", x);
    case 6: return snprintf(out, size, "%s", next() & 1 ? "-0.0" : "0");
    default: return snprintf(out, size, "%.15fe%+d", x, (int)(next() % 700) - 350);
    }
}

START_TEST(test_generated_scans)
{
    static char buf[16384];
    for (int round = 0; round < 4000; round++) {
        size_t n = (size_t)snprintf(buf, sizeof buf, "{%s\"descriptor\":%s[", round % 3 ? "" : "\n  ",
                                    round % 2 ? " " : "");
        for (int i = 0; i < DESCRIPTOR_DIM; i++) {
            n += (size_t)write_number(buf + n, sizeof buf - n);
            if (i + 1 < DESCRIPTOR_DIM)
                n += (size_t)snprintf(buf + n, sizeof buf - n, round % 5 ? "," : ", ");
        }
        snprintf(buf + n, sizeof buf - n, "]%s}", round % 4 == 0 ? ", \"force_log\": false" : "");
        ck_assert_msg(differ(buf), "fast path declined a scan body: %.120s", buf);
    }
}
END_TEST

UNIT_SUITE(suite_jsonfast)
{
    Suite *s = suite_create("jsonfast");
    TCase *tc = tcase_create("jsonfast");

    tcase_add_test(tc, test_taken);
    tcase_add_test(tc, test_declined);
    tcase_add_test(tc, test_nul);
    tcase_add_test(tc, test_bad_descriptors);
    tcase_add_test(tc, test_generated_scans);
    tcase_add_test(tc, test_longest_array);
    suite_add_tcase(s, tc);
    return s;
}
