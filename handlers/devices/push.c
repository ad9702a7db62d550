/* push.c — POST /api/iot/enrollments/push (docs/iot.md, "Push and sync"):
 * which devices a person's face profile goes to (push modes selected, all,
 * location), each target's result, and in one transaction what every
 * device that took it should now hold (device_profiles, with a `push`
 * change in the hotel's change log) and the person's enrollment status.
 * A push never contacts a device: devices fetch it with the next sync. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db.h"
#include "attendance/face_store.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "response.h"
#include "sync_rules.h"
#include "validate.h"

#define PUSH_MAX_TARGETS 1000

/* Columns of a target, in enum target_col order: the device_id asked for
 * (or found), devices.id (NULL: no such device), its capability, and what
 * device_status() (device_rules.c, the rule of the device list) needs:
 * provisioned, age of the last heartbeat in seconds (NULL: never). */
#define TARGET_COLS(name) \
    name ", d.id, d.capability = 'face_recognition', d.provisioned_at IS NOT NULL, " \
    "extract(epoch FROM now() - d.last_heartbeat_at)::float8"
enum target_col { TC_NAME, TC_PK, TC_FACE, TC_PROVISIONED, TC_HEARTBEAT_AGE };

/* The person by employee code, then their face data, each row held (FOR
 * SHARE) until the push commits. The order is that of registration and
 * revocation (face.c: staff, then face_data, then the hotel's versions
 * from its triggers), so the two queue rather than deadlock: a revocation
 * running at the same time waits, and its trigger then removes what this
 * push adds; when it went first, this finds no face data. Holding
 * face_data also stops `faceclock purge`, which deletes it without
 * touching staff. */
static struct db_stmt st_person = {
    "push_person",
    "SELECT id FROM staff WHERE hotel_id = $1 AND employee_code = $2 AND is_active FOR SHARE", 0,
};
static struct db_stmt st_face = {
    "push_face",
    "SELECT 1 FROM face_data WHERE hotel_id = $1 AND staff_id = $2 FOR SHARE", 0,
};
/* $2: JSON array of device_ids, answered in its order, unknown ones too */
static struct db_stmt st_selected = {
    "push_targets_selected",
    "SELECT " TARGET_COLS("t.device_id") " "
    "FROM jsonb_array_elements_text($2::jsonb) WITH ORDINALITY AS t (device_id, ord) "
    "LEFT JOIN devices d ON d.hotel_id = $1 AND d.device_id = t.device_id AND d.deactivated_at IS NULL "
    "ORDER BY t.ord",
    0,
};
/* every face recognition device; the online ones are the targets */
static struct db_stmt st_all = {
    "push_targets_all",
    "SELECT " TARGET_COLS("d.device_id") " FROM devices d "
    "WHERE d.hotel_id = $1 AND d.deactivated_at IS NULL AND d.capability = 'face_recognition' "
    "ORDER BY d.device_id",
    0,
};
static struct db_stmt st_location = {
    "push_targets_location",
    "SELECT " TARGET_COLS("d.device_id") " FROM devices d "
    "WHERE d.hotel_id = $1 AND d.deactivated_at IS NULL AND d.capability = 'face_recognition' "
    "AND d.location_label = $2 ORDER BY d.device_id",
    0,
};
/* $3: JSON array of devices.id that take the profile; one `push` change
 * each, in that order, and the profile recorded at that version */
static struct db_stmt st_push = {
    "push_profiles",
    "INSERT INTO device_profiles AS p (device_pk, hotel_id, staff_id, version) "
    "SELECT t.pk, $1, $2, fc_face_change($1, 'push', $2, t.pk) FROM ("
    "  SELECT value::bigint AS pk FROM jsonb_array_elements_text($3::jsonb) WITH ORDINALITY "
    "  AS e (value, ord) ORDER BY ord) t "
    "ON CONFLICT (device_pk, staff_id) DO UPDATE SET version = EXCLUDED.version "
    "RETURNING p.device_pk, p.version",
    0,
};
/* the status on the enrollment row; a face registered at a kiosk has none
 * yet: it gets one without thumbnail or captures */
static struct db_stmt st_enrollment = {
    "push_enrollment",
    "INSERT INTO enrollments (hotel_id, staff_id, status, thumbnail, image_count, enrolled_at) "
    "SELECT f.hotel_id, f.staff_id, $3, NULL, 0, f.registered_at FROM face_data f "
    "WHERE f.hotel_id = $1 AND f.staff_id = $2 "
    "ON CONFLICT (hotel_id, staff_id) DO UPDATE SET status = EXCLUDED.status",
    0,
};

enum push_mode { MODE_SELECTED, MODE_ALL, MODE_LOCATION };

struct target {
    const char *device_id;
    long long pk;
    const char *error;        /* NULL: takes the profile */
    long long version;        /* of its push change */
};

/* The declared push_mode (default "selected"). */
static enum push_mode mode_of(const char *s)
{
    if (s == NULL || strcmp(s, "selected") == 0)
        return MODE_SELECTED;
    return strcmp(s, "all") == 0 ? MODE_ALL : MODE_LOCATION;
}

/* target_devices as a JSON array text without repeats (first occurrence
 * kept), a pool string; or answers 400 and returns NULL. */
static const char *selected_or_reply(struct request *req, struct json_object *list)
{
    struct json_object *uniq;
    const char *text;

    if (list == NULL) {
        resp_invalid(req, "target_devices", "target_devices must be an array of device ids.");
        return NULL;
    }
    size_t n = json_object_array_length(list);
    if (n == 0 || n > PUSH_MAX_TARGETS) {
        resp_invalid(req, "target_devices", "target_devices must name 1 to %d devices.", PUSH_MAX_TARGETS);
        return NULL;
    }
    uniq = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        struct json_object *v = json_object_array_get_idx(list, i);
        const char *s = json_object_get_string(v);
        if (!json_object_is_type(v, json_type_string) ||
            (size_t)json_object_get_string_len(v) != strlen(s) || *s == '\0' || !valid_text(s, 200)) {
            json_object_put(uniq);
            resp_invalid(req, "target_devices", "target_devices[%zu] must be a device id.", i);
            return NULL;
        }
        size_t j, m = json_object_array_length(uniq);
        for (j = 0; j < m; j++)
            if (strcmp(json_object_get_string(json_object_array_get_idx(uniq, j)), s) == 0)
                break;
        if (j == m)
            json_object_array_add(uniq, json_object_get(v));
    }
    text = pool_strdup(req->pool, json_object_to_json_string_ext(uniq, JSON_C_TO_STRING_PLAIN));
    json_object_put(uniq);
    return text;
}

/* The targets of the push as the database describes them: a result the
 * caller PQclear()s, or NULL (db failure). */
static PGresult *find_targets(struct request *req, enum push_mode mode, const char *arg)
{
    struct db_args a;

    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    if (mode != MODE_ALL)
        db_arg_str(&a, arg);
    return db_run(mode == MODE_SELECTED ? &st_selected : mode == MODE_ALL ? &st_all : &st_location, &a);
}

/* a device that took the profile, and the version of its push change */
struct pushed {
    long long pk, version;
};

static int pushed_cmp(const void *a, const void *b)
{
    long long x = ((const struct pushed *)a)->pk, y = ((const struct pushed *)b)->pk;
    return (x > y) - (x < y);
}

/* Record the profile on every target without an error; fills their
 * versions. 0 or -1 (db failure). */
static int record(struct request *req, long long staff_id, struct target *t, int n)
{
    struct db_args a;
    PGresult *r;
    size_t size = (size_t)n * 21 + 3, used = 1;
    char *pks = pool_alloc(req->pool, size);

    pks[0] = '[';
    for (int i = 0; i < n && used < size; i++)
        if (t[i].error == NULL)
            used += (size_t)snprintf(pks + used, size - used, "%s%lld", used == 1 ? "" : ",", t[i].pk);
    if (used < size)
        snprintf(pks + used, size - used, "]");
    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    db_arg_int(&a, staff_id);
    db_arg_str(&a, pks);
    if ((r = db_run(&st_push, &a)) == NULL)
        return -1;
    int k = PQntuples(r);
    struct pushed *v = pool_alloc(req->pool, sizeof *v * (size_t)(k > 0 ? k : 1));
    for (int j = 0; j < k; j++) {
        v[j].pk = db_ll(r, j, 0);
        v[j].version = db_ll(r, j, 1);
    }
    PQclear(r);
    qsort(v, (size_t)k, sizeof *v, pushed_cmp);
    for (int i = 0; i < n; i++) {
        struct pushed key = {t[i].pk, 0}, *hit;
        if (t[i].error == NULL && (hit = bsearch(&key, v, (size_t)k, sizeof *v, pushed_cmp)) != NULL)
            t[i].version = hit->version;
    }
    return 0;
}

static struct json_object *result_json(const struct target *t)
{
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "device_id", t->device_id);
    jx_add_bool(o, "success", t->error == NULL);
    if (t->error == NULL)
        jx_add_int(o, "sync_version", t->version);
    else
        jx_add_str(o, "error", t->error);
    return o;
}

void h_push(struct request *req)
{
    const char *employee = arg_str(req, "employee_id"), *arg = NULL;
    enum push_mode mode = mode_of(arg_str(req, "push_mode"));
    struct db_args a;
    PGresult *r;

    if (mode == MODE_SELECTED && (arg = selected_or_reply(req, arg_json(req, "target_devices"))) == NULL)
        return;
    if (mode == MODE_LOCATION && (arg = arg_str(req, "location_label")) == NULL) {
        resp_invalid(req, "location_label", "location_label is required with push_mode location.");
        return;
    }

    if (face_tx_begin(req->tenant.id) < 0)
        goto db_fail;
    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    db_arg_str(&a, employee);
    if ((r = db_run(&st_person, &a)) == NULL)
        goto db_fail;
    long long staff_id = PQntuples(r) == 1 ? db_ll(r, 0, 0) : 0;
    PQclear(r);
    if (staff_id != 0) {
        db_args_init(&a);
        db_arg_int(&a, req->tenant.id);
        db_arg_int(&a, staff_id);
        if ((r = db_run(&st_face, &a)) == NULL)
            goto db_fail;
        if (PQntuples(r) == 0)
            staff_id = 0;
        PQclear(r);
    }
    if (staff_id == 0) {
        db_rollback();
        resp_error(req, 404, "NOT_FOUND", "No employee %s with face data in this hotel.", employee);
        return;
    }

    if ((r = find_targets(req, mode, arg)) == NULL)
        goto db_fail;
    int rows = PQntuples(r), n = 0, failed = 0;
    struct target *t = pool_alloc(req->pool, sizeof *t * (size_t)(rows > 0 ? rows : 1));
    for (int i = 0; i < rows; i++) {
        struct push_target pt = {!PQgetisnull(r, i, TC_PK), db_bool(r, i, TC_FACE),
                                 device_status(db_bool(r, i, TC_PROVISIONED),
                                               !PQgetisnull(r, i, TC_HEARTBEAT_AGE),
                                               db_double(r, i, TC_HEARTBEAT_AGE))};
        if (mode == MODE_ALL && pt.status != DEVICE_ONLINE)
            continue;           /* "all" means every online device */
        t[n].device_id = pool_strdup(req->pool, PQgetvalue(r, i, TC_NAME));
        t[n].pk = db_ll(r, i, TC_PK);
        t[n].error = push_target_error(&pt);
        failed += t[n].error != NULL;
        n++;
    }
    PQclear(r);
    if (failed < n && record(req, staff_id, t, n) < 0)
        goto db_fail;
    const char *status = push_new_status(n, failed);
    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    db_arg_int(&a, staff_id);
    db_arg_str(&a, status);
    if (db_exec(&st_enrollment, &a) < 0 || db_commit() < 0)
        goto db_fail;

    char message[64];
    struct json_object *o = json_object_new_object(), *d = json_object_new_object();
    struct json_object *results = json_object_new_array();
    push_message(n, failed, message, sizeof message);
    for (int i = 0; i < n; i++)
        json_object_array_add(results, result_json(&t[i]));
    jx_add_bool(o, "success", n > 0 && failed == 0);
    jx_add_str(o, "message", message);
    jx_add_str(d, "employee_id", employee);
    jx_add_int(d, "devices_targeted", n);
    jx_add_int(d, "devices_updated", n - failed);
    jx_add_int(d, "devices_failed", failed);
    jx_add_str(d, "new_status", status);
    json_object_object_add(d, "results", results);
    json_object_object_add(o, "data", d);
    resp_json(req, 200, o);
    return;
db_fail:
    db_fail_reply(req);
    db_rollback();
}
