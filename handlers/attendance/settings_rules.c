/* settings_rules.c — defaults, patching and validation of attendance
 * settings; no I/O. */
#include <string.h>
#include "jsonx.h"
#include "scheduler_rules.h"
#include "settings_rules.h"

void settings_defaults(struct attendance_settings *s)
{
    memset(s, 0, sizeof *s);
    s->face_attendance_enabled = 1;
    s->face_attendance_min_confidence = 0.85;
    s->require_face_consent = 1;
    s->allow_face_self_registration = 1;
    s->face_data_retention_days = 365;
    s->break_warning_hours = 6.0;
    s->overtime_warning_hours = 10.0;
    s->hard_limit_hours = 12.0;
    s->enforce_limits = 1;
    s->clock_in_early_minutes = 120;
    s->duplicate_scan_seconds = 60;
    s->auto_close = AUTO_CLOSE_OFF;
    s->auto_close_after_hours = 2.0;
}

static const char *const known[] = {
    "face_attendance_enabled", "face_attendance_min_confidence", "require_face_consent",
    "allow_face_self_registration", "face_data_retention_days", "face_attendance_departments",
    "break_warning_hours", "overtime_warning_hours", "hard_limit_hours", "enforce_limits",
    "clock_in_early_minutes", "duplicate_scan_seconds", "auto_close", "auto_close_after_hours",
    "device_auth",
};

static const char *const device_auth_names[] = {"key", "key_or_cert", "cert"};

int device_auth_of(const char *name)
{
    for (int i = 0; name != NULL && i < (int)(sizeof device_auth_names / sizeof device_auth_names[0]); i++)
        if (strcmp(name, device_auth_names[i]) == 0)
            return i;
    return -1;
}

const char *device_auth_name(int mode)
{
    return mode >= 0 && mode < (int)(sizeof device_auth_names / sizeof device_auth_names[0])
        ? device_auth_names[mode] : device_auth_names[0];
}

static int is_known(const char *key)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(key, known[i]) == 0)
            return 1;
    return 0;
}

static int departments(struct attendance_settings *s, struct json_object *patch, const char **why)
{
    struct json_object *v;
    if (!json_object_object_get_ex(patch, "face_attendance_departments", &v))
        return 0;
    s->ndepartments = 0;
    if (v == NULL)
        return 0;                   /* null: every department */
    if (!json_object_is_type(v, json_type_array)) {
        *why = "must be a list of department ids or null";
        return -1;
    }
    size_t n = json_object_array_length(v);
    if (n > SETTINGS_MAX_DEPARTMENTS) {
        *why = "has too many departments";
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(v, i);
        if (e == NULL || !json_object_is_type(e, json_type_int) || json_object_get_int64(e) < 1) {
            *why = "must contain only positive department ids";
            return -1;
        }
        long long id = json_object_get_int64(e);
        int dup = 0;
        for (int j = 0; j < s->ndepartments; j++)
            dup |= s->departments[j] == id;
        if (!dup)
            s->departments[s->ndepartments++] = id;
    }
    return 0;
}

int settings_apply_patch(struct attendance_settings *s, struct json_object *patch,
                         const char **field, const char **why)
{
    json_object_object_foreach(patch, key, val) {
        (void)val;
        if (!is_known(key)) {
            *field = key;       /* lives as long as patch */
            *why = "is not a setting";
            return -1;
        }
    }
#define BOOL(name) \
    if (jx_bool(patch, #name, JX_OPTIONAL, &s->name, why) < 0) { *field = #name; return -1; }
#define DBL(name, lo, hi) \
    if (jx_double(patch, #name, JX_OPTIONAL, lo, hi, &s->name, why) < 0) { *field = #name; return -1; }
#define INT(name, lo, hi) \
    if (jx_int(patch, #name, JX_OPTIONAL, lo, hi, &s->name, why) < 0) { *field = #name; return -1; }
    BOOL(face_attendance_enabled)
    DBL(face_attendance_min_confidence, 0.0, 1.0)
    BOOL(require_face_consent)
    BOOL(allow_face_self_registration)
    INT(face_data_retention_days, 1, 36500)
    DBL(break_warning_hours, 0.0, 48.0)
    DBL(overtime_warning_hours, 0.0, 48.0)
    DBL(hard_limit_hours, 0.0, 48.0)
    BOOL(enforce_limits)
    INT(clock_in_early_minutes, 0, 1440)
    INT(duplicate_scan_seconds, 0, 86400)
    DBL(auto_close_after_hours, 0.0, 24.0)
#undef BOOL
#undef DBL
#undef INT
    const char *mode = NULL;
    if (jx_string(patch, "auto_close", JX_OPTIONAL, 16, &mode, why) < 0) {
        *field = "auto_close";
        return -1;
    }
    if (mode != NULL && (s->auto_close = auto_close_of(mode)) < 0) {
        *field = "auto_close";
        *why = "must be one of off, shift_end, hard_limit";
        return -1;
    }
    const char *auth = NULL;
    if (jx_string(patch, "device_auth", JX_OPTIONAL, 16, &auth, why) < 0) {
        *field = "device_auth";
        return -1;
    }
    if (auth != NULL && (s->device_auth = device_auth_of(auth)) < 0) {
        *field = "device_auth";
        *why = "must be one of key, key_or_cert, cert";
        return -1;
    }
    if (departments(s, patch, why) < 0) {
        *field = "face_attendance_departments";
        return -1;
    }
    return settings_check(s, field, why);
}

int settings_check(const struct attendance_settings *s, const char **field, const char **why)
{
    if (!(s->face_attendance_min_confidence >= 0 && s->face_attendance_min_confidence <= 1)) {
        *field = "face_attendance_min_confidence";
        *why = "must be between 0 and 1";
        return -1;
    }
    if (s->face_data_retention_days < 1) {
        *field = "face_data_retention_days";
        *why = "must be at least 1 day";
        return -1;
    }
    if (!(s->break_warning_hours > 0)) {
        *field = "break_warning_hours";
        *why = "must be more than 0";
        return -1;
    }
    if (!(s->break_warning_hours < s->overtime_warning_hours)) {
        *field = "break_warning_hours";
        *why = "must be less than overtime_warning_hours";
        return -1;
    }
    if (!(s->overtime_warning_hours < s->hard_limit_hours)) {
        *field = "overtime_warning_hours";
        *why = "must be less than hard_limit_hours";
        return -1;
    }
    if (!(s->hard_limit_hours <= 48)) {
        *field = "hard_limit_hours";
        *why = "must be at most 48";
        return -1;
    }
    if (s->clock_in_early_minutes < 0 || s->clock_in_early_minutes > 1440) {
        *field = "clock_in_early_minutes";
        *why = "must be from 0 to 1440";
        return -1;
    }
    if (s->duplicate_scan_seconds < 0 || s->duplicate_scan_seconds > 86400) {
        *field = "duplicate_scan_seconds";
        *why = "must be from 0 to 86400";
        return -1;
    }
    return 0;
}

struct json_object *settings_to_json(const struct attendance_settings *s)
{
    struct json_object *o = json_object_new_object(), *deps = json_object_new_array();
    for (int i = 0; i < s->ndepartments; i++)
        json_object_array_add(deps, json_object_new_int64(s->departments[i]));
    jx_add_bool(o, "face_attendance_enabled", s->face_attendance_enabled);
    jx_add_number(o, "face_attendance_min_confidence", s->face_attendance_min_confidence);
    jx_add_bool(o, "require_face_consent", s->require_face_consent);
    jx_add_bool(o, "allow_face_self_registration", s->allow_face_self_registration);
    jx_add_int(o, "face_data_retention_days", s->face_data_retention_days);
    json_object_object_add(o, "face_attendance_departments", deps);
    jx_add_number(o, "break_warning_hours", s->break_warning_hours);
    jx_add_number(o, "overtime_warning_hours", s->overtime_warning_hours);
    jx_add_number(o, "hard_limit_hours", s->hard_limit_hours);
    jx_add_bool(o, "enforce_limits", s->enforce_limits);
    jx_add_int(o, "clock_in_early_minutes", s->clock_in_early_minutes);
    jx_add_int(o, "duplicate_scan_seconds", s->duplicate_scan_seconds);
    jx_add_str(o, "auto_close", auto_close_name(s->auto_close));
    jx_add_number(o, "auto_close_after_hours", s->auto_close_after_hours);
    jx_add_str(o, "device_auth", device_auth_name(s->device_auth));
    return o;
}

int settings_department_allowed(const struct attendance_settings *s, long long department_id)
{
    if (s->ndepartments == 0)
        return 1;
    for (int i = 0; i < s->ndepartments; i++)
        if (s->departments[i] == department_id)
            return 1;
    return 0;
}

void settings_thresholds(const struct attendance_settings *s, struct safety_thresholds *t)
{
    t->break_hours = s->break_warning_hours;
    t->overtime_hours = s->overtime_warning_hours;
    t->hard_hours = s->hard_limit_hours;
    t->enforce_limits = s->enforce_limits;
}

const char *face_registration_refusal(const struct attendance_settings *s, long long department_id,
                                      int self, int consent, int *status, const char **message)
{
    *status = 403;
    if (!s->face_attendance_enabled) {
        *message = "Face attendance is not enabled for this hotel.";
        return "FACE_DISABLED_FOR_HOTEL";
    }
    if (!settings_department_allowed(s, department_id)) {
        *message = "Face attendance is not enabled for this staff member's department.";
        return "FACE_DISABLED_FOR_DEPARTMENT";
    }
    if (self && !s->allow_face_self_registration) {
        *message = "This hotel does not allow staff to register their own face.";
        return "SELF_REGISTRATION_DISABLED";
    }
    if (s->require_face_consent && !consent) {
        *status = 400;
        *message = "Explicit consent (consent_given: true) is required to store face data.";
        return "CONSENT_REQUIRED";
    }
    return NULL;
}
