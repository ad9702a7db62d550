/* test_alert_rules.c — handlers/attendance/alert_rules.h against
 * docs/api.md "Alerts": the catalogue's names and defaults, a table of
 * PATCHes alert_rules_apply_patch must accept (read back through
 * alert_rules_to_json) and one it must refuse with the field it names,
 * each rule on both sides of its threshold (alert_holds,
 * alert_tick_holds), the evaluation's steps and the throttle decision.
 * JSON is written with ' for " to keep the tables readable. */
#include <string.h>

#include "jsonx.h"
#include "attendance/alert_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* text with every ' turned into ", parsed; the caller puts it */
static struct json_object *parse(const char *text)
{
    char buf[4096];
    size_t n = strlen(text);

    ck_assert_uint_lt(n, sizeof(buf));
    for (size_t i = 0; i <= n; i++)
        buf[i] = text[i] == '\'' ? '"' : text[i];
    struct json_object *o = jx_parse(buf, n);
    ck_assert_msg(o != NULL, "test JSON does not parse: %s", buf);
    return o;
}

static void assert_json_eq(struct json_object *got, const char *want_text)
{
    struct json_object *want = parse(want_text);
    ck_assert_msg(json_object_equal(got, want), "got %s, want %s",
                  json_object_to_json_string_ext(got, JSON_C_TO_STRING_PLAIN),
                  json_object_to_json_string_ext(want, JSON_C_TO_STRING_PLAIN));
    json_object_put(want);
}

START_TEST(names_round_trip)
{
    for (int i = 0; i < ALERT_NRULES; i++)
        ck_assert_int_eq(alert_rule_of(alert_rule_name((enum alert_rule)i)), i);
    ck_assert_int_eq(alert_rule_of("nope"), -1);
    ck_assert_int_eq(alert_rule_of(NULL), -1);
    ck_assert_ptr_null(alert_rule_name(ALERT_NRULES));
}
END_TEST

START_TEST(defaults_json)
{
    struct alert_rules rs;
    alert_rules_defaults(&rs);
    struct json_object *o = alert_rules_to_json(&rs);
    assert_json_eq(o, "{'failed_scans': {'enabled': true, 'threshold': 5, 'window_minutes': 2, 'cooldown_minutes': 0},"
                      " 'unrostered_day': {'enabled': true, 'threshold': 10},"
                      " 'hard_limit': {'enabled': true}, 'overtime': {'enabled': true},"
                      " 'device_offline': {'enabled': true, 'minutes': 10},"
                      " 'face_revoked': {'enabled': true},"
                      " 'revocation_unsynced': {'enabled': true, 'minutes': 30}}");
    json_object_put(o);
}
END_TEST

/* a patch and the one rule it changes, as the rule then reads */
static const struct {
    const char *patch, *rule, *after;
} patch_ok[] = {
    {"{}", "overtime", "{'enabled': true}"},
    {"{'overtime': {}}", "overtime", "{'enabled': true}"},
    {"{'overtime': {'enabled': false}}", "overtime", "{'enabled': false}"},
    {"{'failed_scans': {'threshold': 2}}", "failed_scans",
     "{'enabled': true, 'threshold': 2, 'window_minutes': 2, 'cooldown_minutes': 0}"},
    {"{'failed_scans': {'threshold': 1000, 'window_minutes': 1440, 'cooldown_minutes': 0}}", "failed_scans",
     "{'enabled': true, 'threshold': 1000, 'window_minutes': 1440, 'cooldown_minutes': 0}"},
    {"{'unrostered_day': {'threshold': 1}}", "unrostered_day", "{'enabled': true, 'threshold': 1}"},
    {"{'unrostered_day': {'threshold': 10000, 'enabled': false}}", "unrostered_day",
     "{'enabled': false, 'threshold': 10000}"},
    {"{'device_offline': {'minutes': 1}}", "device_offline", "{'enabled': true, 'minutes': 1}"},
    {"{'revocation_unsynced': {'minutes': 10080}}", "revocation_unsynced", "{'enabled': true, 'minutes': 10080}"},
};

START_TEST(patch_valid)
{
    struct alert_rules rs;
    char field[96];
    const char *why = NULL;
    struct json_object *p = parse(patch_ok[_i].patch);

    alert_rules_defaults(&rs);
    ck_assert_msg(alert_rules_apply_patch(&rs, p, field, sizeof field, &why) == 0, "%s refused: %s %s",
                  patch_ok[_i].patch, field, why);
    struct json_object *o = alert_rule_to_json(&rs, (enum alert_rule)alert_rule_of(patch_ok[_i].rule));
    assert_json_eq(o, patch_ok[_i].after);
    json_object_put(o);
    json_object_put(p);
}
END_TEST

/* a patch and the field its refusal names */
static const struct {
    const char *patch, *field;
} patch_bad[] = {
    {"[]", "body"},
    {"{'nope': {}}", "nope"},
    {"{'overtime': true}", "overtime"},
    {"{'overtime': null}", "overtime"},
    {"{'overtime': {'threshold': 3}}", "overtime.threshold"},
    {"{'overtime': {'enabled': 1}}", "overtime.enabled"},
    {"{'overtime': {'enabled': null}}", "overtime.enabled"},
    {"{'failed_scans': {'threshold': 1}}", "failed_scans.threshold"},
    {"{'failed_scans': {'threshold': 1001}}", "failed_scans.threshold"},
    {"{'failed_scans': {'threshold': 5.5}}", "failed_scans.threshold"},
    {"{'failed_scans': {'threshold': '5'}}", "failed_scans.threshold"},
    {"{'failed_scans': {'window_minutes': 0}}", "failed_scans.window_minutes"},
    {"{'failed_scans': {'window_minutes': 1441}}", "failed_scans.window_minutes"},
    {"{'failed_scans': {'cooldown_minutes': -1}}", "failed_scans.cooldown_minutes"},
    {"{'failed_scans': {'minutes': 3}}", "failed_scans.minutes"},
    {"{'unrostered_day': {'threshold': 0}}", "unrostered_day.threshold"},
    {"{'unrostered_day': {'threshold': 99999999999999999999}}", "unrostered_day.threshold"},
    {"{'device_offline': {'minutes': 0}}", "device_offline.minutes"},
    {"{'device_offline': {'minutes': 10081}}", "device_offline.minutes"},
    {"{'device_offline': {'window_minutes': 5}}", "device_offline.window_minutes"},
    {"{'revocation_unsynced': {'minutes': null}}", "revocation_unsynced.minutes"},
    {"{'face_revoked': {'enabled': true}, 'other': {}}", "other"},
};

START_TEST(patch_invalid)
{
    struct alert_rules rs;
    char field[96] = "";
    const char *why = NULL;
    struct json_object *p = parse(patch_bad[_i].patch);

    alert_rules_defaults(&rs);
    ck_assert_msg(alert_rules_apply_patch(&rs, p, field, sizeof field, &why) == -1, "%s accepted",
                  patch_bad[_i].patch);
    ck_assert_str_eq(field, patch_bad[_i].field);
    ck_assert_ptr_nonnull(why);
    ck_assert_int_gt((int)strlen(why), 0);
    json_object_put(p);
}
END_TEST

START_TEST(json_round_trip)
{
    struct alert_rules a, b;
    char field[96];
    const char *why;
    struct json_object *p = parse("{'failed_scans': {'threshold': 9, 'cooldown_minutes': 0},"
                                  " 'device_offline': {'enabled': false, 'minutes': 77}}");
    alert_rules_defaults(&a);
    ck_assert_int_eq(alert_rules_apply_patch(&a, p, field, sizeof field, &why), 0);
    struct json_object *shown = alert_rules_to_json(&a);
    alert_rules_defaults(&b);
    ck_assert_int_eq(alert_rules_apply_patch(&b, shown, field, sizeof field, &why), 0);
    ck_assert_int_eq(memcmp(&a, &b, sizeof a), 0);
    json_object_put(shown);
    json_object_put(p);
}
END_TEST

/* each rule on both sides of its threshold (defaults; limits 10 h / 12 h) */
static const struct {
    enum alert_rule rule;
    double value;
    int holds;
} holds_tab[] = {
    {ALERT_FAILED_SCANS, 4, 0},        {ALERT_FAILED_SCANS, 5, 1},        {ALERT_FAILED_SCANS, 6, 1},
    {ALERT_UNROSTERED_DAY, 9, 0},      {ALERT_UNROSTERED_DAY, 10, 1},
    {ALERT_OVERTIME, 9.99, 0},         {ALERT_OVERTIME, 10.0, 1},         {ALERT_OVERTIME, 13, 1},
    {ALERT_HARD_LIMIT, 11.99, 0},      {ALERT_HARD_LIMIT, 12.0, 1},
    {ALERT_DEVICE_OFFLINE, 9.9, 0},    {ALERT_DEVICE_OFFLINE, 10, 1},
    {ALERT_REVOCATION_UNSYNCED, 29.9, 0}, {ALERT_REVOCATION_UNSYNCED, 30, 1},
    {ALERT_FACE_REVOKED, 0, 1},
};

START_TEST(holds_both_sides)
{
    struct alert_rules rs;
    struct alert_limits lim = {12.0, 10.0};

    alert_rules_defaults(&rs);
    ck_assert_int_eq(alert_holds(&rs, &lim, holds_tab[_i].rule, holds_tab[_i].value), holds_tab[_i].holds);
    ck_assert_int_eq(alert_tick_holds(&rs, &lim, holds_tab[_i].rule, holds_tab[_i].value, 0),
                     holds_tab[_i].holds);
    /* a disabled rule never holds */
    rs.r[holds_tab[_i].rule].enabled = 0;
    ck_assert_int_eq(alert_holds(&rs, &lim, holds_tab[_i].rule, holds_tab[_i].value), 0);
    ck_assert_int_eq(alert_tick_holds(&rs, &lim, holds_tab[_i].rule, holds_tab[_i].value, 30), 0);
}
END_TEST

START_TEST(throttled_kiosk_holds)
{
    struct alert_rules rs;
    struct alert_limits lim = {12.0, 10.0};

    alert_rules_defaults(&rs);
    ck_assert_int_eq(alert_tick_holds(&rs, &lim, ALERT_FAILED_SCANS, 0, 30), 1);
    ck_assert_int_eq(alert_tick_holds(&rs, &lim, ALERT_FAILED_SCANS, 0, 0), 0);
    /* the throttle keeps only failed_scans holding */
    ck_assert_int_eq(alert_tick_holds(&rs, &lim, ALERT_DEVICE_OFFLINE, 0, 30), 0);
}
END_TEST

static const struct {
    enum alert_rule rule;
    int holds, open;
    enum alert_step step;
} step_tab[] = {
    {ALERT_HARD_LIMIT, 1, 0, ALERT_RAISE},   {ALERT_HARD_LIMIT, 1, 1, ALERT_KEEP},
    {ALERT_HARD_LIMIT, 0, 1, ALERT_RESOLVE}, {ALERT_HARD_LIMIT, 0, 0, ALERT_KEEP},
    {ALERT_DEVICE_OFFLINE, 1, 0, ALERT_RAISE}, {ALERT_DEVICE_OFFLINE, 0, 1, ALERT_RESOLVE},
    {ALERT_FAILED_SCANS, 0, 1, ALERT_RESOLVE}, {ALERT_UNROSTERED_DAY, 0, 1, ALERT_RESOLVE},
    {ALERT_FACE_REVOKED, 1, 0, ALERT_KEEP},  {ALERT_FACE_REVOKED, 0, 1, ALERT_KEEP},
};

START_TEST(tick_steps)
{
    ck_assert_int_eq(alert_tick_step(step_tab[_i].rule, step_tab[_i].holds, step_tab[_i].open), step_tab[_i].step);
}
END_TEST

static const struct {
    int enabled;
    long threshold, cooldown, failures;
    int throttle;
} throttle_tab[] = {
    {1, 5, 5, 4, 0}, {1, 5, 5, 5, 1}, {1, 5, 5, 9, 1},
    {1, 5, 0, 5, 0},                    /* no cool-down: the alert only */
    {0, 5, 5, 9, 0},                    /* disabled */
    {1, 2, 1, 2, 1},
};

START_TEST(throttle_decision)
{
    struct alert_rules rs;
    alert_rules_defaults(&rs);
    rs.r[ALERT_FAILED_SCANS].enabled = throttle_tab[_i].enabled;
    rs.r[ALERT_FAILED_SCANS].threshold = throttle_tab[_i].threshold;
    rs.r[ALERT_FAILED_SCANS].cooldown_minutes = throttle_tab[_i].cooldown;
    ck_assert_int_eq(alert_should_throttle(&rs, throttle_tab[_i].failures), throttle_tab[_i].throttle);
}
END_TEST

UNIT_SUITE(suite_alert_rules)
{
    Suite *s = suite_create("alert_rules");
    TCase *tc;

    tc = tcase_create("catalogue");
    tcase_add_test(tc, names_round_trip);
    tcase_add_test(tc, defaults_json);
    suite_add_tcase(s, tc);

    tc = tcase_create("patch");
    tcase_add_loop_test(tc, patch_valid, 0, NELEM(patch_ok));
    tcase_add_loop_test(tc, patch_invalid, 0, NELEM(patch_bad));
    tcase_add_test(tc, json_round_trip);
    suite_add_tcase(s, tc);

    tc = tcase_create("decisions");
    tcase_add_loop_test(tc, holds_both_sides, 0, NELEM(holds_tab));
    tcase_add_test(tc, throttled_kiosk_holds);
    tcase_add_loop_test(tc, tick_steps, 0, NELEM(step_tab));
    tcase_add_loop_test(tc, throttle_decision, 0, NELEM(throttle_tab));
    suite_add_tcase(s, tc);

    return s;
}
