/* test_heartbeat_rules.c — handlers/devices/heartbeat_rules.h against
 * docs/iot.md "Metrics": a table of heartbeat bodies accepted (each field
 * at both ends of its range, absent and null fields, other fields left
 * alone) with what they read as, and a table refused with the field
 * named (out of range just past each end, wrong types, text too long or
 * with control characters); the receipt's version against the hotel's.
 * JSON in the tables is written with ' for ". */
#include <string.h>

#include "devices/heartbeat_rules.h"
#include "jsonx.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define S16 "abcdefghijklmnop"
#define S64 S16 S16 S16 S16

/* text with every ' turned into ", parsed; NULL for "" (no body) */
static struct json_object *parse(const char *text)
{
    static char buf[4096];
    size_t n = strlen(text);

    if (n == 0)
        return NULL;
    ck_assert_uint_lt(n, sizeof(buf));
    for (size_t i = 0; i <= n; i++)
        buf[i] = text[i] == '\'' ? '"' : text[i];
    struct json_object *o = jx_parse(buf, n);
    ck_assert_msg(o != NULL, "test JSON does not parse: %s", buf);
    return o;
}

/* ---- accepted ------------------------------------------------------------ */

static const struct {
    const char *body;
    int metrics;                /* heartbeat_has_metrics */
    const char *firmware;       /* NULL: absent */
    long long uptime, storage, profiles, applied;   /* -1: absent */
    double temperature;         /* -1000: absent */
} ok[] = {
    {"", 0, NULL, -1, -1, -1, -1, -1000},
    {"{}", 0, NULL, -1, -1, -1, -1, -1000},
    {"{'error':'lens'}", 0, NULL, -1, -1, -1, -1, -1000},
    {"{'other':[1,2],'firmware_version':null,'temperature_c':null}", 0, NULL, -1, -1, -1, -1, -1000},
    {"{'firmware_version':'2.4.1'}", 1, "2.4.1", -1, -1, -1, -1, -1000},
    {"{'firmware_version':''}", 1, "", -1, -1, -1, -1, -1000},
    {"{'firmware_version':'" S64 "'}", 1, S64, -1, -1, -1, -1, -1000},
    {"{'uptime_seconds':0}", 1, NULL, 0, -1, -1, -1, -1000},
    {"{'uptime_seconds':315576000}", 1, NULL, 315576000, -1, -1, -1, -1000},
    {"{'temperature_c':-40}", 1, NULL, -1, -1, -1, -1, -40},
    {"{'temperature_c':125}", 1, NULL, -1, -1, -1, -1, 125},
    {"{'temperature_c':36.6}", 1, NULL, -1, -1, -1, -1, 36.6},
    {"{'free_storage_mb':0}", 1, NULL, -1, 0, -1, -1, -1000},
    {"{'free_storage_mb':10000000}", 1, NULL, -1, 10000000, -1, -1, -1000},
    {"{'profile_count':1000000}", 1, NULL, -1, -1, 1000000, -1, -1000},
    {"{'applied_version':0}", 1, NULL, -1, -1, -1, 0, -1000},
    {"{'applied_version':9007199254740992}", 1, NULL, -1, -1, -1, 9007199254740992LL, -1000},
    {"{'firmware_version':'fw-1','uptime_seconds':3600,'temperature_c':41.5,'free_storage_mb':2048,"
     "'profile_count':142,'applied_version':848,'error':null}", 1, "fw-1", 3600, 2048, 142, 848, 41.5},
};

START_TEST(accepted)
{
    struct json_object *body = parse(ok[_i].body);
    struct heartbeat hb;
    const char *field = NULL, *why = NULL;

    ck_assert_msg(heartbeat_parse(body, &hb, &field, &why) == 0, "%s: refused %s %s", ok[_i].body,
                  field ? field : "", why ? why : "");
    ck_assert_int_eq(heartbeat_has_metrics(&hb), ok[_i].metrics);
    ck_assert_int_eq(hb.has_firmware, ok[_i].firmware != NULL);
    if (ok[_i].firmware != NULL)
        ck_assert_str_eq(hb.firmware_version, ok[_i].firmware);
    ck_assert_int_eq(hb.has_uptime, ok[_i].uptime >= 0);
    if (hb.has_uptime)
        ck_assert_int_eq(hb.uptime_seconds, ok[_i].uptime);
    ck_assert_int_eq(hb.has_storage, ok[_i].storage >= 0);
    if (hb.has_storage)
        ck_assert_int_eq(hb.free_storage_mb, ok[_i].storage);
    ck_assert_int_eq(hb.has_profiles, ok[_i].profiles >= 0);
    if (hb.has_profiles)
        ck_assert_int_eq(hb.profile_count, ok[_i].profiles);
    ck_assert_int_eq(hb.has_applied, ok[_i].applied >= 0);
    if (hb.has_applied)
        ck_assert_int_eq(hb.applied_version, ok[_i].applied);
    ck_assert_int_eq(hb.has_temperature, ok[_i].temperature > -1000);
    if (hb.has_temperature)
        ck_assert_double_eq_tol(hb.temperature_c, ok[_i].temperature, 1e-9);
    json_object_put(body);
}
END_TEST

/* ---- refused -------------------------------------------------------------- */

static const struct {
    const char *body, *field;
} bad[] = {
    {"{'firmware_version':'" S64 "x'}", "firmware_version"},
    {"{'firmware_version':'a\\u0001b'}", "firmware_version"},
    {"{'firmware_version':'a\\u0000b'}", "firmware_version"},
    {"{'firmware_version':2}", "firmware_version"},
    {"{'uptime_seconds':-1}", "uptime_seconds"},
    {"{'uptime_seconds':315576001}", "uptime_seconds"},
    {"{'uptime_seconds':1.5}", "uptime_seconds"},
    {"{'uptime_seconds':'60'}", "uptime_seconds"},
    {"{'uptime_seconds':99999999999999999999}", "uptime_seconds"},
    {"{'temperature_c':-40.001}", "temperature_c"},
    {"{'temperature_c':125.5}", "temperature_c"},
    {"{'temperature_c':'hot'}", "temperature_c"},
    {"{'temperature_c':true}", "temperature_c"},
    {"{'temperature_c':1e400}", "temperature_c"},
    {"{'free_storage_mb':-1}", "free_storage_mb"},
    {"{'free_storage_mb':10000001}", "free_storage_mb"},
    {"{'profile_count':1000001}", "profile_count"},
    {"{'profile_count':[1]}", "profile_count"},
    {"{'applied_version':-1}", "applied_version"},
    {"{'applied_config_version':-1}", "applied_config_version"},
    {"{'applied_config_version':'3'}", "applied_config_version"},
    {"{'applied_config_version':9007199254740993}", "applied_config_version"},
    {"{'applied_version':9007199254740993}", "applied_version"},
    {"{'applied_version':{}}", "applied_version"},
    /* the first bad field in the table's order is named, nothing read */
    {"{'uptime_seconds':5,'temperature_c':500,'profile_count':-3}", "temperature_c"},
};

START_TEST(refused)
{
    struct json_object *body = parse(bad[_i].body);
    struct heartbeat hb;
    const char *field = NULL, *why = NULL;

    ck_assert_msg(heartbeat_parse(body, &hb, &field, &why) == -1, "%s: accepted", bad[_i].body);
    ck_assert_ptr_nonnull(field);
    ck_assert_str_eq(field, bad[_i].field);
    ck_assert_ptr_nonnull(why);
    ck_assert_int_eq(heartbeat_has_metrics(&hb), 0);
    json_object_put(body);
}
END_TEST

/* ---- the receipt's version -------------------------------------------------- */

static const struct {
    long long applied, current;
    int ok;
} versions[] = {
    {0, 0, 1}, {0, 848, 1}, {847, 848, 1}, {848, 848, 1}, {849, 848, 0}, {1, 0, 0}, {-1, 848, 0},
};

START_TEST(receipt_versions)
{
    ck_assert_int_eq(receipt_version_ok(versions[_i].applied, versions[_i].current), versions[_i].ok);
}
END_TEST

/* the applied config version: read, and not a metric worth a sample */
START_TEST(applied_config)
{
    struct heartbeat hb;
    const char *field = NULL, *why = NULL;
    static const char text[] = "{\"applied_config_version\":12}";
    struct json_object *body = jx_parse(text, sizeof text - 1);

    ck_assert_int_eq(heartbeat_parse(body, &hb, &field, &why), 0);
    ck_assert_int_eq(hb.has_config_applied, 1);
    ck_assert_int_eq(hb.applied_config_version, 12);
    ck_assert_int_eq(heartbeat_has_metrics(&hb), 0);
    json_object_put(body);
}
END_TEST

UNIT_SUITE(suite_heartbeat_rules)
{
    Suite *s = suite_create("heartbeat_rules");
    TCase *tc = tcase_create("parse");

    tcase_add_loop_test(tc, accepted, 0, NELEM(ok));
    tcase_add_loop_test(tc, refused, 0, NELEM(bad));
    tcase_add_loop_test(tc, receipt_versions, 0, NELEM(versions));
    tcase_add_test(tc, applied_config);
    suite_add_tcase(s, tc);
    return s;
}
