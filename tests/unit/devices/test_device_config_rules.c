/* test_device_config_rules.c — handlers/devices/device_config_rules.h
 * against docs/iot.md "Config": the defaults; a table of bodies accepted
 * (each setting at both ends of its range, absent ones defaulted) with
 * what they read as, and one refused with the key named (out of range,
 * wrong type, a key that is no setting); the JSON written back reads the
 * same; the effective configuration (defaults < location < own) and the
 * settings stored (only those sent). JSON in the tables is written with ' for ". */
#include <math.h>
#include <string.h>

#include "devices/device_config_rules.h"
#include "jsonx.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static struct json_object *parse(const char *text)
{
    static char buf[1024];
    size_t n = strlen(text);

    ck_assert_uint_lt(n, sizeof(buf));
    for (size_t i = 0; i <= n; i++)
        buf[i] = text[i] == '\'' ? '"' : text[i];
    struct json_object *o = jx_parse(buf, n);
    ck_assert_msg(o != NULL, "test JSON does not parse: %s", buf);
    return o;
}

/* field by field (the struct has padding) */
static int same(const struct device_config *a, const struct device_config *b)
{
    return a->recognition_threshold == b->recognition_threshold && a->capture_interval_ms == b->capture_interval_ms &&
           a->min_face_px == b->min_face_px && a->liveness_check == b->liveness_check;
}

static const struct {
    const char *body;
    struct device_config want;
} ok[] = {
    {"{}", {0.6, 1000, 80, 1}},
    {"{'recognition_threshold':null}", {0.6, 1000, 80, 1}},
    {"{'recognition_threshold':0.3}", {0.3, 1000, 80, 1}},
    {"{'recognition_threshold':0.8}", {0.8, 1000, 80, 1}},
    {"{'recognition_threshold':0.55,'liveness_check':false}", {0.55, 1000, 80, 0}},
    {"{'capture_interval_ms':100,'min_face_px':40}", {0.6, 100, 40, 1}},
    {"{'capture_interval_ms':10000,'min_face_px':400,'liveness_check':true}", {0.6, 10000, 400, 1}},
};

START_TEST(accepted)
{
    struct json_object *body = parse(ok[_i].body);
    struct device_config c, again;
    const char *field = NULL, *why = NULL;

    ck_assert_msg(device_config_parse(body, &c, &field, &why) == 0, "%s: refused", ok[_i].body);
    ck_assert_double_eq_tol(c.recognition_threshold, ok[_i].want.recognition_threshold, 1e-12);
    ck_assert_int_eq(c.capture_interval_ms, ok[_i].want.capture_interval_ms);
    ck_assert_int_eq(c.min_face_px, ok[_i].want.min_face_px);
    ck_assert_int_eq(c.liveness_check, ok[_i].want.liveness_check);
    /* written back, it reads the same */
    struct json_object *back = device_config_json(&c);
    ck_assert_int_eq(device_config_parse(back, &again, &field, &why), 0);
    ck_assert(same(&c, &again));
    json_object_put(back);
    json_object_put(body);
}
END_TEST

static const struct {
    const char *body, *field;
} bad[] = {
    {"{'recognition_threshold':0.29}", "recognition_threshold"},
    {"{'recognition_threshold':0.81}", "recognition_threshold"},
    {"{'recognition_threshold':'0.5'}", "recognition_threshold"},
    {"{'capture_interval_ms':99}", "capture_interval_ms"},
    {"{'capture_interval_ms':10001}", "capture_interval_ms"},
    {"{'capture_interval_ms':500.5}", "capture_interval_ms"},
    {"{'min_face_px':39}", "min_face_px"},
    {"{'min_face_px':401}", "min_face_px"},
    {"{'liveness_check':1}", "liveness_check"},
    {"{'liveness_check':'yes'}", "liveness_check"},
    {"{'threshold':0.5}", "threshold"},
    {"{'recognition_threshold':0.5,'Recognition_threshold':0.5}", "Recognition_threshold"},
    {"[]", "config"},
    {"7", "config"},
};

START_TEST(refused)
{
    struct json_object *body = parse(bad[_i].body);
    struct device_config c;
    const char *field = NULL, *why = NULL;

    ck_assert_msg(device_config_parse(body, &c, &field, &why) == -1, "%s: accepted", bad[_i].body);
    ck_assert_ptr_nonnull(field);
    ck_assert_str_eq(field, bad[_i].field);
    ck_assert_ptr_nonnull(why);
    ck_assert_double_eq(c.recognition_threshold, 0.6);     /* the defaults, nothing half-read */
    json_object_put(body);
}
END_TEST

START_TEST(null_body)
{
    struct device_config c;
    const char *field = NULL, *why = NULL;

    ck_assert_int_eq(device_config_parse(NULL, &c, &field, &why), -1);
    ck_assert_str_eq(field, "config");
}
END_TEST

/* the effective configuration: defaults < location < device's own */
static const struct {
    const char *location, *own;     /* NULL: none */
    struct device_config want;
} eff[] = {
    {NULL, NULL, {0.6, 1000, 80, 1}},
    {"{}", "{}", {0.6, 1000, 80, 1}},
    {"{'recognition_threshold':0.5}", NULL, {0.5, 1000, 80, 1}},
    {NULL, "{'recognition_threshold':0.5}", {0.5, 1000, 80, 1}},
    {"{'recognition_threshold':0.5,'min_face_px':100}", "{'min_face_px':150}", {0.5, 1000, 150, 1}},
    {"{'liveness_check':false}", "{'liveness_check':true}", {0.6, 1000, 80, 1}},
    {"{'capture_interval_ms':250}", "{'capture_interval_ms':null}", {0.6, 250, 80, 1}},
    /* a refused one counts as none (stored ones were checked) */
    {"{'recognition_threshold':0.9}", "{'min_face_px':60}", {0.6, 1000, 60, 1}},
    {"{'min_face_px':60}", "{'bogus':1}", {0.6, 1000, 60, 1}},
};

START_TEST(effective)
{
    struct json_object *loc = eff[_i].location ? parse(eff[_i].location) : NULL;
    struct json_object *own = eff[_i].own ? parse(eff[_i].own) : NULL;
    struct device_config c;

    device_config_effective(loc, own, &c);
    ck_assert_msg(same(&c, &eff[_i].want), "row %d: %g %ld %ld %d", _i, c.recognition_threshold,
                  c.capture_interval_ms, c.min_face_px, c.liveness_check);
    json_object_put(loc);
    json_object_put(own);
}
END_TEST

/* what is stored: the settings sent, and only those, normalised */
static const struct {
    const char *body, *want;        /* want NULL: refused */
} kept[] = {
    {"{}", "{ }"},
    {"{'min_face_px':100}", "{ \"min_face_px\": 100 }"},
    {"{'recognition_threshold':null,'liveness_check':false}", "{ \"liveness_check\": false }"},
    {"{'recognition_threshold':0.5,'capture_interval_ms':100}",
     "{ \"recognition_threshold\": 0.5, \"capture_interval_ms\": 100 }"},
    {"{'min_face_px':39}", NULL},
    {"{'min_face_px':100,'other':1}", NULL},
    {"[]", NULL},
};

START_TEST(settings)
{
    struct json_object *body = parse(kept[_i].body);
    const char *field = NULL, *why = NULL;
    struct json_object *got = device_config_settings(body, &field, &why);

    if (kept[_i].want == NULL) {
        ck_assert_ptr_null(got);
        ck_assert_ptr_nonnull(field);
        ck_assert_ptr_nonnull(why);
    } else {
        ck_assert_ptr_nonnull(got);
        ck_assert_str_eq(json_object_to_json_string_ext(got, JSON_C_TO_STRING_SPACED), kept[_i].want);
    }
    json_object_put(got);
    json_object_put(body);
}
END_TEST

START_TEST(apply_keeps_on_refusal)
{
    struct device_config c = {0.4, 500, 60, 0}, before = c;
    const char *field = NULL, *why = NULL;
    struct json_object *body = parse("{'min_face_px':100,'recognition_threshold':2}");

    ck_assert_int_eq(device_config_apply(body, &c, &field, &why), -1);
    ck_assert_str_eq(field, "recognition_threshold");
    ck_assert(same(&c, &before));
    json_object_put(body);
    body = parse("{'min_face_px':100}");
    ck_assert_int_eq(device_config_apply(body, &c, &field, &why), 0);
    ck_assert_int_eq(c.min_face_px, 100);
    ck_assert_int_eq(c.capture_interval_ms, 500);          /* the rest as it was */
    json_object_put(body);
}
END_TEST

UNIT_SUITE(suite_device_config_rules)
{
    Suite *s = suite_create("device_config_rules");
    TCase *tc = tcase_create("parse");

    tcase_add_loop_test(tc, accepted, 0, NELEM(ok));
    tcase_add_loop_test(tc, refused, 0, NELEM(bad));
    tcase_add_test(tc, null_body);
    tcase_add_loop_test(tc, effective, 0, NELEM(eff));
    tcase_add_loop_test(tc, settings, 0, NELEM(kept));
    tcase_add_test(tc, apply_keeps_on_refusal);
    suite_add_tcase(s, tc);
    return s;
}
