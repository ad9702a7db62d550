/* test_descriptor.c — handlers/attendance/descriptor_rules.h: a table of arrays
 * descriptor_from_json must accept (with the floats it must produce), a
 * table it must refuse (wrong length, a non-number item, out of range),
 * values JSON text cannot spell (NaN, ±Infinity, NULL), and the reference
 * distance. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "attendance/descriptor_rules.h"
#include "jsonx.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* "[f(0),f(1),…]" with count items, item k written as `item` when pos == k,
 * else as (i - 64) / 250 (three decimals, so text and double agree);
 * parsed, the caller puts it */
static struct json_object *
make_array(int count, int pos, const char *item)
{
    static char buf[16384];
    size_t len = 0;
    struct json_object *o;

    buf[len++] = '[';
    for (int i = 0; i < count; i++) {
        int n;

        if (i == pos)
            n = snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? "," : "", item);
        else
            n = snprintf(buf + len, sizeof(buf) - len, "%s%.3f", i ? "," : "", (i - 64) / 250.0);
        ck_assert(n > 0 && (size_t)n < sizeof(buf) - len);
        len += (size_t)n;
    }
    buf[len++] = ']';
    buf[len] = '\0';
    o = jx_parse(buf, len);
    ck_assert_msg(o != NULL, "test JSON does not parse: %.80s", buf);
    return o;
}

/* ---- accepted ------------------------------------------------------------ */

static const struct {
    const char *name;
    int pos;              /* item at this index, -1: none */
    const char *item;
    double want;          /* what out[pos] must equal, as a float */
} ok_tab[] = {
    {"plain doubles", -1, NULL, 0},
    {"int 0", 0, "0", 0},
    {"int 7", 5, "7", 7},
    {"negative int", 127, "-3", -3},
    {"int at the limit", 1, "1000000", 1e6},
    {"negative limit", 2, "-1e6", -1e6},
    {"exponent", 3, "2.5e-1", 0.25},
    {"negative zero", 4, "-0.0", 0},
    {"subnormal float", 6, "1e-40", 1e-40},
    {"below float's smallest", 7, "1e-50", 0},
    {"many digits", 8, "0.12345678901234567890", 0.12345678901234567890},
};

START_TEST(accepts)
{
    struct json_object *a = make_array(DESCRIPTOR_DIM, ok_tab[_i].pos, ok_tab[_i].item);
    float out[DESCRIPTOR_DIM];

    ck_assert_msg(descriptor_from_json(a, out) == 0, "%s refused", ok_tab[_i].name);
    for (int i = 0; i < DESCRIPTOR_DIM; i++) {
        float want = i == ok_tab[_i].pos ? (float)ok_tab[_i].want : (float)((i - 64) / 250.0);

        ck_assert_msg(out[i] == want, "%s: out[%d] = %.9g, want %.9g", ok_tab[_i].name, i,
                      (double)out[i], (double)want);
    }
    json_object_put(a);
}
END_TEST

/* ---- refused ------------------------------------------------------------- */

static const struct {
    const char *name;
    int count;
    int pos;
    const char *item;
} bad_tab[] = {
    {"127 items", 127, -1, NULL},
    {"129 items", 129, -1, NULL},
    {"empty array", 0, -1, NULL},
    {"one item", 1, -1, NULL},
    {"string number", 128, 0, "\"0.5\""},
    {"string", 128, 64, "\"abc\""},
    {"null", 128, 127, "null"},
    {"true", 128, 10, "true"},
    {"false", 128, 11, "false"},
    {"nested array", 128, 12, "[0.5]"},
    {"empty nested array", 128, 13, "[]"},
    {"object", 128, 14, "{\"x\": 1}"},
    {"1e39 overflows float", 128, 15, "1e39"},
    {"-1e39", 128, 16, "-1e39"},
    {"1e300", 128, 17, "1e300"},
    {"just past 1e6", 128, 18, "1000000.5"},
    {"int past 1e6", 128, 19, "1000001"},
    {"int64 max", 128, 20, "9223372036854775807"},
    {"int64 min", 128, 21, "-9223372036854775808"},
    {"past uint64", 128, 22, "99999999999999999999999"},
};

START_TEST(refuses)
{
    struct json_object *a = make_array(bad_tab[_i].count, bad_tab[_i].pos, bad_tab[_i].item);
    float out[DESCRIPTOR_DIM];

    for (int i = 0; i < DESCRIPTOR_DIM; i++)
        out[i] = 42.0f;
    ck_assert_msg(descriptor_from_json(a, out) == -1, "%s accepted", bad_tab[_i].name);
    for (int i = 0; i < DESCRIPTOR_DIM; i++)
        ck_assert_msg(out[i] == 42.0f, "%s: out[%d] written on refusal", bad_tab[_i].name, i);
    json_object_put(a);
}
END_TEST

static const char *const bad_roots[] = {
    "{}", "{\"descriptor\": [1, 2]}", "null", "0.5", "\"[0.1, 0.2]\"", "true",
};

START_TEST(refuses_non_arrays)
{
    struct json_object *o = jx_parse(bad_roots[_i], strlen(bad_roots[_i]));
    float out[DESCRIPTOR_DIM];

    /* "null" parses to NULL itself */
    ck_assert_int_eq(descriptor_from_json(o, out), -1);
    json_object_put(o);
}
END_TEST

/* JSON text cannot carry these (strict parsing refuses NaN), but an object
 * built in code can: the validator must not trust its source. */
static const double unspellable[] = {NAN, INFINITY, -INFINITY};

START_TEST(refuses_non_finite)
{
    struct json_object *a = make_array(DESCRIPTOR_DIM, -1, NULL);
    float out[DESCRIPTOR_DIM];

    ck_assert_int_eq(json_object_array_put_idx(a, 77, json_object_new_double(unspellable[_i])), 0);
    ck_assert_int_eq(descriptor_from_json(a, out), -1);
    json_object_put(a);
}
END_TEST

START_TEST(refuses_null_pointer)
{
    float out[DESCRIPTOR_DIM];

    ck_assert_int_eq(descriptor_from_json(NULL, out), -1);
}
END_TEST

/* ---- distance ------------------------------------------------------------ */

static const struct {
    int k1, k2;           /* b differs from a at these indexes (-1: none) */
    float v1, v2;
    double want;
} dist_tab[] = {
    {-1, -1, 0, 0, 0.0},
    {0, -1, 0.6f, 0, (double)0.6f},
    {127, -1, -0.45f, 0, (double)0.45f},
    {3, 90, 0.3f, 0.4f, 0.5},
    {10, 11, 1.0f, 1.0f, 1.4142135623730951},
};

START_TEST(distance)
{
    float a[DESCRIPTOR_DIM], b[DESCRIPTOR_DIM];
    double d;

    for (int i = 0; i < DESCRIPTOR_DIM; i++)
        a[i] = b[i] = (float)i / 100.0f;
    if (dist_tab[_i].k1 >= 0)
        b[dist_tab[_i].k1] += dist_tab[_i].v1;
    if (dist_tab[_i].k2 >= 0)
        b[dist_tab[_i].k2] += dist_tab[_i].v2;
    d = descriptor_distance(a, b);
    ck_assert_double_eq_tol(d, dist_tab[_i].want, 1e-6);
    ck_assert_double_eq(d, descriptor_distance(b, a));
}
END_TEST

/* float32 little-endian: the bytes the database seals and base64 carries */
static const struct {
    float v;
    unsigned char le[4];
} le_tab[] = {
    {0.0f, {0x00, 0x00, 0x00, 0x00}},
    {1.0f, {0x00, 0x00, 0x80, 0x3f}},
    {-2.5f, {0x00, 0x00, 0x20, 0xc0}},
    {0.1f, {0xcd, 0xcc, 0xcc, 0x3d}},
};

START_TEST(to_le)
{
    float d[DESCRIPTOR_DIM];
    unsigned char out[DESCRIPTOR_BYTES];

    for (int i = 0; i < DESCRIPTOR_DIM; i++)
        d[i] = i == 127 ? le_tab[_i].v : 0.0f;
    descriptor_to_le(d, out);
    ck_assert_mem_eq(out + 4 * 127, le_tab[_i].le, 4);
    for (int i = 0; i < 4 * 127; i++)
        ck_assert_uint_eq(out[i], 0);
}
END_TEST

UNIT_SUITE(suite_descriptor)
{
    Suite *s = suite_create("descriptor");
    TCase *tc;

    tc = tcase_create("from_json");
    tcase_add_loop_test(tc, accepts, 0, NELEM(ok_tab));
    tcase_add_loop_test(tc, refuses, 0, NELEM(bad_tab));
    tcase_add_loop_test(tc, refuses_non_arrays, 0, NELEM(bad_roots));
    tcase_add_loop_test(tc, refuses_non_finite, 0, NELEM(unspellable));
    tcase_add_test(tc, refuses_null_pointer);
    suite_add_tcase(s, tc);

    tc = tcase_create("to_le");
    tcase_add_loop_test(tc, to_le, 0, NELEM(le_tab));
    suite_add_tcase(s, tc);

    tc = tcase_create("distance");
    tcase_add_loop_test(tc, distance, 0, NELEM(dist_tab));
    suite_add_tcase(s, tc);

    return s;
}
