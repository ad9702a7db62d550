/* settings_rules.h — a hotel's attendance settings (contract 5.1) as a C
 * struct: defaults, applying a JSON patch, and the validity rules. Pure. */
#ifndef FC_SETTINGS_RULES_H
#define FC_SETTINGS_RULES_H

#include <json-c/json.h>
#include "safety_rules.h"

#define SETTINGS_MAX_DEPARTMENTS 256

struct attendance_settings {
    int face_attendance_enabled;
    double face_attendance_min_confidence;
    int require_face_consent;
    int allow_face_self_registration;
    long face_data_retention_days;
    long long departments[SETTINGS_MAX_DEPARTMENTS];   /* empty: every department */
    int ndepartments;
    double break_warning_hours;
    double overtime_warning_hours;
    double hard_limit_hours;
    int enforce_limits;
    long clock_in_early_minutes;
    long duplicate_scan_seconds;
    int auto_close;                     /* enum auto_close (scheduler_rules.h) */
    double auto_close_after_hours;      /* shift_end: after the rostered end */
    int device_auth;                    /* enum device_auth */
};

/* How the hotel's edge devices authenticate (docs/iot.md "Certificates"):
 * the API key only (the default), the key or a client certificate, or
 * the certificate only. */
enum device_auth { DEVICE_AUTH_KEY = 0, DEVICE_AUTH_KEY_OR_CERT, DEVICE_AUTH_CERT };

/* "key", "key_or_cert", "cert" -> enum device_auth, else -1 (NULL too). */
int device_auth_of(const char *name);

/* enum device_auth -> its name ("key" for anything else). */
const char *device_auth_name(int mode);

void settings_defaults(struct attendance_settings *s);

/* Apply the fields present in patch (any subset) onto s, then check the
 * whole. Returns 0, or -1 with *field and *why set (static strings, or for
 * an unknown key the key itself, owned by patch); s may then be partly
 * changed. Unknown keys are rejected. */
int settings_apply_patch(struct attendance_settings *s, struct json_object *patch,
                         const char **field, const char **why);

/* The rules between fields: 0 <= min_confidence <= 1, retention >= 1,
 * 0 < break < overtime < hard <= 48, windows in range. 0 or -1. */
int settings_check(const struct attendance_settings *s, const char **field, const char **why);

/* Whether a department may use face attendance: an empty list allows
 * every department (and staff without one); otherwise the department must
 * be listed (department_id 0 = none: refused). Pure. */
int settings_department_allowed(const struct attendance_settings *s, long long department_id);

/* The rules of contract 5.3 that follow the descriptor check, in their
 * order: hotel enabled, department allowed, self-registration allowed
 * (when self), consent (when required). NULL when face data may be
 * stored; else the error code, with *status and *message (static). */
const char *face_registration_refusal(const struct attendance_settings *s, long long department_id,
                                      int self, int consent, int *status, const char **message);

/* The safety thresholds of these settings. */
void settings_thresholds(const struct attendance_settings *s, struct safety_thresholds *t);

/* The contract's JSON shape. Caller owns (puts) the result. */
struct json_object *settings_to_json(const struct attendance_settings *s);

#endif
