/* settings_store.c — a hotel's attendance settings row in the database
 * (contract 5.1): reading it (defaults when the hotel has none; locked
 * inside a transaction), writing it, and checking its departments exist.
 * Shared by the settings endpoints, the face cache, face registration,
 * the pages and PMS sync. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "action_audit_store.h"
#include "db.h"
#include "jsonx.h"
#include "scheduler_rules.h"
#include "settings_store.h"

static struct db_stmt st_load = {
    "settings_load", "SELECT " SETTINGS_COLS " FROM attendance_settings WHERE hotel_id = $1", 0,
};
static struct db_stmt st_load_lock = {
    "settings_load_lock",
    "SELECT " SETTINGS_COLS " FROM attendance_settings WHERE hotel_id = $1 FOR UPDATE", 0,
};
static struct db_stmt st_store = {
    "settings_store",
    "INSERT INTO attendance_settings (hotel_id, face_attendance_enabled, face_attendance_min_confidence, "
    "require_face_consent, allow_face_self_registration, face_data_retention_days, "
    "face_attendance_departments, break_warning_hours, overtime_warning_hours, hard_limit_hours, "
    "enforce_limits, clock_in_early_minutes, duplicate_scan_seconds, auto_close, auto_close_after_hours, device_auth, updated_at) VALUES "
    "($1, $2, $3, $4, $5, $6, $7::bigint[], $8, $9, $10, $11, $12, $13, $14, $15, $16, now()) "
    "ON CONFLICT (hotel_id) DO UPDATE SET "
    "face_attendance_enabled = EXCLUDED.face_attendance_enabled, "
    "face_attendance_min_confidence = EXCLUDED.face_attendance_min_confidence, "
    "require_face_consent = EXCLUDED.require_face_consent, "
    "allow_face_self_registration = EXCLUDED.allow_face_self_registration, "
    "face_data_retention_days = EXCLUDED.face_data_retention_days, "
    "face_attendance_departments = EXCLUDED.face_attendance_departments, "
    "break_warning_hours = EXCLUDED.break_warning_hours, "
    "overtime_warning_hours = EXCLUDED.overtime_warning_hours, "
    "hard_limit_hours = EXCLUDED.hard_limit_hours, enforce_limits = EXCLUDED.enforce_limits, "
    "clock_in_early_minutes = EXCLUDED.clock_in_early_minutes, "
    "duplicate_scan_seconds = EXCLUDED.duplicate_scan_seconds, auto_close = EXCLUDED.auto_close, "
    "auto_close_after_hours = EXCLUDED.auto_close_after_hours, device_auth = EXCLUDED.device_auth, "
    "updated_at = now()",
    0,
};
static struct db_stmt st_unknown_dep = {
    "settings_unknown_department",
    "SELECT d FROM unnest($2::bigint[]) AS d WHERE NOT EXISTS "
    "(SELECT 1 FROM departments WHERE hotel_id = $1 AND id = d) LIMIT 1",
    0,
};

/* "{1,2,3}" <-> the array in the struct */
static void parse_array(const char *text, struct attendance_settings *s)
{
    s->ndepartments = 0;
    if (text == NULL)
        return;
    const char *p = text;
    while (*p != '\0' && s->ndepartments < SETTINGS_MAX_DEPARTMENTS) {
        while (*p == '{' || *p == ',' || *p == '}')
            p++;
        if (*p == '\0')
            break;
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p)
            break;
        s->departments[s->ndepartments++] = v;
        p = end;
    }
}

static char *format_array(char *buf, size_t size, const struct attendance_settings *s)
{
    size_t n = (size_t)snprintf(buf, size, "{");
    for (int i = 0; i < s->ndepartments && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%lld", i ? "," : "", s->departments[i]);
    if (n < size)
        snprintf(buf + n, size - n, "}");
    return buf;
}

int settings_load(long long hotel_id, struct attendance_settings *s)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    /* inside a transaction the row is locked until it ends */
    PGresult *r = db_run(db_in_transaction() ? &st_load_lock : &st_load, &a);
    settings_defaults(s);
    if (r == NULL)
        return -1;
    if (PQntuples(r) == 1)
        settings_from_row(r, 0, 0, s);
    PQclear(r);
    return 0;
}

void settings_from_row(const PGresult *r, int row, int c, struct attendance_settings *s)
{
    s->face_attendance_enabled = db_bool(r, row, c);
    s->face_attendance_min_confidence = db_double(r, row, c + 1);
    s->require_face_consent = db_bool(r, row, c + 2);
    s->allow_face_self_registration = db_bool(r, row, c + 3);
    s->face_data_retention_days = (long)db_ll(r, row, c + 4);
    parse_array(db_str(r, row, c + 5), s);
    s->break_warning_hours = db_double(r, row, c + 6);
    s->overtime_warning_hours = db_double(r, row, c + 7);
    s->hard_limit_hours = db_double(r, row, c + 8);
    s->enforce_limits = db_bool(r, row, c + 9);
    s->clock_in_early_minutes = (long)db_ll(r, row, c + 10);
    s->duplicate_scan_seconds = (long)db_ll(r, row, c + 11);
    s->auto_close = auto_close_of(db_str(r, row, c + 12));
    s->auto_close_after_hours = db_double(r, row, c + 13);
    s->device_auth = device_auth_of(db_str(r, row, c + 14));
    if (s->device_auth < 0)
        s->device_auth = DEVICE_AUTH_KEY;
}

/* Insert or replace a hotel's settings. 0 or -1 (db). */
static int settings_store(long long hotel_id, const struct attendance_settings *s)
{
    char deps[SETTINGS_MAX_DEPARTMENTS * 21 + 3];
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_bool(&a, s->face_attendance_enabled);
    db_arg_double(&a, s->face_attendance_min_confidence);
    db_arg_bool(&a, s->require_face_consent);
    db_arg_bool(&a, s->allow_face_self_registration);
    db_arg_int(&a, s->face_data_retention_days);
    db_arg_str(&a, format_array(deps, sizeof deps, s));
    db_arg_double(&a, s->break_warning_hours);
    db_arg_double(&a, s->overtime_warning_hours);
    db_arg_double(&a, s->hard_limit_hours);
    db_arg_bool(&a, s->enforce_limits);
    db_arg_int(&a, s->clock_in_early_minutes);
    db_arg_int(&a, s->duplicate_scan_seconds);
    db_arg_str(&a, auto_close_name(s->auto_close));
    db_arg_double(&a, s->auto_close_after_hours);
    db_arg_str(&a, device_auth_name(s->device_auth));
    return db_exec(&st_store, &a) < 0 ? -1 : 0;
}

long long settings_unknown_department(long long hotel_id, const struct attendance_settings *s)
{
    char deps[SETTINGS_MAX_DEPARTMENTS * 21 + 3];
    struct db_args a;
    if (s->ndepartments == 0)
        return 0;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, format_array(deps, sizeof deps, s));
    PGresult *r = db_run(&st_unknown_dep, &a);
    if (r == NULL)
        return -1;
    long long id = PQntuples(r) > 0 ? db_ll(r, 0, 0) : 0;
    PQclear(r);
    return id;
}

int settings_save(long long hotel_id, const struct attendance_settings *before,
                  const struct attendance_settings *after, const struct actor *who)
{
    struct json_object *b = settings_to_json(before), *a = settings_to_json(after);
    struct json_object *old_side, *new_side;
    int changed = jx_diff(b, a, &old_side, &new_side) > 0, rc = 0;

    json_object_put(b);
    json_object_put(a);
    if (!changed) {
        json_object_put(old_side);
        json_object_put(new_side);
        return 0;
    }
    if (settings_store(hotel_id, after) < 0) {
        json_object_put(old_side);
        json_object_put(new_side);
        return -1;
    }
    rc = action_audit_one(who, hotel_id, "settings.changed", NULL, old_side, new_side);
    return rc < 0 ? -1 : 1;
}
