/* pms_rules.c — checks of a PMS sync document that need no database. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "jsonx.h"
#include "pms_rules.h"
#include "validate.h"

static int fail(struct pms_error *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct pms_error *e, const char *field, const char *fmt, ...)
{
    va_list ap;
    snprintf(e->field, sizeof e->field, "%s", field);
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return -1;
}

/* a row field that jx_* rejected */
static int bad(struct pms_error *e, const char *section, size_t i, const char *key, const char *why)
{
    char f[96];
    snprintf(f, sizeof f, "%s[%zu].%s", section, i, key);
    return fail(e, f, "%s %s.", f, why);
}

static int section(struct json_object *doc, const char *name, struct json_object **arr,
                   struct pms_error *e)
{
    *arr = NULL;
    if (!json_object_object_get_ex(doc, name, arr) || *arr == NULL)
        return 0;
    if (!json_object_is_type(*arr, json_type_array))
        return fail(e, name, "%s must be a list.", name);
    if (json_object_array_length(*arr) > PMS_MAX_ROWS)
        return fail(e, name, "%s has more than %d rows.", name, PMS_MAX_ROWS);
    for (size_t i = 0; i < json_object_array_length(*arr); i++)
        if (!json_object_is_type(json_object_array_get_idx(*arr, i), json_type_object)) {
            char f[64];
            snprintf(f, sizeof f, "%s[%zu]", name, i);
            return fail(e, f, "%s must be an object.", f);
        }
    return 0;
}

/* index of an earlier row with the same integer id, or -1 */
static long earlier_id(struct json_object *arr, size_t upto, const char *key, long long id)
{
    for (size_t j = 0; j < upto; j++) {
        struct json_object *v;
        if (json_object_object_get_ex(json_object_array_get_idx(arr, j), key, &v) &&
            json_object_is_type(v, json_type_int) && json_object_get_int64(v) == id)
            return (long)j;
    }
    return -1;
}

static int check_hotel(struct json_object *doc, struct pms_error *e)
{
    struct json_object *h;
    const char *why = NULL, *name, *tz = NULL;
    if (!json_object_object_get_ex(doc, "hotel", &h) || h == NULL)
        return 0;
    if (!json_object_is_type(h, json_type_object))
        return fail(e, "hotel", "hotel must be an object.");
    if (jx_string(h, "name", JX_OPTIONAL, 200, &name, &why) < 0)
        return fail(e, "hotel.name", "hotel.name %s.", why);
    if (jx_has(h, "name") && *name == '\0')
        return fail(e, "hotel.name", "hotel.name must not be empty.");
    if (jx_string(h, "timezone", JX_OPTIONAL, 64, &tz, &why) < 0)
        return fail(e, "hotel.timezone", "hotel.timezone %s.", why);
    if (tz != NULL && !valid_timezone_name(tz))
        return fail(e, "hotel.timezone", "hotel.timezone must be an IANA time zone name like Europe/Dublin.");
    return 0;
}

static int check_departments(struct json_object *arr, struct pms_error *e)
{
    const char *why = NULL, *name;
    long long id;
    for (size_t i = 0; arr != NULL && i < json_object_array_length(arr); i++) {
        struct json_object *r = json_object_array_get_idx(arr, i);
        if (jx_id(r, "id", JX_REQUIRED, &id, &why) < 0)
            return bad(e, "departments", i, "id", why);
        if (jx_string(r, "name", JX_REQUIRED, 200, &name, &why) < 0)
            return bad(e, "departments", i, "name", why);
        if (*name == '\0')
            return bad(e, "departments", i, "name", "must not be empty");
        long j = earlier_id(arr, i, "id", id);
        if (j >= 0)
            return bad(e, "departments", i, "id", "repeats an earlier row's id");
    }
    return 0;
}

static int check_staff(struct json_object *arr, struct pms_error *e)
{
    const char *why = NULL, *s;
    long long id;
    int b;
    for (size_t i = 0; arr != NULL && i < json_object_array_length(arr); i++) {
        struct json_object *r = json_object_array_get_idx(arr, i);
        const char *code, *user = NULL, *pass = NULL, *role = NULL;
        if (jx_id(r, "id", JX_REQUIRED, &id, &why) < 0)
            return bad(e, "staff", i, "id", why);
        if (earlier_id(arr, i, "id", id) >= 0)
            return bad(e, "staff", i, "id", "repeats an earlier row's id");
        if (jx_string(r, "employee_code", JX_REQUIRED, 64, &code, &why) < 0)
            return bad(e, "staff", i, "employee_code", why);
        if (*code == '\0')
            return bad(e, "staff", i, "employee_code", "must not be empty");
        if (jx_string(r, "first_name", JX_REQUIRED, 100, &s, &why) < 0)
            return bad(e, "staff", i, "first_name", why);
        if (*s == '\0')
            return bad(e, "staff", i, "first_name", "must not be empty");
        if (jx_string(r, "last_name", JX_OPTIONAL, 100, &s, &why) < 0)
            return bad(e, "staff", i, "last_name", why);
        if (jx_id(r, "department_id", JX_OPTIONAL, &id, &why) < 0)
            return bad(e, "staff", i, "department_id", why);
        if (jx_string(r, "role", JX_OPTIONAL, 16, &role, &why) < 0)
            return bad(e, "staff", i, "role", why);
        if (role != NULL && strcmp(role, "staff") != 0 && strcmp(role, "manager") != 0 &&
            strcmp(role, "hr") != 0 && strcmp(role, "admin") != 0)
            return bad(e, "staff", i, "role", "must be one of staff, manager, hr, admin");
        if (jx_string(r, "username", JX_OPTIONAL, 64, &user, &why) < 0)
            return bad(e, "staff", i, "username", why);
        if (user != NULL && !valid_username(user))
            return bad(e, "staff", i, "username", "must be 1-64 letters, digits or . _ @ -");
        if (jx_string(r, "password", JX_OPTIONAL, 256, &pass, &why) < 0)
            return bad(e, "staff", i, "password", why);
        if (pass != NULL && user == NULL)
            return bad(e, "staff", i, "password", "needs a username");
        if (pass != NULL && strlen(pass) < 6)
            return bad(e, "staff", i, "password", "must be at least 6 characters");
        if (jx_bool(r, "is_active", JX_OPTIONAL, &b, &why) < 0)
            return bad(e, "staff", i, "is_active", why);
        /* codes and user names must not repeat within the document */
        for (size_t j = 0; j < i; j++) {
            struct json_object *o = json_object_array_get_idx(arr, j), *v;
            if (json_object_object_get_ex(o, "employee_code", &v) && v != NULL &&
                json_object_is_type(v, json_type_string) && strcmp(json_object_get_string(v), code) == 0)
                return bad(e, "staff", i, "employee_code", "repeats an earlier row's employee_code");
            if (user != NULL && json_object_object_get_ex(o, "username", &v) && v != NULL &&
                json_object_is_type(v, json_type_string) &&
                strcasecmp(json_object_get_string(v), user) == 0)
                return bad(e, "staff", i, "username", "repeats an earlier row's username");
        }
    }
    return 0;
}

static int check_roster(struct json_object *arr, struct pms_error *e)
{
    const char *why = NULL, *s;
    long long id;
    int y, m, d, t1, t2;
    for (size_t i = 0; arr != NULL && i < json_object_array_length(arr); i++) {
        struct json_object *r = json_object_array_get_idx(arr, i);
        if (jx_id(r, "id", JX_REQUIRED, &id, &why) < 0)
            return bad(e, "roster", i, "id", why);
        if (earlier_id(arr, i, "id", id) >= 0)
            return bad(e, "roster", i, "id", "repeats an earlier row's id");
        if (jx_id(r, "staff_id", JX_REQUIRED, &id, &why) < 0)
            return bad(e, "roster", i, "staff_id", why);
        if (jx_string(r, "date", JX_REQUIRED, 10, &s, &why) < 0)
            return bad(e, "roster", i, "date", why);
        if (parse_date(s, &y, &m, &d) < 0)
            return bad(e, "roster", i, "date", "must be a date YYYY-MM-DD");
        if (jx_string(r, "start_time", JX_REQUIRED, 8, &s, &why) < 0)
            return bad(e, "roster", i, "start_time", why);
        if (parse_time(s, &t1) < 0)
            return bad(e, "roster", i, "start_time", "must be a time HH:MM:SS");
        if (jx_string(r, "end_time", JX_REQUIRED, 8, &s, &why) < 0)
            return bad(e, "roster", i, "end_time", why);
        if (parse_time(s, &t2) < 0)
            return bad(e, "roster", i, "end_time", "must be a time HH:MM:SS");
        if (t1 == t2)
            return bad(e, "roster", i, "end_time", "must differ from start_time");
        if (jx_string(r, "location", JX_OPTIONAL, 200, &s, &why) < 0)
            return bad(e, "roster", i, "location", why);
        if (jx_id(r, "department_id", JX_OPTIONAL, &id, &why) < 0)
            return bad(e, "roster", i, "department_id", why);
    }
    return 0;
}

static int check_clock_logs(struct json_object *arr, struct pms_error *e)
{
    const char *why = NULL, *s;
    long long staff, in, out, id;
    int us, us_in;
    for (size_t i = 0; arr != NULL && i < json_object_array_length(arr); i++) {
        struct json_object *r = json_object_array_get_idx(arr, i);
        if (jx_id(r, "staff_id", JX_REQUIRED, &staff, &why) < 0)
            return bad(e, "clock_logs", i, "staff_id", why);
        if (jx_string(r, "time_in", JX_REQUIRED, 40, &s, &why) < 0)
            return bad(e, "clock_logs", i, "time_in", why);
        if (parse_timestamp(s, &in, &us_in) < 0)
            return bad(e, "clock_logs", i, "time_in", "must be an RFC 3339 timestamp");
        const char *tout = NULL;
        if (jx_string(r, "time_out", JX_OPTIONAL, 40, &tout, &why) < 0)
            return bad(e, "clock_logs", i, "time_out", why);
        if (tout != NULL) {
            if (parse_timestamp(tout, &out, &us) < 0)
                return bad(e, "clock_logs", i, "time_out", "must be an RFC 3339 timestamp or null");
            if (out < in)
                return bad(e, "clock_logs", i, "time_out", "must not be before time_in");
        }
        if (jx_id(r, "roster_shift_id", JX_OPTIONAL, &id, &why) < 0)
            return bad(e, "clock_logs", i, "roster_shift_id", why);
        /* one row per (staff_id, time_in) within the document */
        for (size_t j = 0; j < i; j++) {
            struct json_object *o = json_object_array_get_idx(arr, j), *v, *t;
            long long other;
            int other_us;
            if (json_object_object_get_ex(o, "staff_id", &v) && json_object_get_int64(v) == staff &&
                json_object_object_get_ex(o, "time_in", &t) && t != NULL &&
                parse_timestamp(json_object_get_string(t), &other, &other_us) == 0 &&
                other == in && other_us == us_in)
                return bad(e, "clock_logs", i, "time_in", "repeats an earlier row's staff_id and time_in");
        }
        /* one open session per person within the document */
        for (size_t j = 0; tout == NULL && j < i; j++) {
            struct json_object *o = json_object_array_get_idx(arr, j), *v, *t;
            if (json_object_object_get_ex(o, "staff_id", &v) && json_object_get_int64(v) == staff &&
                (!json_object_object_get_ex(o, "time_out", &t) || t == NULL))
                return bad(e, "clock_logs", i, "time_out", "leaves a second open session for this staff member");
        }
    }
    return 0;
}

int pms_validate(struct json_object *doc, struct pms_error *err)
{
    static const char *const known[] = {"hotel", "settings", "departments", "staff", "roster", "clock_logs"};
    struct json_object *deps, *staff, *roster, *logs, *settings;

    if (!json_object_is_type(doc, json_type_object))
        return fail(err, "body", "The PMS document must be a JSON object.");
    json_object_object_foreach(doc, key, val) {
        (void)val;
        int ok = 0;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            ok |= strcmp(key, known[i]) == 0;
        if (!ok)
            return fail(err, key, "Unknown section \"%.64s\" (expected hotel, settings, departments, staff, roster, clock_logs).", key);
    }
    if (json_object_object_get_ex(doc, "settings", &settings) && settings != NULL &&
        !json_object_is_type(settings, json_type_object))
        return fail(err, "settings", "settings must be an object.");
    if (check_hotel(doc, err) < 0 ||
        section(doc, "departments", &deps, err) < 0 || check_departments(deps, err) < 0 ||
        section(doc, "staff", &staff, err) < 0 || check_staff(staff, err) < 0 ||
        section(doc, "roster", &roster, err) < 0 || check_roster(roster, err) < 0 ||
        section(doc, "clock_logs", &logs, err) < 0 || check_clock_logs(logs, err) < 0)
        return -1;
    return 0;
}
