/* pms_store.c — owns a PMS sync in the database (pms_store.h): the
 * statements of applying a validated document to a hotel in one
 * transaction — idempotent upserts keyed by the PMS's own ids, the logins
 * of staff rows (a password re-hashed only when it changed: pms_rules.h's
 * mark), departures (face data and sessions revoked), sessions revoked
 * when a login's password or its staff member's role changes, the audit
 * rows of what changed (appended last, before the commit) — and the result
 * as JSON. It locks nothing a scan or a login of the hotel waits for: see
 * st_hotel_lock and st_staff. A row the database refuses rejects the whole document,
 * named by pms_rules.c, and changes nothing. tests/bench/gen_hotel.py
 * writes these statements out for pgbench. The staff and roster sections
 * are each one statement over the whole section (a 10 000-staff sync is a
 * handful of round trips, not 20 000); when the database refuses one, the
 * section is rolled back to a savepoint and written row by row, which names
 * the row, so the answer is the same either way. */
#include <stdio.h>
#include <string.h>
#include <json-c/printbuf.h>
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "attendance/face_store.h"
#include "attendance/settings_store.h"
#include "jsonx.h"
#include "attendance/alert_store.h"
#include "pms_store.h"

/* A sync holds its hotel as the face writers do (attendance/face_store.c:
 * the same lock, taken first, so departures revoking face data keep their
 * order): FOR NO KEY UPDATE excludes other syncs and face writers of the
 * hotel but not the FOR KEY SHARE of the foreign keys of scans and logins
 * (clock_logs, auth_tokens), which FOR UPDATE would hold for the sync. */
static struct db_stmt st_hotel_lock = {
    "pms_hotel_lock", "SELECT id FROM hotels WHERE slug = $1 FOR NO KEY UPDATE", 0,
};
static struct db_stmt st_hotel_insert = {
    "pms_hotel_insert",
    "INSERT INTO hotels (slug, name, timezone) VALUES ($1, $2, coalesce($3, 'UTC')) "
    "ON CONFLICT (slug) DO NOTHING RETURNING id",
    0,
};
/* the old and new name and time zone when either changed */
static struct db_stmt st_hotel_update = {
    "pms_hotel_update",
    "UPDATE hotels h SET name = coalesce($2, h.name), timezone = coalesce($3, h.timezone), updated_at = now() "
    "FROM (SELECT name, timezone FROM hotels WHERE id = $1) old "
    "WHERE h.id = $1 AND (h.name, h.timezone) IS DISTINCT FROM (coalesce($2, h.name), coalesce($3, h.timezone)) "
    "RETURNING old.name, old.timezone, h.name, h.timezone",
    0,
};
static struct db_stmt st_settings_default = {
    "pms_settings_default",
    "INSERT INTO attendance_settings (hotel_id) VALUES ($1) ON CONFLICT DO NOTHING", 0,
};
static struct db_stmt st_department = {
    "pms_department",
    "INSERT INTO departments (hotel_id, id, name) VALUES ($1, $2, $3) "
    "ON CONFLICT (hotel_id, id) DO UPDATE SET name = EXCLUDED.name, updated_at = now() "
    "WHERE departments.name IS DISTINCT FROM EXCLUDED.name RETURNING (xmax = 0)",
    0,
};
/* Staff rows are written without ON CONFLICT DO UPDATE: that locks every
 * existing row it meets FOR UPDATE (employee_code is a key column), even
 * unchanged, so each scan of the hotel (its clock_logs row's foreign key
 * takes FOR KEY SHARE of the staff row) would wait for the whole sync. A
 * plain UPDATE locks only the rows it changes, and those FOR NO KEY UPDATE
 * unless the employee code itself changes. No row: unchanged; else
 * (created, old role, old is_active), the old values NULL when created,
 * else read from the statement's snapshot, which does not see its own
 * update. */
enum { STAFF_CREATED, STAFF_OLD_ROLE, STAFF_OLD_ACTIVE };
static struct db_stmt st_staff = {
    "pms_staff",
    "WITH upd AS (UPDATE staff s SET employee_code = $3, first_name = $4, last_name = $5, "
    "department_id = $6, role = $7, is_active = $8, updated_at = now() "
    "FROM (SELECT o.role, o.is_active FROM staff o WHERE o.hotel_id = $1 AND o.id = $2) old "
    "WHERE s.hotel_id = $1 AND s.id = $2 AND (s.employee_code, s.first_name, s.last_name, s.department_id, "
    "s.role, s.is_active) IS DISTINCT FROM ($3, $4, $5, $6, $7, $8) "
    "RETURNING false, old.role, old.is_active), "
    "ins AS (INSERT INTO staff (hotel_id, id, employee_code, first_name, last_name, department_id, role, "
    "is_active) SELECT $1, $2, $3, $4, $5, $6, $7, $8 "
    "WHERE NOT EXISTS (SELECT 1 FROM staff WHERE hotel_id = $1 AND id = $2) "
    "ON CONFLICT (hotel_id, id) DO NOTHING RETURNING true, NULL::text, NULL::boolean) "
    "SELECT * FROM upd UNION ALL SELECT * FROM ins",
    0,
};
/* st_staff for every row at once (a 10 000-staff sync is one statement,
 * not 10 000 round trips): $2 a JSON array of the rows' values, each with
 * its index "i" in the document; one row per created or changed staff
 * member, in document order: (i, created, old role, old is_active). Run
 * only when st_staff_codes finds no existing staff member's employee code
 * changing: then the unique code is the only constraint between rows and
 * whether it holds does not depend on the order the rows are written in,
 * so the set succeeds exactly when row by row would. */
enum { BATCH_ROW, BATCH_CREATED, BATCH_OLD_ROLE, BATCH_OLD_ACTIVE };
#define STAFF_ROWS "jsonb_to_recordset($2::jsonb) AS v(i int, id bigint, code text, first text, last text, " \
                   "dept bigint, role text, active boolean)"
static struct db_stmt st_staff_codes = {
    "pms_staff_codes",
    "SELECT count(*) FROM " STAFF_ROWS " JOIN staff s ON s.hotel_id = $1 AND s.id = v.id "
    "WHERE s.employee_code IS DISTINCT FROM v.code",
    0,
};
static struct db_stmt st_staff_set = {
    "pms_staff_set",
    "WITH v AS (SELECT * FROM " STAFF_ROWS "), "
    "upd AS (UPDATE staff s SET employee_code = v.code, first_name = v.first, last_name = v.last, "
    "department_id = v.dept, role = v.role, is_active = v.active, updated_at = now() "
    "FROM v JOIN staff o ON o.hotel_id = $1 AND o.id = v.id "
    "WHERE s.hotel_id = $1 AND s.id = v.id AND (s.employee_code, s.first_name, s.last_name, s.department_id, "
    "s.role, s.is_active) IS DISTINCT FROM (v.code, v.first, v.last, v.dept, v.role, v.active) "
    "RETURNING v.i, false AS created, o.role, o.is_active), "
    "ins AS (INSERT INTO staff (hotel_id, id, employee_code, first_name, last_name, department_id, role, "
    "is_active) SELECT $1, v.id, v.code, v.first, v.last, v.dept, v.role, v.active FROM v "
    "WHERE NOT EXISTS (SELECT 1 FROM staff WHERE hotel_id = $1 AND id = v.id) "
    "ON CONFLICT (hotel_id, id) DO NOTHING RETURNING id) "
    "SELECT * FROM upd UNION ALL SELECT v.i, true, NULL::text, NULL::boolean FROM ins JOIN v ON v.id = ins.id "
    "ORDER BY 1",
    0,
};
static struct db_stmt st_user_get = {
    "pms_user_get",
    "SELECT id, username, password_hash, encode(pms_password_mark, 'hex') FROM users "
    "WHERE hotel_id = $1 AND staff_id = $2 FOR NO KEY UPDATE",
    0,
};
static struct db_stmt st_user_insert = {
    "pms_user_insert",
    "INSERT INTO users (hotel_id, staff_id, username, password_hash, pms_password_mark) "
    "VALUES ($1, $2, $3, $4, decode($5, 'hex'))",
    0,
};
static struct db_stmt st_user_update = {
    "pms_user_update",
    "UPDATE users SET username = $2, password_hash = coalesce($3, password_hash), "
    "pms_password_mark = coalesce(decode($4, 'hex'), pms_password_mark), updated_at = now() WHERE id = $1",
    0,
};
static struct db_stmt st_tokens_revoke = {
    "pms_tokens_revoke",
    "UPDATE auth_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND user_id IN "
    "(SELECT id FROM users WHERE hotel_id = $1 AND staff_id = $2)",
    0,
};
static struct db_stmt st_roster = {
    "pms_roster",
    "INSERT INTO roster_shifts (hotel_id, id, staff_id, shift_date, start_time, end_time, location, department_id) "
    "VALUES ($1, $2, $3, $4::date, $5::time, $6::time, coalesce($7, ''), $8) "
    "ON CONFLICT (hotel_id, id) DO UPDATE SET staff_id = EXCLUDED.staff_id, shift_date = EXCLUDED.shift_date, "
    "start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time, location = EXCLUDED.location, "
    "department_id = EXCLUDED.department_id, updated_at = now() "
    "WHERE (roster_shifts.staff_id, roster_shifts.shift_date, roster_shifts.start_time, "
    "roster_shifts.end_time, roster_shifts.location, roster_shifts.department_id) IS DISTINCT FROM "
    "(EXCLUDED.staff_id, EXCLUDED.shift_date, EXCLUDED.start_time, EXCLUDED.end_time, "
    "EXCLUDED.location, EXCLUDED.department_id) RETURNING (xmax = 0)",
    0,
};
/* st_roster for every row at once: $2 a JSON array of each row's
 * parameters after the hotel's (bind_roster's, as text). The rows have no
 * constraint between them but their ids, which the rules keep apart, so
 * the set succeeds exactly when row by row would; one row per created
 * (true) or changed (false) shift. */
static struct db_stmt st_roster_set = {
    "pms_roster_set",
    "INSERT INTO roster_shifts (hotel_id, id, staff_id, shift_date, start_time, end_time, location, department_id) "
    "SELECT $1, (r->>0)::bigint, (r->>1)::bigint, (r->>2)::date, (r->>3)::time, (r->>4)::time, "
    "coalesce(r->>5, ''), (r->>6)::bigint FROM jsonb_array_elements($2::jsonb) r "
    "ON CONFLICT (hotel_id, id) DO UPDATE SET staff_id = EXCLUDED.staff_id, shift_date = EXCLUDED.shift_date, "
    "start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time, location = EXCLUDED.location, "
    "department_id = EXCLUDED.department_id, updated_at = now() "
    "WHERE (roster_shifts.staff_id, roster_shifts.shift_date, roster_shifts.start_time, "
    "roster_shifts.end_time, roster_shifts.location, roster_shifts.department_id) IS DISTINCT FROM "
    "(EXCLUDED.staff_id, EXCLUDED.shift_date, EXCLUDED.start_time, EXCLUDED.end_time, "
    "EXCLUDED.location, EXCLUDED.department_id) RETURNING (xmax = 0)",
    0,
};
static struct db_stmt st_clock_log = {
    "pms_clock_log",
    "INSERT INTO clock_logs (hotel_id, staff_id, time_in, time_out, roster_shift_id, source) "
    "VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5, 'pms') "
    "ON CONFLICT (hotel_id, staff_id, time_in) DO UPDATE SET time_out = EXCLUDED.time_out, "
    "roster_shift_id = EXCLUDED.roster_shift_id "
    "WHERE (clock_logs.time_out, clock_logs.roster_shift_id) IS DISTINCT FROM "
    "(EXCLUDED.time_out, EXCLUDED.roster_shift_id) RETURNING (xmax = 0)",
    0,
};

/* The last statement failed for want of the database, not for the row. */
static int db_down(void)
{
    enum db_status st = db_last_status();
    return st == DB_DOWN || st == DB_ERROR || st == DB_RETRY || st == DB_TIMEOUT;
}

/* The last database failure on row i of a section: PMS_DB, or PMS_INVALID naming the row. */
static int row_failed(const char *section, size_t i, struct pms_error *e)
{
    return db_down() ? PMS_DB : pms_row_refused(e, section, i, db_last_constraint(), db_last_message());
}

/* Run an upsert whose RETURNING (xmax = 0) tells created from updated. */
static int upsert(struct db_stmt *st, struct db_args *a, struct counts *c)
{
    PGresult *r = db_run(st, a);
    if (r == NULL)
        return -1;
    if (PQntuples(r) == 0)
        c->unchanged++;
    else if (db_bool(r, 0, 0))
        c->created++;
    else
        c->updated++;
    PQclear(r);
    return 0;
}

static const char *opt_str(struct json_object *o, const char *key)
{
    struct json_object *v;
    return json_object_object_get_ex(o, key, &v) && v != NULL ? json_object_get_string(v) : NULL;
}

static long long opt_id(struct json_object *o, const char *key)
{
    struct json_object *v;
    return json_object_object_get_ex(o, key, &v) && v != NULL ? json_object_get_int64(v) : 0;
}

static struct json_object *rows(struct json_object *doc, const char *name)
{
    struct json_object *v;
    return json_object_object_get_ex(doc, name, &v) && v != NULL ? v : NULL;
}

static size_t nrows(struct json_object *arr)
{
    return arr ? json_object_array_length(arr) : 0;
}

static int sync_hotel(const char *slug, int may_create, struct json_object *doc,
                      struct pms_result *res, struct json_object **audit, struct pms_error *e)
{
    struct json_object *h = rows(doc, "hotel");
    const char *name = h ? opt_str(h, "name") : NULL, *tz = h ? opt_str(h, "timezone") : NULL;
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_str(&a, slug);
    if ((r = db_run(&st_hotel_lock, &a)) == NULL)
        return PMS_DB;
    res->hotel_id = PQntuples(r) == 1 ? db_ll(r, 0, 0) : 0;
    PQclear(r);

    if (res->hotel_id == 0) {
        if (!may_create)
            return PMS_NOT_FOUND;
        if (name == NULL)
            return pms_fail(e, "hotel.name", "hotel.name is required to create the hotel %s.", slug);
        db_args_init(&a);
        db_arg_str(&a, slug);
        db_arg_str(&a, name);
        db_arg_str(&a, tz);
        if ((r = db_run(&st_hotel_insert, &a)) == NULL)
            goto failed;
        if (PQntuples(r) == 1) {
            res->hotel_id = db_ll(r, 0, 0);
            res->hotel_created = 1;
        }
        PQclear(r);
        if (res->hotel_id == 0)     /* made meanwhile by a concurrent sync */
            return sync_hotel(slug, may_create, doc, res, audit, e);
        struct json_object *made = json_object_new_object();
        jx_add_str(made, "slug", slug);
        jx_add_str(made, "name", name);
        jx_add_str(made, "timezone", tz != NULL ? tz : "UTC");
        action_note(audit, "hotel.created", NULL, NULL, made);
        db_args_init(&a);
        db_arg_int(&a, res->hotel_id);
        if (db_exec(&st_settings_default, &a) < 0)
            return PMS_DB;
        return PMS_OK;
    }
    if (name != NULL || tz != NULL) {
        db_args_init(&a);
        db_arg_int(&a, res->hotel_id);
        db_arg_str(&a, name);
        db_arg_str(&a, tz);
        if ((r = db_run(&st_hotel_update, &a)) == NULL)
            goto failed;
        if (PQntuples(r) == 1) {
            struct json_object *was = json_object_new_object(), *now = json_object_new_object();
            jx_add_str(was, "name", PQgetvalue(r, 0, 0));
            jx_add_str(was, "timezone", PQgetvalue(r, 0, 1));
            jx_add_str(now, "name", PQgetvalue(r, 0, 2));
            jx_add_str(now, "timezone", PQgetvalue(r, 0, 3));
            action_note(audit, "hotel.changed", NULL, was, now);
        }
        PQclear(r);
    }
    return PMS_OK;
failed:
    if (strcmp(db_last_constraint(), "hotels_timezone_valid") == 0)
        return pms_fail(e, "hotel.timezone", "hotel.timezone \"%s\" is not a time zone this server knows.", tz);
    return db_down() ? PMS_DB : pms_fail(e, "hotel", "hotel is not valid: %s.", db_last_message());
}

static int sync_settings(struct json_object *doc, const struct pms_actor *actor, struct pms_result *res,
                         struct pms_error *e)
{
    struct json_object *patch = rows(doc, "settings");
    struct attendance_settings s, before;
    const char *field = NULL, *why = NULL;
    char f[96];

    if (patch == NULL)
        return PMS_OK;
    if (settings_load(res->hotel_id, &s) < 0)
        return PMS_DB;
    before = s;
    if (settings_apply_patch(&s, patch, &field, &why) < 0) {
        snprintf(f, sizeof f, "settings.%s", field);
        return pms_fail(e, f, "%s %s.", f, why);
    }
    long long unknown = settings_unknown_department(res->hotel_id, &s);
    if (unknown < 0)
        return PMS_DB;
    if (unknown > 0)
        return pms_fail(e, "settings.face_attendance_departments",
                       "settings.face_attendance_departments names department %lld, which this hotel does not have.",
                       unknown);
    int saved = settings_save(res->hotel_id, &before, &s, &actor->who);
    if (saved < 0)
        return PMS_DB;
    res->settings_updated = saved;
    return PMS_OK;
}

/* The mark of pass hashed into hash, as hex into out (2 * PMS_MARK_LEN + 1),
 * or NULL when the server has no data key to make one. */
static const char *mark_hex(const char *hash, const char *pass, char *out)
{
    unsigned char m[PMS_MARK_LEN];
    if (!g_config.has_hash_key || pms_password_mark(g_config.hash_key, hash, pass, m) < 0)
        return NULL;
    crypto_hex(m, sizeof m, out);
    return out;
}

/* A JSON object of one string member. */
static struct json_object *one_str(const char *key, const char *value)
{
    struct json_object *o = json_object_new_object();
    jx_add_str(o, key, value);
    return o;
}

/* The login of staff row i, if it names one. *changed set when it did,
 * *pass_changed when its password did; each change noted for the audit
 * (login.created, login.renamed, login.password_changed; never a
 * password or its hash).
 * A password already hashed is proven by its mark (pms_rules.h) with one
 * HMAC; only without a mark (or a key) does scrypt check it, and the mark
 * is then written, so each password costs one scrypt per change, not one
 * per sync. */
static int sync_user(struct json_object *row, size_t i, long long hotel_id, long long staff_id,
                     const char *target, int *changed, int *pass_changed, struct json_object **audit,
                     struct pms_error *e)
{
    const char *user = opt_str(row, "username"), *pass = opt_str(row, "password");
    char hash[CRYPTO_HASH_MAX], stored[CRYPTO_HASH_MAX] = "", mark[2 * PMS_MARK_LEN + 1];
    char stored_mark[2 * PMS_MARK_LEN + 1] = "";
    const char *new_mark = NULL;
    struct db_args a;
    PGresult *r;
    char field[64];

    if (user == NULL)
        return PMS_OK;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, staff_id);
    if ((r = db_run(&st_user_get, &a)) == NULL)
        return PMS_DB;
    int exists = PQntuples(r) == 1;
    long long user_id = exists ? db_ll(r, 0, 0) : 0;
    int same_name = exists && strcmp(PQgetvalue(r, 0, 1), user) == 0;
    char old_name[72] = "";
    if (exists) {
        snprintf(old_name, sizeof old_name, "%s", PQgetvalue(r, 0, 1));
        snprintf(stored, sizeof stored, "%s", PQgetvalue(r, 0, 2));
        snprintf(stored_mark, sizeof stored_mark, "%s", PQgetvalue(r, 0, 3));
    }
    PQclear(r);

    if (!exists && pass == NULL) {
        snprintf(field, sizeof field, "staff[%zu].password", i);
        return pms_fail(e, field, "%s is required for a new login.", field);
    }
    int proven = exists && pass != NULL && mark_hex(stored, pass, mark) != NULL &&
                 crypto_str_equal(mark, stored_mark);
    int same_pass = exists && (pass == NULL || proven || crypto_verify_secret(pass, stored));
    if (pass != NULL && !proven) {      /* a mark for the password the hash will hold */
        if (!same_pass && crypto_hash_secret(pass, g_config.scrypt_log_n, hash) < 0)
            return PMS_DB;
        new_mark = mark_hex(same_pass ? stored : hash, pass, mark);
    }
    if (same_name && same_pass && new_mark == NULL)
        return PMS_OK;
    db_args_init(&a);
    if (exists) {
        db_arg_int(&a, user_id);
        db_arg_str(&a, user);
        db_arg_str(&a, same_pass ? NULL : hash);
        db_arg_str(&a, new_mark);
        if (db_exec(&st_user_update, &a) < 0)
            return row_failed("staff", i, e);
    } else {
        db_arg_int(&a, hotel_id);
        db_arg_int(&a, staff_id);
        db_arg_str(&a, user);
        db_arg_str(&a, hash);
        db_arg_str(&a, new_mark);
        if (db_exec(&st_user_insert, &a) < 0)
            return row_failed("staff", i, e);
    }
    *changed = !(same_name && same_pass);
    *pass_changed = exists && !same_pass;
    if (!exists) {
        struct json_object *login = one_str("username", user);
        const char *role = opt_str(row, "role");
        jx_add_str(login, "role", role ? role : "staff");
        action_note(audit, "login.created", target, NULL, login);
    }
    if (exists && !same_name)
        action_note(audit, "login.renamed", target, one_str("username", old_name), one_str("username", user));
    if (*pass_changed)
        action_note(audit, "login.password_changed", target, NULL, NULL);
    return PMS_OK;
}

/* Revoke every session of the staff member's login. 0, or -1. */
static int sessions_revoke(long long hotel_id, long long staff_id)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, staff_id);
    return db_exec(&st_tokens_revoke, &a) < 0 ? -1 : 0;
}

/* A departed (inactive) staff member loses face data and sessions at once. */
static int depart(long long hotel_id, long long staff_id, const struct pms_actor *actor,
                  struct pms_result *res)
{
    long long audit = face_store_revoke(hotel_id, staff_id, "staff departure", actor->staff_id,
                                        actor->who.client_ip, actor->who.user_agent);
    if (audit < 0)
        return PMS_DB;
    if (audit > 0) {
        res->face_data_revoked++;
        if (alert_after_revocation(hotel_id, staff_id, "staff departure") < 0)
            return PMS_DB;
    }
    return sessions_revoke(hotel_id, staff_id) < 0 ? PMS_DB : PMS_OK;
}

/* A JSON array built one element at a time into a printbuf (json-c's), so
 * that a 10 000-row section never sits in memory as objects twice:
 * set_open, set_add per element (o is put), set_close; the caller frees
 * the printbuf (printbuf_free) after the statement. */
static struct printbuf *set_open(void)
{
    struct printbuf *pb = printbuf_new();
    if (pb != NULL)
        printbuf_strappend(pb, "[");
    return pb;
}

static void set_add(struct printbuf *pb, struct json_object *o)
{
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    if (pb->bpos > 1)
        printbuf_strappend(pb, ",");
    printbuf_memappend(pb, s, (int)strlen(s));
    json_object_put(o);
}

static const char *set_close(struct printbuf *pb)
{
    printbuf_strappend(pb, "]");
    return pb->buf;
}

/* A staff row's values as st_staff and st_staff_set bind them. */
struct staff_row {
    long long id, department_id;
    const char *employee_code, *first_name, *last_name, *role;
    int active;
};

static void staff_row_of(struct json_object *row, struct staff_row *r)
{
    struct json_object *v;
    const char *role = opt_str(row, "role"), *last = opt_str(row, "last_name");
    r->id = opt_id(row, "id");
    r->department_id = opt_id(row, "department_id");
    r->employee_code = opt_str(row, "employee_code");
    r->first_name = opt_str(row, "first_name");
    r->last_name = last ? last : "";
    r->role = role ? role : "staff";
    r->active = !json_object_object_get_ex(row, "is_active", &v) || v == NULL || json_object_get_boolean(v);
}

/* What the staff upsert did to a row: created, or updated from the old
 * role and is_active, or neither (unchanged). */
struct staff_done {
    int created, updated, old_active;
    const char *old_role;
};

/* Everything after a staff row's own upsert, in document order: the audit
 * notes of its role and activity, its login, a departure, sessions revoked,
 * the counts. */
static int staff_after(struct json_object *row, size_t i, const struct staff_row *s,
                       const struct staff_done *d, const struct pms_actor *actor,
                       struct pms_result *res, struct json_object **audit, struct pms_error *e)
{
    int rc, user_changed = 0, role_changed = 0, pass_changed = 0;
    char target[32];

    snprintf(target, sizeof target, "staff:%lld", s->id);
    if (d->updated) {
        role_changed = strcmp(d->old_role, s->role) != 0;
        if (role_changed)
            action_note(audit, "staff.role_changed", target, one_str("role", d->old_role), one_str("role", s->role));
        if (d->old_active != s->active)
            action_note(audit, s->active ? "staff.reactivated" : "staff.deactivated", target, NULL, NULL);
    }
    if ((rc = sync_user(row, i, res->hotel_id, s->id, target, &user_changed, &pass_changed, audit, e)) != PMS_OK)
        return rc;
    if (!s->active && (rc = depart(res->hotel_id, s->id, actor, res)) != PMS_OK)
        return rc;
    /* a session was granted for the old password and role */
    if (s->active && (role_changed || pass_changed) && sessions_revoke(res->hotel_id, s->id) < 0)
        return PMS_DB;
    res->staff.created += d->created;
    res->staff.updated += d->updated || (!d->created && user_changed);
    res->staff.unchanged += !d->created && !d->updated && !user_changed;
    return PMS_OK;
}

/* Row by row: st_staff, then staff_after. What names the row the database
 * refuses. */
static int sync_staff_rows(struct json_object *arr, const struct pms_actor *actor,
                           struct pms_result *res, struct json_object **audit, struct pms_error *e)
{
    for (size_t i = 0; i < nrows(arr); i++) {
        struct json_object *row = json_object_array_get_idx(arr, i);
        struct staff_row s;
        struct staff_done d = {0, 0, 0, ""};
        char old_role[16] = "";
        struct db_args a;
        PGresult *r;
        int rc;

        staff_row_of(row, &s);
        db_args_init(&a);
        db_arg_int(&a, res->hotel_id);
        db_arg_int(&a, s.id);
        db_arg_str(&a, s.employee_code);
        db_arg_str(&a, s.first_name);
        db_arg_str(&a, s.last_name);
        db_arg_id(&a, s.department_id);
        db_arg_str(&a, s.role);
        db_arg_bool(&a, s.active);
        if ((r = db_run(&st_staff, &a)) == NULL)
            return row_failed("staff", i, e);
        if (PQntuples(r) == 1 && db_bool(r, 0, STAFF_CREATED)) {
            d.created = 1;
        } else if (PQntuples(r) == 1) {
            d.updated = 1;
            snprintf(old_role, sizeof old_role, "%s", PQgetvalue(r, 0, STAFF_OLD_ROLE));
            d.old_role = old_role;
            d.old_active = db_bool(r, 0, STAFF_OLD_ACTIVE);
        }
        PQclear(r);
        if ((rc = staff_after(row, i, &s, &d, actor, res, audit, e)) != PMS_OK)
            return rc;
    }
    return PMS_OK;
}

/* The rows' values as st_staff_set's $2 (set_open: the caller frees it). */
static struct printbuf *staff_set_json(struct json_object *arr)
{
    struct printbuf *pb = set_open();
    for (size_t i = 0; pb != NULL && i < nrows(arr); i++) {
        struct json_object *o = json_object_new_object();
        struct staff_row s;
        staff_row_of(json_object_array_get_idx(arr, i), &s);
        jx_add_int(o, "i", (long long)i);
        jx_add_int(o, "id", s.id);
        jx_add_str(o, "code", s.employee_code);
        jx_add_str(o, "first", s.first_name);
        jx_add_str(o, "last", s.last_name);
        json_object_object_add(o, "dept", s.department_id > 0 ? json_object_new_int64(s.department_id) : NULL);
        jx_add_str(o, "role", s.role);
        jx_add_bool(o, "active", s.active);
        set_add(pb, o);
    }
    return pb;
}

/* The whole section in one statement (st_staff_set), then staff_after row
 * by row with what it did. 1 when the set does not apply (an employee
 * code changes) or the database refused it (rolled back to before it):
 * the caller goes row by row, which names the row. */
static int sync_staff_set(struct json_object *arr, const struct pms_actor *actor,
                          struct pms_result *res, struct json_object **audit, struct pms_error *e)
{
    struct printbuf *set = staff_set_json(arr);
    struct db_args a;
    PGresult *r;
    int rc = PMS_OK, k = 0;

    /* Hash joins only: the planner takes a JSON set for 100 rows and a new
     * hotel's staff for one, and a nested loop over both when they hold
     * 10 000 each is quadratic (12 s seen); a hash join is linear whatever
     * the sizes. Undone by the rollback to the savepoint or the RESET. */
    if (set == NULL)
        return PMS_DB;
    if (db_simple("SAVEPOINT pms_staff_set; SET LOCAL enable_nestloop = off") < 0) {
        printbuf_free(set);
        return PMS_DB;
    }
    db_args_init(&a);
    db_arg_int(&a, res->hotel_id);
    db_arg_str(&a, set_close(set));
    if ((r = db_run(&st_staff_codes, &a)) == NULL) {
        printbuf_free(set);
        return db_down() || db_simple("ROLLBACK TO SAVEPOINT pms_staff_set") < 0 ? PMS_DB : 1;
    }
    int codes_change = db_ll(r, 0, 0) > 0;
    PQclear(r);
    r = codes_change ? NULL : db_run(&st_staff_set, &a);
    printbuf_free(set);
    if (r == NULL)
        return (!codes_change && db_down()) || db_simple("ROLLBACK TO SAVEPOINT pms_staff_set") < 0 ? PMS_DB : 1;
    if (db_simple("RESET enable_nestloop") < 0) {
        PQclear(r);
        return PMS_DB;
    }
    for (size_t i = 0; i < nrows(arr) && rc == PMS_OK; i++) {
        struct json_object *row = json_object_array_get_idx(arr, i);
        struct staff_row s;
        struct staff_done d = {0, 0, 0, ""};
        if (k < PQntuples(r) && db_ll(r, k, BATCH_ROW) == (long long)i) {
            d.created = db_bool(r, k, BATCH_CREATED);
            d.updated = !d.created;
            d.old_role = PQgetvalue(r, k, BATCH_OLD_ROLE);
            d.old_active = db_bool(r, k, BATCH_OLD_ACTIVE);
            k++;
        }
        staff_row_of(row, &s);
        rc = staff_after(row, i, &s, &d, actor, res, audit, e);
    }
    PQclear(r);
    return rc;
}

static int sync_staff(struct json_object *doc, const struct pms_actor *actor,
                      struct pms_result *res, struct json_object **audit, struct pms_error *e)
{
    struct json_object *arr = rows(doc, "staff");
    int rc;
    if (nrows(arr) == 0)
        return PMS_OK;
    rc = sync_staff_set(arr, actor, res, audit, e);
    return rc == 1 ? sync_staff_rows(arr, actor, res, audit, e) : rc;
}

/* Bind a row's values for its section's upsert (after hotel_id). */
typedef void (*bind_fn)(struct db_args *a, struct json_object *row);

static void bind_department(struct db_args *a, struct json_object *row)
{
    db_arg_int(a, opt_id(row, "id"));
    db_arg_str(a, opt_str(row, "name"));
}

static void bind_roster(struct db_args *a, struct json_object *row)
{
    db_arg_int(a, opt_id(row, "id"));
    db_arg_int(a, opt_id(row, "staff_id"));
    db_arg_str(a, opt_str(row, "date"));
    db_arg_str(a, opt_str(row, "start_time"));
    db_arg_str(a, opt_str(row, "end_time"));
    db_arg_str(a, opt_str(row, "location"));
    db_arg_id(a, opt_id(row, "department_id"));
}

static void bind_clock_log(struct db_args *a, struct json_object *row)
{
    db_arg_int(a, opt_id(row, "staff_id"));
    db_arg_str(a, opt_str(row, "time_in"));
    db_arg_str(a, opt_str(row, "time_out"));
    db_arg_id(a, opt_id(row, "roster_shift_id"));
}

/* Upsert every row of a section that needs nothing but its own values. */
static int sync_rows(struct json_object *doc, const char *section, struct db_stmt *st,
                     bind_fn bind, struct pms_result *res, struct counts *c,
                     struct pms_error *e)
{
    struct json_object *arr = rows(doc, section);
    for (size_t i = 0; i < nrows(arr); i++) {
        struct db_args a;
        db_args_init(&a);
        db_arg_int(&a, res->hotel_id);
        bind(&a, json_object_array_get_idx(arr, i));
        if (upsert(st, &a, c) < 0)
            return row_failed(section, i, e);
    }
    return PMS_OK;
}

/* Every row of a section in one statement (set: st_roster_set), with the
 * parameters bind gives each row as a JSON array of strings. 1 when the
 * database refused it (rolled back to before it): the caller goes row by
 * row (sync_rows), which names the row. */
static int sync_rows_set(struct json_object *doc, const char *section, struct db_stmt *set,
                         bind_fn bind, struct pms_result *res, struct counts *c)
{
    struct json_object *arr = rows(doc, section);
    struct printbuf *all = set_open();
    struct db_args a;
    PGresult *r;

    if (all == NULL)
        return PMS_DB;
    for (size_t i = 0; i < nrows(arr); i++) {
        struct json_object *one = json_object_new_array();
        db_args_init(&a);
        bind(&a, json_object_array_get_idx(arr, i));
        for (int k = 0; k < a.n; k++)
            json_object_array_add(one, a.v[k] ? json_object_new_string(a.v[k]) : NULL);
        set_add(all, one);
    }
    db_args_init(&a);
    db_arg_int(&a, res->hotel_id);
    db_arg_str(&a, set_close(all));
    if (db_simple("SAVEPOINT pms_rows_set") < 0) {
        printbuf_free(all);
        return PMS_DB;
    }
    r = db_run(set, &a);
    printbuf_free(all);
    if (r == NULL)
        return db_down() || db_simple("ROLLBACK TO SAVEPOINT pms_rows_set") < 0 ? PMS_DB : 1;
    for (int i = 0; i < PQntuples(r); i++) {
        if (db_bool(r, i, 0))
            c->created++;
        else
            c->updated++;
    }
    c->unchanged += (long)nrows(arr) - PQntuples(r);
    PQclear(r);
    return PMS_OK;
}

/* A section in one statement when it can be (sync_rows_set), else row by row. */
static int sync_section(struct json_object *doc, const char *section, struct db_stmt *st, struct db_stmt *set,
                        bind_fn bind, struct pms_result *res, struct counts *c, struct pms_error *e)
{
    int rc = nrows(rows(doc, section)) == 0 ? PMS_OK : sync_rows_set(doc, section, set, bind, res, c);
    return rc == 1 ? sync_rows(doc, section, st, bind, res, c, e) : rc;
}

/* Apply a validated document in one transaction (pms.h). */
int pms_apply(const char *slug, int may_create, struct json_object *doc,
              const struct pms_actor *actor, struct pms_result *res, struct pms_error *e)
{
    struct json_object *audit = NULL;
    int rc;
    memset(res, 0, sizeof *res);
    if (db_begin() < 0)
        return PMS_DB;
    if ((rc = sync_hotel(slug, may_create, doc, res, &audit, e)) != PMS_OK ||
        (rc = sync_rows(doc, "departments", &st_department, bind_department, res,
                        &res->departments, e)) != PMS_OK ||
        (rc = sync_settings(doc, actor, res, e)) != PMS_OK ||
        (rc = sync_staff(doc, actor, res, &audit, e)) != PMS_OK ||
        (rc = sync_section(doc, "roster", &st_roster, &st_roster_set, bind_roster, res, &res->roster,
                           e)) != PMS_OK ||
        (rc = sync_rows(doc, "clock_logs", &st_clock_log, bind_clock_log, res,
                        &res->clock_logs, e)) != PMS_OK) {
        json_object_put(audit);
        db_rollback();
        return rc;
    }
    /* last: the audit rows hold the hotel's chain lock until the commit */
    action_note(&audit, "pms.synced", NULL, NULL, pms_result_json(slug, res));
    rc = action_audit_append(&actor->who, res->hotel_id, audit);
    json_object_put(audit);
    if (rc < 0) {
        db_rollback();
        return PMS_DB;
    }
    return db_commit() < 0 ? PMS_DB : PMS_OK;
}

static struct json_object *counts_json(const struct counts *c)
{
    struct json_object *o = json_object_new_object();
    jx_add_int(o, "created", c->created);
    jx_add_int(o, "updated", c->updated);
    jx_add_int(o, "unchanged", c->unchanged);
    return o;
}

struct json_object *pms_result_json(const char *slug, const struct pms_result *r)
{
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "hotel", slug);
    jx_add_bool(o, "hotel_created", r->hotel_created);
    json_object_object_add(o, "departments", counts_json(&r->departments));
    json_object_object_add(o, "staff", counts_json(&r->staff));
    json_object_object_add(o, "roster", counts_json(&r->roster));
    json_object_object_add(o, "clock_logs", counts_json(&r->clock_logs));
    jx_add_bool(o, "settings_updated", r->settings_updated);
    jx_add_int(o, "face_data_revoked", r->face_data_revoked);
    return o;
}
