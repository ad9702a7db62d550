/* pms_rules.c — checks of a PMS sync document that need no database, what
 * a database constraint a row broke means for that row, and the mark that
 * proves a re-synced password unchanged. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "crypto.h"
#include "jsonx.h"
#include "pms_rules.h"
#include "validate.h"

int pms_fail(struct pms_error *e, const char *field, const char *fmt, ...)
{
    va_list ap;
    snprintf(e->field, sizeof e->field, "%s", field);
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return -1;
}

/* row i's field key of a section, refused for why */
static int bad(struct pms_error *e, const char *section, size_t i, const char *key, const char *why)
{
    char f[96];
    snprintf(f, sizeof f, "%s[%zu].%s", section, i, key);
    return pms_fail(e, f, "%s %s.", f, why);
}

/* What a database constraint means for the row that broke it. */
static const struct {
    const char *constraint, *key, *why;
} constraint_fields[] = {
    {"staff_department_fk", "department_id", "names a department this hotel does not have"},
    {"staff_employee_code_unique", "employee_code", "is already used by another staff member"},
    {"users_username_unique", "username", "is already taken"},
    {"roster_staff_fk", "staff_id", "names a staff member this hotel does not have"},
    {"roster_department_fk", "department_id", "names a department this hotel does not have"},
    {"clock_logs_staff_fk", "staff_id", "names a staff member this hotel does not have"},
    {"clock_logs_shift_fk", "roster_shift_id", "names a roster shift this hotel does not have"},
    {"clock_logs_one_open", "time_out", "leaves a second open session for this staff member"},
    {"clock_logs_out_after_in", "time_out", "must not be before time_in"},
};

int pms_row_refused(struct pms_error *e, const char *section, size_t i, const char *constraint,
                    const char *db_message)
{
    char f[96];

    for (size_t k = 0; k < sizeof constraint_fields / sizeof constraint_fields[0]; k++)
        if (strcmp(constraint, constraint_fields[k].constraint) == 0)
            return bad(e, section, i, constraint_fields[k].key, constraint_fields[k].why);
    snprintf(f, sizeof f, "%s[%zu]", section, i);
    return pms_fail(e, f, "%s is not valid: %s.", f, db_message);
}

int pms_password_mark(const unsigned char key[32], const char *hash, const char *password,
                      unsigned char out[PMS_MARK_LEN])
{
    unsigned char sub[32], msg[CRYPTO_HASH_MAX + 1 + 1024];
    size_t nh = strlen(hash), np = strlen(password);
    int rc;

    if (nh >= CRYPTO_HASH_MAX || np > 1024)
        return -1;
    if (crypto_subkey(key, "faceclock:pms-password-mark:v1", sub) < 0)
        return -1;
    memcpy(msg, hash, nh);
    msg[nh] = '\0';
    memcpy(msg + nh + 1, password, np);
    rc = crypto_hmac_sha256(sub, sizeof sub, msg, nh + 1 + np, out);
    memset(sub, 0, sizeof sub);
    memset(msg, 0, sizeof msg);
    return rc;
}

static int section(struct json_object *doc, const char *name, struct json_object **arr,
                   struct pms_error *e)
{
    *arr = NULL;
    if (!json_object_object_get_ex(doc, name, arr) || *arr == NULL)
        return 0;
    if (!json_object_is_type(*arr, json_type_array))
        return pms_fail(e, name, "%s must be a list.", name);
    if (json_object_array_length(*arr) > PMS_MAX_ROWS)
        return pms_fail(e, name, "%s has more than %d rows.", name, PMS_MAX_ROWS);
    for (size_t i = 0; i < json_object_array_length(*arr); i++)
        if (!json_object_is_type(json_object_array_get_idx(*arr, i), json_type_object)) {
            char f[64];
            snprintf(f, sizeof f, "%s[%zu]", name, i);
            return pms_fail(e, f, "%s must be an object.", f);
        }
    return 0;
}

/* A row's identity for duplicate detection: up to three integers and a
 * string (compared case-insensitively when fold is set). */
struct rowkey {
    long long a, b, c;
    const char *s;
    int fold;
    size_t row;
};

static int key_cmp(const struct rowkey *x, const struct rowkey *y)
{
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    if (x->b != y->b)
        return x->b < y->b ? -1 : 1;
    if (x->c != y->c)
        return x->c < y->c ? -1 : 1;
    if (x->s != NULL && y->s != NULL)
        return x->fold ? strcasecmp(x->s, y->s) : strcmp(x->s, y->s);
    return 0;
}

static int key_sort(const void *p, const void *q)
{
    const struct rowkey *x = p, *y = q;
    int c = key_cmp(x, y);
    return c != 0 ? c : (x->row < y->row ? -1 : x->row > y->row);
}

/* The first row (in document order) whose key repeats an earlier row's,
 * or -1. Sorts keys[0..n): O(n log n). */
static long first_repeat(struct rowkey *keys, size_t n)
{
    long first = -1;
    qsort(keys, n, sizeof *keys, key_sort);
    for (size_t i = 1; i < n; i++)
        if (key_cmp(&keys[i - 1], &keys[i]) == 0 && (first < 0 || (long)keys[i].row < first))
            first = (long)keys[i].row;
    return first;
}

static long long int_of(struct json_object *row, const char *key)
{
    struct json_object *v;
    return json_object_object_get_ex(row, key, &v) && v != NULL ? json_object_get_int64(v) : 0;
}

static const char *str_of(struct json_object *row, const char *key)
{
    struct json_object *v;
    return json_object_object_get_ex(row, key, &v) && v != NULL ? json_object_get_string(v) : NULL;
}

/* Rows of arr (already checked one by one) whose integer `key` repeats. */
static long repeated_id(struct json_object *arr, const char *key)
{
    size_t n = arr ? json_object_array_length(arr) : 0;
    struct rowkey *k = calloc(n ? n : 1, sizeof *k);
    if (k == NULL)
        abort();
    for (size_t i = 0; i < n; i++) {
        k[i].a = int_of(json_object_array_get_idx(arr, i), key);
        k[i].row = i;
    }
    long r = first_repeat(k, n);
    free(k);
    return r;
}

/* Rows whose string `key` repeats (rows without it are skipped). */
static long repeated_str(struct json_object *arr, const char *key, int fold)
{
    size_t n = arr ? json_object_array_length(arr) : 0, m = 0;
    struct rowkey *k = calloc(n ? n : 1, sizeof *k);
    if (k == NULL)
        abort();
    for (size_t i = 0; i < n; i++) {
        const char *v = str_of(json_object_array_get_idx(arr, i), key);
        if (v != NULL)
            k[m++] = (struct rowkey){0, 0, 0, v, fold, i};
    }
    long r = first_repeat(k, m);
    free(k);
    return r;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int check_hotel(struct json_object *doc, struct pms_error *e)
{
    struct json_object *h;
    const char *why = NULL, *name, *tz = NULL;
    if (!json_object_object_get_ex(doc, "hotel", &h) || h == NULL)
        return 0;
    if (!json_object_is_type(h, json_type_object))
        return pms_fail(e, "hotel", "hotel must be an object.");
    if (jx_string(h, "name", JX_OPTIONAL, 200, &name, &why) < 0)
        return pms_fail(e, "hotel.name", "hotel.name %s.", why);
    if (jx_has(h, "name") && *name == '\0')
        return pms_fail(e, "hotel.name", "hotel.name must not be empty.");
    if (jx_string(h, "timezone", JX_OPTIONAL, 64, &tz, &why) < 0)
        return pms_fail(e, "hotel.timezone", "hotel.timezone %s.", why);
    if (tz != NULL && !valid_timezone_name(tz))
        return pms_fail(e, "hotel.timezone", "hotel.timezone must be an IANA time zone name like Europe/Dublin.");
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
    }
    long dup = repeated_id(arr, "id");
    if (dup >= 0)
        return bad(e, "departments", (size_t)dup, "id", "repeats an earlier row's id");
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
        if (pass != NULL && utf8_chars(pass) < PMS_PASSWORD_MIN) {
            char short_pass[48];
            snprintf(short_pass, sizeof short_pass, "must be at least %d characters", PMS_PASSWORD_MIN);
            return bad(e, "staff", i, "password", short_pass);
        }
        if (jx_bool(r, "is_active", JX_OPTIONAL, &b, &why) < 0)
            return bad(e, "staff", i, "is_active", why);
    }
    long dup;
    if ((dup = repeated_id(arr, "id")) >= 0)
        return bad(e, "staff", (size_t)dup, "id", "repeats an earlier row's id");
    if ((dup = repeated_str(arr, "employee_code", 0)) >= 0)
        return bad(e, "staff", (size_t)dup, "employee_code", "repeats an earlier row's employee_code");
    if ((dup = repeated_str(arr, "username", 1)) >= 0)
        return bad(e, "staff", (size_t)dup, "username", "repeats an earlier row's username");
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
    long dup = repeated_id(arr, "id");
    if (dup >= 0)
        return bad(e, "roster", (size_t)dup, "id", "repeats an earlier row's id");
    return 0;
}

static int check_clock_logs(struct json_object *arr, struct pms_error *e)
{
    const char *why = NULL, *s;
    long long staff, in, out, id;
    int us_in, us_out;
    size_t n = arr ? json_object_array_length(arr) : 0, nopen = 0;
    struct rowkey *keys = calloc(n ? n : 1, sizeof *keys), *open = calloc(n ? n : 1, sizeof *open);
    int rc = -1;

    if (keys == NULL || open == NULL)
        abort();
    for (size_t i = 0; i < n; i++) {
        struct json_object *r = json_object_array_get_idx(arr, i);
        const char *tout = NULL;
        if (jx_id(r, "staff_id", JX_REQUIRED, &staff, &why) < 0) {
            bad(e, "clock_logs", i, "staff_id", why);
            goto out;
        }
        if (jx_string(r, "time_in", JX_REQUIRED, 40, &s, &why) < 0) {
            bad(e, "clock_logs", i, "time_in", why);
            goto out;
        }
        if (parse_timestamp(s, &in, &us_in) < 0) {
            bad(e, "clock_logs", i, "time_in", "must be an RFC 3339 timestamp");
            goto out;
        }
        if (jx_string(r, "time_out", JX_OPTIONAL, 40, &tout, &why) < 0) {
            bad(e, "clock_logs", i, "time_out", why);
            goto out;
        }
        if (tout != NULL && parse_timestamp(tout, &out, &us_out) < 0) {
            bad(e, "clock_logs", i, "time_out", "must be an RFC 3339 timestamp or null");
            goto out;
        }
        if (tout != NULL && (out < in || (out == in && us_out < us_in))) {
            bad(e, "clock_logs", i, "time_out", "must not be before time_in");
            goto out;
        }
        if (jx_id(r, "roster_shift_id", JX_OPTIONAL, &id, &why) < 0) {
            bad(e, "clock_logs", i, "roster_shift_id", why);
            goto out;
        }
        keys[i] = (struct rowkey){staff, in, us_in, NULL, 0, i};
        if (tout == NULL)
            open[nopen++] = (struct rowkey){staff, 0, 0, NULL, 0, i};
    }
    long dup;
    if ((dup = first_repeat(keys, n)) >= 0) {
        bad(e, "clock_logs", (size_t)dup, "time_in", "repeats an earlier row's staff_id and time_in");
        goto out;
    }
    if ((dup = first_repeat(open, nopen)) >= 0) {
        bad(e, "clock_logs", (size_t)dup, "time_out", "leaves a second open session for this staff member");
        goto out;
    }
    rc = 0;
out:
    free(keys);
    free(open);
    return rc;
}

int pms_validate(struct json_object *doc, struct pms_error *err)
{
    static const char *const known[] = {"hotel", "settings", "departments", "staff", "roster", "clock_logs"};
    struct json_object *deps, *staff, *roster, *logs, *settings;

    if (!json_object_is_type(doc, json_type_object))
        return pms_fail(err, "body", "The PMS document must be a JSON object.");
    json_object_object_foreach(doc, key, val) {
        (void)val;
        int ok = 0;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            ok |= strcmp(key, known[i]) == 0;
        if (!ok)
            return pms_fail(err, key, "Unknown section \"%.64s\" (expected hotel, settings, departments, staff, roster, clock_logs).", key);
    }
    if (json_object_object_get_ex(doc, "settings", &settings) && settings != NULL &&
        !json_object_is_type(settings, json_type_object))
        return pms_fail(err, "settings", "settings must be an object.");
    if (check_hotel(doc, err) < 0 ||
        section(doc, "departments", &deps, err) < 0 || check_departments(deps, err) < 0 ||
        section(doc, "staff", &staff, err) < 0 || check_staff(staff, err) < 0 ||
        section(doc, "roster", &roster, err) < 0 || check_roster(roster, err) < 0 ||
        section(doc, "clock_logs", &logs, err) < 0 || check_clock_logs(logs, err) < 0)
        return -1;
    return 0;
}
