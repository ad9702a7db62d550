/* test_settings_rules.c — handlers/attendance/settings_rules.h against contract 5.1 and
 * docs/api.md: the defaults, a table of patches settings_apply_patch must
 * accept (each patched field reads back through settings_to_json), a table
 * it must refuse with the field it names, face_attendance_departments,
 * settings_check on hand-built structs, and the to_json round trip.
 * Patches are written with ' for " to keep the tables readable. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonx.h"
#include "attendance/settings_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* text with every ' turned into ", parsed; the caller puts it */
static struct json_object *
parse(const char *text)
{
    char buf[16384];
    size_t n = strlen(text);
    struct json_object *o;

    ck_assert_uint_lt(n, sizeof(buf));
    for (size_t i = 0; i <= n; i++)
        buf[i] = text[i] == '\'' ? '"' : text[i];
    o = jx_parse(buf, n);
    ck_assert_msg(o != NULL, "test JSON does not parse: %s", buf);
    return o;
}

/* settings_apply_patch of text onto defaults; field/why NULL unless refused */
static int
patch_defaults(struct attendance_settings *s, const char *text, const char **field,
               const char **why)
{
    struct json_object *p = parse(text);
    int rc;

    settings_defaults(s);
    *field = *why = NULL;
    rc = settings_apply_patch(s, p, field, why);
    json_object_put(p);
    return rc;
}

/* every field of a and b equal (doubles exactly: to_json writes each in
 * as many digits as it takes) */
static void
assert_same(const struct attendance_settings *a, const struct attendance_settings *b,
            const char *ctx)
{
    ck_assert_msg(a->face_attendance_enabled == b->face_attendance_enabled, "%s", ctx);
    ck_assert_msg(a->face_attendance_min_confidence == b->face_attendance_min_confidence, "%s", ctx);
    ck_assert_msg(a->require_face_consent == b->require_face_consent, "%s", ctx);
    ck_assert_msg(a->allow_face_self_registration == b->allow_face_self_registration, "%s", ctx);
    ck_assert_msg(a->face_data_retention_days == b->face_data_retention_days, "%s", ctx);
    ck_assert_msg(a->ndepartments == b->ndepartments, "%s", ctx);
    for (int i = 0; i < a->ndepartments; i++)
        ck_assert_msg(a->departments[i] == b->departments[i], "%s: departments[%d]", ctx, i);
    ck_assert_msg(a->break_warning_hours == b->break_warning_hours, "%s", ctx);
    ck_assert_msg(a->overtime_warning_hours == b->overtime_warning_hours, "%s", ctx);
    ck_assert_msg(a->hard_limit_hours == b->hard_limit_hours, "%s", ctx);
    ck_assert_msg(a->enforce_limits == b->enforce_limits, "%s", ctx);
    ck_assert_msg(a->clock_in_early_minutes == b->clock_in_early_minutes, "%s", ctx);
    ck_assert_msg(a->duplicate_scan_seconds == b->duplicate_scan_seconds, "%s", ctx);
}

/* ---- defaults ------------------------------------------------------------- */

START_TEST(defaults_fields)
{
    struct attendance_settings s;
    const char *field = NULL, *why = NULL;

    memset(&s, 0x5a, sizeof(s));
    settings_defaults(&s);
    ck_assert_int_eq(s.face_attendance_enabled, 1);
    ck_assert_double_eq(s.face_attendance_min_confidence, 0.85);
    ck_assert_int_eq(s.require_face_consent, 1);
    ck_assert_int_eq(s.allow_face_self_registration, 1);
    ck_assert_int_eq(s.face_data_retention_days, 365);
    ck_assert_int_eq(s.ndepartments, 0);                 /* every department */
    ck_assert_double_eq(s.break_warning_hours, 6.0);
    ck_assert_double_eq(s.overtime_warning_hours, 10.0);
    ck_assert_double_eq(s.hard_limit_hours, 12.0);
    ck_assert_int_eq(s.enforce_limits, 1);
    ck_assert_int_eq(s.clock_in_early_minutes, 120);
    ck_assert_int_eq(s.duplicate_scan_seconds, 60);
    ck_assert_int_eq(settings_check(&s, &field, &why), 0);
}
END_TEST

/* settings_to_json of the defaults is contract 5.1's example, departments
 * [] (the example's [1, 2, 3] is not a default), and nothing more */
START_TEST(defaults_json)
{
    static const char contract[] =
        "{'face_attendance_enabled': true, 'face_attendance_min_confidence': 0.85,"
        " 'require_face_consent': true, 'allow_face_self_registration': true,"
        " 'face_data_retention_days': 365, 'face_attendance_departments': [],"
        " 'break_warning_hours': 6.0, 'overtime_warning_hours': 10.0,"
        " 'hard_limit_hours': 12.0, 'enforce_limits': true,"
        " 'clock_in_early_minutes': 120, 'duplicate_scan_seconds': 60,"
        " 'auto_close': 'off', 'auto_close_after_hours': 2.0, 'device_auth': 'key'}";
    struct attendance_settings s;
    struct json_object *want = parse(contract), *got;

    settings_defaults(&s);
    got = settings_to_json(&s);
    ck_assert_msg(json_object_equal(want, got), "got %s", json_object_to_json_string(got));
    json_object_put(want);
    json_object_put(got);
}
END_TEST

/* ---- patches that are accepted ------------------------------------------- */

static const char *const patch_ok[] = {
    "{}",
    /* every field alone */
    "{'face_attendance_enabled': false}",
    "{'face_attendance_min_confidence': 0.9}",
    "{'require_face_consent': false}",
    "{'allow_face_self_registration': false}",
    "{'auto_close': 'shift_end', 'auto_close_after_hours': 0}",
    "{'auto_close': 'hard_limit', 'auto_close_after_hours': 24}",
    "{'auto_close': 'off'}",
    "{'device_auth': 'key_or_cert'}",
    "{'device_auth': 'cert'}",
    "{'device_auth': 'key'}",
    "{'face_data_retention_days': 30}",
    "{'face_attendance_departments': [1, 2, 3]}",
    "{'break_warning_hours': 5.5}",
    "{'overtime_warning_hours': 11}",
    "{'hard_limit_hours': 14.25}",
    "{'enforce_limits': false}",
    "{'clock_in_early_minutes': 30}",
    "{'duplicate_scan_seconds': 5}",
    /* ranges, at their edges */
    "{'face_attendance_min_confidence': 0}",
    "{'face_attendance_min_confidence': 1}",
    "{'face_attendance_min_confidence': 0.0}",
    "{'face_attendance_min_confidence': 1.0}",
    "{'face_data_retention_days': 1}",
    "{'clock_in_early_minutes': 0}",
    "{'clock_in_early_minutes': 1440}",
    "{'duplicate_scan_seconds': 0}",
    "{'duplicate_scan_seconds': 86400}",
    "{'hard_limit_hours': 48}",
    "{'break_warning_hours': 0.01}",
    /* ordering, on the merged result */
    "{'break_warning_hours': 9.99}",
    "{'overtime_warning_hours': 6.01}",
    "{'overtime_warning_hours': 11.99}",
    "{'hard_limit_hours': 10.01}",
    "{'break_warning_hours': 1, 'overtime_warning_hours': 2, 'hard_limit_hours': 3}",
    "{'hard_limit_hours': 15, 'overtime_warning_hours': 14, 'break_warning_hours': 13}",
    "{'break_warning_hours': 47, 'overtime_warning_hours': 47.5, 'hard_limit_hours': 48}",
    /* values 15 significant digits cannot tell apart (found by the
     * settings fuzz target): shown in full, they come back the same */
    "{'break_warning_hours': 9.99999999999999, 'overtime_warning_hours': 9.999999999999991}",
    "{'face_attendance_min_confidence': 0.12345678901234567}",
    /* everything at once: contract 5.1's example */
    "{'face_attendance_enabled': true, 'face_attendance_min_confidence': 0.85,"
    " 'require_face_consent': true, 'allow_face_self_registration': true,"
    " 'face_data_retention_days': 365, 'face_attendance_departments': [1, 2, 3],"
    " 'break_warning_hours': 6.0, 'overtime_warning_hours': 10.0,"
    " 'hard_limit_hours': 12.0, 'enforce_limits': true,"
    " 'clock_in_early_minutes': 120, 'duplicate_scan_seconds': 60}",
    "{'face_attendance_enabled': false, 'face_attendance_min_confidence': 0.5,"
    " 'require_face_consent': false, 'allow_face_self_registration': false,"
    " 'face_data_retention_days': 7, 'face_attendance_departments': [4, 2],"
    " 'break_warning_hours': 4, 'overtime_warning_hours': 8,"
    " 'hard_limit_hours': 9.5, 'enforce_limits': false,"
    " 'clock_in_early_minutes': 15, 'duplicate_scan_seconds': 120}",
};

/* accepted, and every patched field (departments aside: see below) reads
 * back from settings_to_json with the value the patch gave it */
START_TEST(patch_valid)
{
    struct attendance_settings s;
    const char *field, *why;
    struct json_object *p, *out;

    ck_assert_msg(patch_defaults(&s, patch_ok[_i], &field, &why) == 0, "%s: refused, %s %s",
                  patch_ok[_i], field ? field : "?", why ? why : "?");
    p = parse(patch_ok[_i]);
    out = settings_to_json(&s);
    json_object_object_foreach(p, key, want) {
        struct json_object *got = NULL;

        ck_assert_msg(json_object_object_get_ex(out, key, &got), "%s missing", key);
        if (strcmp(key, "face_attendance_departments") == 0)
            continue;
        if (json_object_is_type(want, json_type_boolean))
            ck_assert_msg(json_object_is_type(got, json_type_boolean) &&
                          json_object_get_boolean(got) == json_object_get_boolean(want),
                          "%s: %s", patch_ok[_i], key);
        else
            ck_assert_msg(json_object_get_double(got) == json_object_get_double(want),
                          "%s: %s is %s", patch_ok[_i], key, json_object_to_json_string(got));
    }
    json_object_put(out);
    json_object_put(p);
}
END_TEST

/* ---- patches that are refused, and the field named ------------------------ */

static const struct { const char *patch; const char *field; } patch_bad[] = {
    {"{'auto_close': 'sometimes'}", "auto_close"},
    {"{'device_auth': 'certificate'}", "device_auth"},
    {"{'device_auth': ''}", "device_auth"},
    {"{'device_auth': true}", "device_auth"},
    {"{'auto_close': ''}", "auto_close"},
    {"{'auto_close': 1}", "auto_close"},
    {"{'auto_close_after_hours': 24.5}", "auto_close_after_hours"},
    {"{'auto_close_after_hours': -1}", "auto_close_after_hours"},
    {"{'auto_close_after_hours': 'two'}", "auto_close_after_hours"},
    /* booleans: only true and false */
    { "{'face_attendance_enabled': 'true'}", "face_attendance_enabled" },
    { "{'face_attendance_enabled': 1}", "face_attendance_enabled" },
    { "{'face_attendance_enabled': 0}", "face_attendance_enabled" },
    { "{'face_attendance_enabled': []}", "face_attendance_enabled" },
    { "{'require_face_consent': 'yes'}", "require_face_consent" },
    { "{'require_face_consent': 1.0}", "require_face_consent" },
    { "{'allow_face_self_registration': 'false'}", "allow_face_self_registration" },
    { "{'allow_face_self_registration': {}}", "allow_face_self_registration" },
    { "{'enforce_limits': 'on'}", "enforce_limits" },
    { "{'enforce_limits': 1}", "enforce_limits" },
    /* numbers: not strings, booleans, lists or objects */
    { "{'face_attendance_min_confidence': '0.9'}", "face_attendance_min_confidence" },
    { "{'face_attendance_min_confidence': true}", "face_attendance_min_confidence" },
    { "{'face_attendance_min_confidence': [0.9]}", "face_attendance_min_confidence" },
    { "{'break_warning_hours': '6'}", "break_warning_hours" },
    { "{'break_warning_hours': false}", "break_warning_hours" },
    { "{'overtime_warning_hours': '10.0'}", "overtime_warning_hours" },
    { "{'overtime_warning_hours': {}}", "overtime_warning_hours" },
    { "{'hard_limit_hours': '12'}", "hard_limit_hours" },
    { "{'hard_limit_hours': true}", "hard_limit_hours" },
    /* whole numbers: not fractions, strings or booleans */
    { "{'face_data_retention_days': 1.5}", "face_data_retention_days" },
    { "{'face_data_retention_days': '365'}", "face_data_retention_days" },
    { "{'face_data_retention_days': true}", "face_data_retention_days" },
    { "{'clock_in_early_minutes': 30.5}", "clock_in_early_minutes" },
    { "{'clock_in_early_minutes': '30'}", "clock_in_early_minutes" },
    { "{'clock_in_early_minutes': [30]}", "clock_in_early_minutes" },
    { "{'duplicate_scan_seconds': 0.5}", "duplicate_scan_seconds" },
    { "{'duplicate_scan_seconds': '60'}", "duplicate_scan_seconds" },
    { "{'duplicate_scan_seconds': false}", "duplicate_scan_seconds" },
    /* ranges */
    { "{'face_attendance_min_confidence': -0.01}", "face_attendance_min_confidence" },
    { "{'face_attendance_min_confidence': 1.01}", "face_attendance_min_confidence" },
    { "{'face_attendance_min_confidence': 85}", "face_attendance_min_confidence" },
    { "{'face_attendance_min_confidence': -1e300}", "face_attendance_min_confidence" },
    { "{'face_data_retention_days': 0}", "face_data_retention_days" },
    { "{'face_data_retention_days': -1}", "face_data_retention_days" },
    { "{'face_data_retention_days': -9223372036854775808}", "face_data_retention_days" },
    { "{'break_warning_hours': 0}", "break_warning_hours" },
    { "{'break_warning_hours': -1}", "break_warning_hours" },
    { "{'hard_limit_hours': 48.01}", "hard_limit_hours" },
    { "{'hard_limit_hours': 1e308}", "hard_limit_hours" },
    { "{'clock_in_early_minutes': -1}", "clock_in_early_minutes" },
    { "{'clock_in_early_minutes': 1441}", "clock_in_early_minutes" },
    { "{'duplicate_scan_seconds': -1}", "duplicate_scan_seconds" },
    { "{'duplicate_scan_seconds': 86401}", "duplicate_scan_seconds" },
    { "{'duplicate_scan_seconds': 9223372036854775807}", "duplicate_scan_seconds" },
    /* break < overtime < hard on the merged result; equal is refused */
    { "{'hard_limit_hours': 9}", "overtime_warning_hours" },
    { "{'hard_limit_hours': 10}", "overtime_warning_hours" },
    { "{'hard_limit_hours': 5}", "overtime_warning_hours" },
    { "{'overtime_warning_hours': 12}", "overtime_warning_hours" },
    { "{'overtime_warning_hours': 13}", "overtime_warning_hours" },
    { "{'overtime_warning_hours': 6}", "break_warning_hours" },
    { "{'overtime_warning_hours': 5}", "break_warning_hours" },
    { "{'break_warning_hours': 10}", "break_warning_hours" },
    { "{'break_warning_hours': 11}", "break_warning_hours" },
    { "{'break_warning_hours': 12}", "break_warning_hours" },
    { "{'break_warning_hours': 8, 'overtime_warning_hours': 8, 'hard_limit_hours': 9}", "break_warning_hours" },
    { "{'break_warning_hours': 3, 'overtime_warning_hours': 2, 'hard_limit_hours': 1}", "break_warning_hours" },
    { "{'hard_limit_hours': 20, 'overtime_warning_hours': 20}", "overtime_warning_hours" },
    /* face_attendance_departments: a list of positive ids, or null */
    { "{'face_attendance_departments': '1,2'}", "face_attendance_departments" },
    { "{'face_attendance_departments': 'all'}", "face_attendance_departments" },
    { "{'face_attendance_departments': 1}", "face_attendance_departments" },
    { "{'face_attendance_departments': true}", "face_attendance_departments" },
    { "{'face_attendance_departments': {'1': true}}", "face_attendance_departments" },
    { "{'face_attendance_departments': [1.5]}", "face_attendance_departments" },
    { "{'face_attendance_departments': [1.0]}", "face_attendance_departments" },
    { "{'face_attendance_departments': ['1']}", "face_attendance_departments" },
    { "{'face_attendance_departments': [0]}", "face_attendance_departments" },
    { "{'face_attendance_departments': [-1]}", "face_attendance_departments" },
    { "{'face_attendance_departments': [1, 2, -3]}", "face_attendance_departments" },
    { "{'face_attendance_departments': [null]}", "face_attendance_departments" },
    { "{'face_attendance_departments': [true]}", "face_attendance_departments" },
    { "{'face_attendance_departments': [[1]]}", "face_attendance_departments" },
    { "{'face_attendance_departments': [{'id': 1}]}", "face_attendance_departments" },
    /* a bad field among good ones is still found */
    { "{'enforce_limits': false, 'clock_in_early_minutes': '15', 'duplicate_scan_seconds': 5}",
      "clock_in_early_minutes" },
};

START_TEST(patch_invalid)
{
    struct attendance_settings s;
    const char *field, *why;

    ck_assert_msg(patch_defaults(&s, patch_bad[_i].patch, &field, &why) == -1,
                  "accepted: %s", patch_bad[_i].patch);
    ck_assert_msg(field != NULL && strcmp(field, patch_bad[_i].field) == 0,
                  "%s: field %s, want %s", patch_bad[_i].patch, field ? field : "(null)",
                  patch_bad[_i].field);
    ck_assert_msg(why != NULL && *why != '\0', "%s: no reason", patch_bad[_i].patch);
}
END_TEST

/* Unknown keys are refused (docs/api.md), and the key itself is named. */
static const struct { const char *patch, *field; } patch_unknown[] = {
    {"{'foo': 1}", "foo"},
    {"{'face_attendance_enable': true}", "face_attendance_enable"},
    {"{'Face_attendance_enabled': true}", "Face_attendance_enabled"},
    {"{'face_attendance_enabled ': true}", "face_attendance_enabled "},
    {"{'id': 1}", "id"},
    {"{'hotel_id': 2}", "hotel_id"},
    {"{'': 0}", ""},
    {"{'enforce_limits': false, 'hard_limit': 14}", "hard_limit"},
    {"{'face_attendance_enabled': null, 'x': null}", "x"},
};

START_TEST(patch_unknown_key)
{
    struct attendance_settings s;
    const char *field = NULL, *why = NULL;
    struct json_object *p = parse(patch_unknown[_i].patch);

    settings_defaults(&s);
    ck_assert_msg(settings_apply_patch(&s, p, &field, &why) == -1,
                  "accepted: %s", patch_unknown[_i].patch);
    /* field points into p: compare before p is put */
    ck_assert_str_eq(field, patch_unknown[_i].field);
    ck_assert_msg(why != NULL && *why != '\0', "%s: no reason", patch_unknown[_i].patch);
    json_object_put(p);
}
END_TEST

/* ---- face_attendance_departments ------------------------------------------ */

static const struct { const char *patch; int n; long long ids[4]; } deps_ok[] = {
    { "{'face_attendance_departments': null}", 0, { 0 } },
    { "{'face_attendance_departments': []}", 0, { 0 } },
    { "{'face_attendance_departments': [7]}", 1, { 7 } },
    { "{'face_attendance_departments': [1, 2, 3]}", 3, { 1, 2, 3 } },
    { "{'face_attendance_departments': [3, 1, 2]}", 3, { 3, 1, 2 } },      /* order kept */
    { "{'face_attendance_departments': [1, 1]}", 1, { 1 } },               /* duplicates collapsed */
    { "{'face_attendance_departments': [3, 1, 3, 1, 3]}", 2, { 3, 1 } },
    { "{'face_attendance_departments': [2, 9007199254740992, 2]}", 2, { 2, 9007199254740992LL } },
};

START_TEST(deps_valid)
{
    struct attendance_settings s;
    const char *field, *why;
    struct json_object *out, *arr = NULL;

    ck_assert_msg(patch_defaults(&s, deps_ok[_i].patch, &field, &why) == 0, "%s: %s",
                  deps_ok[_i].patch, why ? why : "?");
    ck_assert_int_eq(s.ndepartments, deps_ok[_i].n);
    for (int k = 0; k < deps_ok[_i].n; k++)
        ck_assert_int_eq(s.departments[k], deps_ok[_i].ids[k]);
    /* and settings_to_json shows the same list; "all" is [] */
    out = settings_to_json(&s);
    ck_assert(json_object_object_get_ex(out, "face_attendance_departments", &arr));
    ck_assert(json_object_is_type(arr, json_type_array));
    ck_assert_int_eq((int)json_object_array_length(arr), deps_ok[_i].n);
    for (int k = 0; k < deps_ok[_i].n; k++)
        ck_assert_int_eq(json_object_get_int64(json_object_array_get_idx(arr, (size_t)k)),
                         deps_ok[_i].ids[k]);
    json_object_put(out);
}
END_TEST

/* a patch replaces the list; null and [] bring back "every department";
 * a patch without the key leaves the list alone */
START_TEST(deps_replace)
{
    static const struct { const char *patch; int n; long long first; } steps[] = {
        { "{'face_attendance_departments': [5, 6]}", 2, 5 },
        { "{'enforce_limits': false}", 2, 5 },
        { "{'face_attendance_departments': [8]}", 1, 8 },
        { "{'face_attendance_departments': null}", 0, 0 },
        { "{'face_attendance_departments': [9, 9]}", 1, 9 },
        { "{'face_attendance_departments': []}", 0, 0 },
    };
    struct attendance_settings s;
    const char *field = NULL, *why = NULL;

    settings_defaults(&s);
    for (int k = 0; k < NELEM(steps); k++) {
        struct json_object *p = parse(steps[k].patch);

        ck_assert_msg(settings_apply_patch(&s, p, &field, &why) == 0, "%s", steps[k].patch);
        json_object_put(p);
        ck_assert_msg(s.ndepartments == steps[k].n, "%s: %d departments", steps[k].patch,
                      s.ndepartments);
        if (steps[k].n > 0)
            ck_assert_int_eq(s.departments[0], steps[k].first);
    }
}
END_TEST

/* a list of n ids "[1, 2, ..., n]" (or n copies of 1) as a patch */
static struct json_object *
deps_list(int n, int same)
{
    struct json_object *p = json_object_new_object(), *arr = json_object_new_array();

    for (int k = 0; k < n; k++)
        json_object_array_add(arr, json_object_new_int64(same ? 1 : k + 1));
    json_object_object_add(p, "face_attendance_departments", arr);
    return p;
}

START_TEST(deps_count)
{
    struct attendance_settings s;
    const char *field = NULL, *why = NULL;
    struct json_object *p;

    settings_defaults(&s);
    p = deps_list(SETTINGS_MAX_DEPARTMENTS, 0);
    ck_assert_int_eq(settings_apply_patch(&s, p, &field, &why), 0);
    ck_assert_int_eq(s.ndepartments, SETTINGS_MAX_DEPARTMENTS);
    ck_assert_int_eq(s.departments[SETTINGS_MAX_DEPARTMENTS - 1], SETTINGS_MAX_DEPARTMENTS);
    json_object_put(p);

    settings_defaults(&s);
    p = deps_list(SETTINGS_MAX_DEPARTMENTS + 1, 0);
    ck_assert_int_eq(settings_apply_patch(&s, p, &field, &why), -1);
    ck_assert_str_eq(field, "face_attendance_departments");
    json_object_put(p);

    settings_defaults(&s);
    p = deps_list(10000, 0);
    ck_assert_int_eq(settings_apply_patch(&s, p, &field, &why), -1);
    ck_assert_str_eq(field, "face_attendance_departments");
    json_object_put(p);

    /* many copies of one id collapse to one */
    settings_defaults(&s);
    p = deps_list(SETTINGS_MAX_DEPARTMENTS, 1);
    ck_assert_int_eq(settings_apply_patch(&s, p, &field, &why), 0);
    ck_assert_int_eq(s.ndepartments, 1);
    json_object_put(p);
}
END_TEST

/* ---- settings_check on hand-built settings -------------------------------- */

static const struct {
    double conf; long keep; double brk, ovt, hard; long early, dup;
    const char *field;                  /* NULL: valid */
} check_tab[] = {
    { 0.85, 365, 6, 10, 12, 120, 60, NULL },
    { 0, 1, 0.5, 1, 48, 0, 0, NULL },
    { 1, 36500, 1, 2, 3, 1440, 86400, NULL },
    { -0.01, 365, 6, 10, 12, 120, 60, "face_attendance_min_confidence" },
    { 1.01, 365, 6, 10, 12, 120, 60, "face_attendance_min_confidence" },
    { NAN, 365, 6, 10, 12, 120, 60, "face_attendance_min_confidence" },
    { INFINITY, 365, 6, 10, 12, 120, 60, "face_attendance_min_confidence" },
    { 0.85, 0, 6, 10, 12, 120, 60, "face_data_retention_days" },
    { 0.85, -5, 6, 10, 12, 120, 60, "face_data_retention_days" },
    { 0.85, 365, 0, 10, 12, 120, 60, "break_warning_hours" },
    { 0.85, 365, -1, 10, 12, 120, 60, "break_warning_hours" },
    { 0.85, 365, NAN, 10, 12, 120, 60, "break_warning_hours" },
    { 0.85, 365, 10, 10, 12, 120, 60, "break_warning_hours" },
    { 0.85, 365, 11, 10, 12, 120, 60, "break_warning_hours" },
    { 0.85, 365, 6, 12, 12, 120, 60, "overtime_warning_hours" },
    { 0.85, 365, 6, 10, 9, 120, 60, "overtime_warning_hours" },
    { 0.85, 365, 6, 10, NAN, 120, 60, "overtime_warning_hours" },
    { 0.85, 365, 6, 10, 48.5, 120, 60, "hard_limit_hours" },
    { 0.85, 365, 6, 10, INFINITY, 120, 60, "hard_limit_hours" },
    { 0.85, 365, 6, 10, 12, -1, 60, "clock_in_early_minutes" },
    { 0.85, 365, 6, 10, 12, 1441, 60, "clock_in_early_minutes" },
    { 0.85, 365, 6, 10, 12, 120, -1, "duplicate_scan_seconds" },
    { 0.85, 365, 6, 10, 12, 120, 86401, "duplicate_scan_seconds" },
    /* the first rule broken is the one named */
    { 2, 0, 0, 0, 0, -1, -1, "face_attendance_min_confidence" },
    { 0.5, 0, 0, 0, 0, -1, -1, "face_data_retention_days" },
};

START_TEST(check_rules)
{
    struct attendance_settings s;
    const char *field = NULL, *why = NULL;
    int rc;

    settings_defaults(&s);
    s.face_attendance_min_confidence = check_tab[_i].conf;
    s.face_data_retention_days = check_tab[_i].keep;
    s.break_warning_hours = check_tab[_i].brk;
    s.overtime_warning_hours = check_tab[_i].ovt;
    s.hard_limit_hours = check_tab[_i].hard;
    s.clock_in_early_minutes = check_tab[_i].early;
    s.duplicate_scan_seconds = check_tab[_i].dup;
    rc = settings_check(&s, &field, &why);
    if (check_tab[_i].field == NULL) {
        ck_assert_msg(rc == 0, "row %d refused: %s %s", _i, field, why);
    } else {
        ck_assert_msg(rc == -1, "row %d accepted", _i);
        ck_assert_msg(field != NULL && strcmp(field, check_tab[_i].field) == 0,
                      "row %d: field %s, want %s", _i, field ? field : "(null)", check_tab[_i].field);
        ck_assert_ptr_nonnull(why);
    }
}
END_TEST

/* ---- round trip ------------------------------------------------------------ */

/* settings_to_json of any accepted patch, applied onto the defaults, gives
 * the same settings: as the object itself and through its text */
START_TEST(round_trip)
{
    struct attendance_settings a, b, c;
    const char *field, *why;
    struct json_object *j, *again;
    const char *text;

    ck_assert_int_eq(patch_defaults(&a, patch_ok[_i], &field, &why), 0);
    j = settings_to_json(&a);

    settings_defaults(&b);
    ck_assert_msg(settings_apply_patch(&b, j, &field, &why) == 0, "%s: %s %s", patch_ok[_i],
                  field, why);
    assert_same(&a, &b, patch_ok[_i]);

    text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
    again = jx_parse(text, strlen(text));
    ck_assert_msg(again != NULL, "%s", text);
    settings_defaults(&c);
    ck_assert_msg(settings_apply_patch(&c, again, &field, &why) == 0, "%s: %s %s", text, field, why);
    assert_same(&a, &c, text);

    json_object_put(again);
    json_object_put(j);
}
END_TEST

/* onto settings far from the defaults, to_json still restores everything */
START_TEST(round_trip_onto_other)
{
    static const char other[] =
        "{'face_attendance_enabled': false, 'face_attendance_min_confidence': 0.1,"
        " 'require_face_consent': false, 'allow_face_self_registration': false,"
        " 'face_data_retention_days': 2, 'face_attendance_departments': [40],"
        " 'break_warning_hours': 20, 'overtime_warning_hours': 30,"
        " 'hard_limit_hours': 40, 'enforce_limits': false,"
        " 'clock_in_early_minutes': 1, 'duplicate_scan_seconds': 1}";
    struct attendance_settings a, b;
    const char *field, *why;
    struct json_object *j;

    settings_defaults(&a);
    j = settings_to_json(&a);
    ck_assert_int_eq(patch_defaults(&b, other, &field, &why), 0);
    ck_assert_int_eq(b.ndepartments, 1);
    ck_assert_int_eq(settings_apply_patch(&b, j, &field, &why), 0);
    assert_same(&a, &b, "defaults onto other");
    json_object_put(j);
}
END_TEST

UNIT_SUITE(suite_settings_rules)
{
    Suite *s = suite_create("settings_rules");
    TCase *tc;

    tc = tcase_create("defaults");
    tcase_add_test(tc, defaults_fields);
    tcase_add_test(tc, defaults_json);
    suite_add_tcase(s, tc);

    tc = tcase_create("patch");
    tcase_add_loop_test(tc, patch_valid, 0, NELEM(patch_ok));
    tcase_add_loop_test(tc, patch_invalid, 0, NELEM(patch_bad));
    tcase_add_loop_test(tc, patch_unknown_key, 0, NELEM(patch_unknown));
    suite_add_tcase(s, tc);

    tc = tcase_create("departments");
    tcase_add_loop_test(tc, deps_valid, 0, NELEM(deps_ok));
    tcase_add_test(tc, deps_replace);
    tcase_add_test(tc, deps_count);
    suite_add_tcase(s, tc);

    tc = tcase_create("check");
    tcase_add_loop_test(tc, check_rules, 0, NELEM(check_tab));
    suite_add_tcase(s, tc);

    tc = tcase_create("round_trip");
    tcase_add_loop_test(tc, round_trip, 0, NELEM(patch_ok));
    tcase_add_test(tc, round_trip_onto_other);
    suite_add_tcase(s, tc);

    return s;
}
