/* test_device_rules.c — handlers/devices/device_rules.h against docs/iot.md:
 * connectivity status at both sides of 90 s, status names both ways, the
 * lifecycle shown, and tables of valid and invalid device ids,
 * capabilities, event ids, locations, event timestamps (with the UTC text
 * they become) and event metadata, run with tcase_add_loop_test. JSON in
 * the tables is written with ' for " to keep them readable. */
#include <stdio.h>
#include <string.h>

#include "devices/device_rules.h"
#include "jsonx.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define S16 "abcdefghijklmnop"
#define S64 S16 S16 S16 S16

/* text with every ' turned into ", parsed; NULL for "" (an absent value).
 * The caller puts it. */
static struct json_object *
parse(const char *text)
{
    static char buf[32768];
    size_t n = strlen(text);
    struct json_object *o;

    if (n == 0)
        return NULL;
    ck_assert_uint_lt(n, sizeof(buf));
    for (size_t i = 0; i <= n; i++)
        buf[i] = text[i] == '\'' ? '"' : text[i];
    o = jx_parse(buf, n);
    ck_assert_msg(o != NULL, "test JSON does not parse: %s", buf);
    return o;
}

/* ---- status ------------------------------------------------------------- */

static const struct {
    int provisioned, has_heartbeat;
    double age;
    enum device_status want;
} status_cases[] = {
    { 0, 0, 0, DEVICE_PROVISIONING },
    { 0, 1, 1, DEVICE_PROVISIONING },          /* a heartbeat does not provision */
    { 1, 0, 0, DEVICE_OFFLINE },               /* provisioned, never seen */
    { 1, 1, 0, DEVICE_ONLINE },
    { 1, 1, 89.999, DEVICE_ONLINE },
    { 1, 1, 90, DEVICE_OFFLINE },              /* "under 90 s" */
    { 1, 1, 90.001, DEVICE_OFFLINE },
    { 1, 1, 86400, DEVICE_OFFLINE },
    { 1, 1, -0.5, DEVICE_ONLINE },             /* written after the reader's now() */
};

START_TEST(status_table)
{
    ck_assert_int_eq(device_status(status_cases[_i].provisioned, status_cases[_i].has_heartbeat,
                                   status_cases[_i].age),
                     status_cases[_i].want);
}
END_TEST

START_TEST(status_names)
{
    enum device_status s = DEVICE_ONLINE;

    ck_assert_str_eq(device_status_name(DEVICE_PROVISIONING), "provisioning");
    ck_assert_str_eq(device_status_name(DEVICE_ONLINE), "online");
    ck_assert_str_eq(device_status_name(DEVICE_OFFLINE), "offline");
    for (int i = DEVICE_PROVISIONING; i <= DEVICE_OFFLINE; i++) {
        ck_assert_int_eq(device_status_parse(device_status_name((enum device_status)i), &s), 0);
        ck_assert_int_eq(s, i);
    }
    ck_assert_int_eq(device_status_parse("Online", &s), -1);
    ck_assert_int_eq(device_status_parse("", &s), -1);
    ck_assert_int_eq(device_status_parse("active", &s), -1);
    ck_assert_int_eq(device_status_parse(NULL, &s), -1);
}
END_TEST

START_TEST(lifecycle_shown)
{
    ck_assert_str_eq(device_lifecycle_shown("PROVISIONING", DEVICE_PROVISIONING), "PROVISIONING");
    ck_assert_str_eq(device_lifecycle_shown("PROVISIONED", DEVICE_OFFLINE), "OFFLINE");
    ck_assert_str_eq(device_lifecycle_shown("ACTIVE", DEVICE_ONLINE), "ACTIVE");
    ck_assert_str_eq(device_lifecycle_shown("ACTIVE", DEVICE_OFFLINE), "OFFLINE");
    ck_assert_str_eq(device_lifecycle_shown("ERROR", DEVICE_ONLINE), "ERROR");
    ck_assert_str_eq(device_lifecycle_shown("ERROR", DEVICE_OFFLINE), "OFFLINE");
    ck_assert_str_eq(device_lifecycle_shown("DISABLED", DEVICE_OFFLINE), "DISABLED");
    ck_assert_str_eq(device_lifecycle_shown("ALLOCATED", DEVICE_OFFLINE), "ALLOCATED");
    ck_assert_str_eq(device_lifecycle_shown("PROVISIONED", DEVICE_ONLINE), "PROVISIONED");
}
END_TEST

/* ---- device ids and capabilities ------------------------------------------ */

static const char *const device_id_ok[] = {
    "cam-001", "a", "0", "Lobby.Cam_2", "AA:BB:CC:DD:EE:FF", "x-", "9.",
    S64,                                       /* 64 characters */
};
static const char *const device_id_bad[] = {
    "", "-cam", ".cam", "_cam", ":cam", "cam 1", "cam/1", "cam\n", "cäm", "cam%20",
    S64 "a",                                   /* 65 characters */
    "provision\t", "cam,1",
};

START_TEST(device_id_valid) { ck_assert_msg(valid_device_id(device_id_ok[_i]), "%s", device_id_ok[_i]); }
END_TEST
START_TEST(device_id_invalid) { ck_assert_msg(!valid_device_id(device_id_bad[_i]), "%s", device_id_bad[_i]); }
END_TEST

START_TEST(capabilities)
{
    ck_assert(valid_capability("face_recognition"));
    ck_assert(valid_capability("emotion_monitoring"));
    ck_assert(!valid_capability("facial_recognition"));
    ck_assert(!valid_capability("Face_recognition"));
    ck_assert(!valid_capability(""));
    ck_assert(!valid_capability(NULL));
    ck_assert(!valid_device_id(NULL));
}
END_TEST

/* ---- event ids ------------------------------------------------------------ */

static const char *const event_id_ok[] = {
    "EV1-1768559400000-a1B2",
    "EV1-1234567890-abcd",                     /* 10 digits */
    "EV1-1234567890123456-abcd",               /* 16 digits */
    "EV1-1768559400000-" S64,                  /* 64 alphanumerics */
    "EV1-0000000000-0000",
};
static const char *const event_id_bad[] = {
    "", "EV1", "EV1-", "EV1-1768559400000", "EV1-1768559400000-",
    "EV1-123456789-abcd",                      /* 9 digits */
    "EV1-12345678901234567-abcd",              /* 17 digits */
    "EV1-1768559400000-abc",                   /* 3 alphanumerics */
    "EV1-1768559400000-" S64 "a",              /* 65 */
    "EV2-1768559400000-abcd", "ev1-1768559400000-abcd", "EV1_1768559400000-abcd",
    "EV1-1768559400000_abcd", "EV1-17685594000x0-abcd", "EV1-1768559400000-ab-cd",
    "EV1-1768559400000-ab_cd", "EV1-1768559400000-abcd ", " EV1-1768559400000-abcd",
    "EV1--1768559400000-abcd", "EV1-1768559400000-abcdé",
};

START_TEST(event_id_valid) { ck_assert_msg(valid_event_id(event_id_ok[_i]), "%s", event_id_ok[_i]); }
END_TEST
START_TEST(event_id_invalid) { ck_assert_msg(!valid_event_id(event_id_bad[_i]), "%s", event_id_bad[_i]); }
END_TEST
START_TEST(event_id_null) { ck_assert(!valid_event_id(NULL)); }
END_TEST

/* ---- location_geo --------------------------------------------------------- */

static const struct { const char *json; int present; double lon, lat; } geo_ok[] = {
    { "", 0, 0, 0 },                           /* absent or null */
    { "[-122.4194, 37.7749]", 1, -122.4194, 37.7749 },
    { "[0, 0]", 1, 0, 0 },
    { "[180, 90]", 1, 180, 90 },
    { "[-180, -90]", 1, -180, -90 },
    { "[1e2, -4.5e1]", 1, 100, -45 },
};
static const char *const geo_bad[] = {
    "[]", "[1]", "[1, 2, 3]", "[180.0001, 0]", "[-180.5, 0]", "[0, 90.01]", "[0, -91]",
    "['1', 2]", "[1, '2']", "[true, 0]", "[null, 0]", "[[1], 2]", "{'lon': 1, 'lat': 2}",
    "'1,2'", "12", "true",
};

START_TEST(geo_valid)
{
    struct json_object *v = parse(geo_ok[_i].json);
    int present = -1;
    double lon = 99, lat = 99;
    const char *why = NULL;

    ck_assert_msg(device_geo_from_json(v, &present, &lon, &lat, &why) == 0, "%s", geo_ok[_i].json);
    ck_assert_int_eq(present, geo_ok[_i].present);
    if (present) {
        ck_assert_double_eq(lon, geo_ok[_i].lon);
        ck_assert_double_eq(lat, geo_ok[_i].lat);
    }
    json_object_put(v);
}
END_TEST

START_TEST(geo_invalid)
{
    struct json_object *v = parse(geo_bad[_i]);
    int present = -1;
    double lon, lat;
    const char *why = NULL;

    ck_assert_msg(device_geo_from_json(v, &present, &lon, &lat, &why) == -1, "%s", geo_bad[_i]);
    ck_assert_ptr_nonnull(why);
    ck_assert_int_eq(present, 0);
    json_object_put(v);
}
END_TEST

/* ---- event timestamps ----------------------------------------------------- */

static const struct { const char *in, *out; } stamp_ok[] = {
    { "2026-01-16T10:30:00Z", "2026-01-16 10:30:00.000000+00" },
    { "2026-01-16t10:30:00z", "2026-01-16 10:30:00.000000+00" },
    { "2026-01-16T10:30:00.5Z", "2026-01-16 10:30:00.500000+00" },
    { "2026-01-16T10:30:00.123456789Z", "2026-01-16 10:30:00.123456+00" },
    { "2026-01-17T00:30:00+01:00", "2026-01-16 23:30:00.000000+00" },
    { "2026-01-16T23:30:00-05:30", "2026-01-17 05:00:00.000000+00" },
    { "1970-01-01T00:00:00Z", "1970-01-01 00:00:00.000000+00" },
    { "1970-01-01T01:00:00+01:00", "1970-01-01 00:00:00.000000+00" },
    { "9999-12-31T23:59:59Z", "9999-12-31 23:59:59.000000+00" },
    { "2024-02-29T12:00:00Z", "2024-02-29 12:00:00.000000+00" },
};
static const char *const stamp_bad[] = {
    "", "2026-01-16", "2026-01-16T10:30:00", "2026-01-16 10:30:00Z", "2026-01-16T10:30Z",
    "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-01-16T24:00:00Z",
    "2026-01-16T10:30:00+1:00", "2026-01-16T10:30:00.Z", "1969-12-31T23:59:59Z",
    "1970-01-01T00:30:00+01:00",               /* 1969 in UTC */
    "9999-12-31T23:59:59-00:01",               /* year 10000 in UTC */
    "0000-01-01T00:00:00Z", "yesterday", "1768559400000",
};

START_TEST(stamp_valid)
{
    char out[40];

    ck_assert_msg(event_timestamp_text(stamp_ok[_i].in, out, sizeof out) == 0, "%s", stamp_ok[_i].in);
    ck_assert_str_eq(out, stamp_ok[_i].out);
}
END_TEST

START_TEST(stamp_invalid)
{
    char out[40];

    ck_assert_msg(event_timestamp_text(stamp_bad[_i], out, sizeof out) == -1, "%s", stamp_bad[_i]);
}
END_TEST

START_TEST(stamp_small_buffer)
{
    char out[20];

    ck_assert_int_eq(event_timestamp_text("2026-01-16T10:30:00Z", out, sizeof out), -1);
    ck_assert_int_eq(event_timestamp_text(NULL, out, sizeof out), -1);
}
END_TEST

/* ---- metadata ------------------------------------------------------------- */

static const char *const meta_ok[] = {
    "{}",
    "{'person_name': 'Jo', 'confidence': 0.93}",
    "{'box': [1, 2, 3.5, -4], 'nested': {'a': {'b': [true, false, null]}}}",
    "{'big': 9223372036854775807, 'small': -9223372036854775807}",
    "{'u': 18446744073709551614}",
    "{'text': 'caf\\u00e9 \\u2603'}",
};
static const char *const meta_bad[] = {
    "[]", "'x'", "1", "true",
    "{'a': 'x\\u0000y'}",                     /* NUL: jsonb refuses it */
    "{'a': ['ok', {'b': '\\u0000'}]}",
    "{'a': 1e999}", "{'a': [-1e400]}",        /* not finite */
    "{'a': 123456789012345678901234567890}",  /* json-c saturates to UINT64_MAX */
    "{'a': -123456789012345678901234567890}", /* ... and to INT64_MIN */
};

START_TEST(meta_valid)
{
    struct json_object *o = parse(meta_ok[_i]);
    const char *why = NULL;

    ck_assert_msg(event_metadata_check(o, &why) == 0, "%s: %s", meta_ok[_i], why ? why : "");
    json_object_put(o);
}
END_TEST

START_TEST(meta_invalid)
{
    struct json_object *o = parse(meta_bad[_i]);
    const char *why = NULL;

    ck_assert_msg(event_metadata_check(o, &why) == -1, "%s", meta_bad[_i]);
    ck_assert_ptr_nonnull(why);
    json_object_put(o);
}
END_TEST

/* exactly EVENT_METADATA_MAX bytes serialized passes, one more does not */
START_TEST(meta_size_limit)
{
    static char text[EVENT_METADATA_MAX + 64];
    const char *why = NULL;
    struct json_object *o;
    size_t fill = EVENT_METADATA_MAX - strlen("{\"a\":\"\"}");

    memcpy(text, "{'a':'", 6);
    memset(text + 6, 'x', fill);
    memcpy(text + 6 + fill, "'}", 3);
    o = parse(text);
    ck_assert_uint_eq(strlen(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)),
                      EVENT_METADATA_MAX);
    ck_assert_int_eq(event_metadata_check(o, &why), 0);
    json_object_put(o);

    memset(text + 6, 'x', fill + 1);
    memcpy(text + 6 + fill + 1, "'}", 3);
    o = parse(text);
    ck_assert_int_eq(event_metadata_check(o, &why), -1);
    ck_assert_ptr_nonnull(why);
    json_object_put(o);

    ck_assert_int_eq(event_metadata_check(NULL, &why), -1);
}
END_TEST

UNIT_SUITE(suite_device_rules)
{
    Suite *s = suite_create("device_rules");
    TCase *tc;

    tc = tcase_create("status");
    tcase_add_loop_test(tc, status_table, 0, NELEM(status_cases));
    tcase_add_test(tc, status_names);
    tcase_add_test(tc, lifecycle_shown);
    suite_add_tcase(s, tc);

    tc = tcase_create("device_id");
    tcase_add_loop_test(tc, device_id_valid, 0, NELEM(device_id_ok));
    tcase_add_loop_test(tc, device_id_invalid, 0, NELEM(device_id_bad));
    tcase_add_test(tc, capabilities);
    suite_add_tcase(s, tc);

    tc = tcase_create("event_id");
    tcase_add_loop_test(tc, event_id_valid, 0, NELEM(event_id_ok));
    tcase_add_loop_test(tc, event_id_invalid, 0, NELEM(event_id_bad));
    tcase_add_test(tc, event_id_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("geo");
    tcase_add_loop_test(tc, geo_valid, 0, NELEM(geo_ok));
    tcase_add_loop_test(tc, geo_invalid, 0, NELEM(geo_bad));
    suite_add_tcase(s, tc);

    tc = tcase_create("timestamp");
    tcase_add_loop_test(tc, stamp_valid, 0, NELEM(stamp_ok));
    tcase_add_loop_test(tc, stamp_invalid, 0, NELEM(stamp_bad));
    tcase_add_test(tc, stamp_small_buffer);
    suite_add_tcase(s, tc);

    tc = tcase_create("metadata");
    tcase_add_loop_test(tc, meta_valid, 0, NELEM(meta_ok));
    tcase_add_loop_test(tc, meta_invalid, 0, NELEM(meta_bad));
    tcase_add_test(tc, meta_size_limit);
    suite_add_tcase(s, tc);

    return s;
}
