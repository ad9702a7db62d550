/* push_store.c — owns the statements and the transaction of a push
 * (push_store.h): the person and their face data held, the targets as
 * the database describes them, the profiles recorded with their `push`
 * changes and the enrollment status. What each target's result is and
 * the status a push ends with are sync_rules.c's decisions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "acl_rules.h"
#include "attendance/action_audit_store.h"
#include "db.h"
#include "attendance/face_store.h"
#include "jsonx.h"
#include "device_store.h"
#include "push_store.h"
#include "sync_rules.h"

/* Columns of a target, in enum target_col order: the device_id asked for
 * (or found), devices.id (NULL: no such device), its capability, and what
 * device_status() (device_rules.c, the rule of the device list) needs:
 * provisioned, age of the last heartbeat in seconds (NULL: never); then
 * its ACL tier. */
#define TARGET_COLS(name) \
    name ", d.id, d.capability = 'face_recognition', d.provisioned_at IS NOT NULL, " DEVICE_HEARTBEAT_AGE \
    ", d.tier"
enum target_col { TC_NAME, TC_PK, TC_FACE, TC_PROVISIONED, TC_HEARTBEAT_AGE, TC_TIER };

/* The person by employee code, then their face data, each row held (FOR
 * SHARE) until the push commits. The order is that of registration and
 * revocation (face_store.c: staff, then face_data, then the hotel's versions
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

/* The hotel's active person with that employee code and face data, both
 * held. The staff id, 0 when there is none, -1 on a database failure. */
static long long person_hold(long long hotel_id, const char *employee_code)
{
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, employee_code);
    if ((r = db_run(&st_person, &a)) == NULL)
        return -1;
    long long staff_id = PQntuples(r) == 1 ? db_ll(r, 0, 0) : 0;
    PQclear(r);
    if (staff_id == 0)
        return 0;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, staff_id);
    if ((r = db_run(&st_face, &a)) == NULL)
        return -1;
    if (PQntuples(r) == 0)
        staff_id = 0;
    PQclear(r);
    return staff_id;
}

/* The device ids of list as a JSON array text without repeats (first
 * occurrence kept), a pool string. */
static const char *selected_text(struct pool *pool, struct json_object *list)
{
    struct json_object *uniq = json_object_new_array();
    size_t n = json_object_array_length(list);

    for (size_t i = 0; i < n; i++) {
        struct json_object *v = json_object_array_get_idx(list, i);
        const char *s = json_object_get_string(v);
        size_t j, m = json_object_array_length(uniq);
        for (j = 0; j < m; j++)
            if (strcmp(json_object_get_string(json_object_array_get_idx(uniq, j)), s) == 0)
                break;
        if (j == m)
            json_object_array_add(uniq, json_object_get(v));
    }
    const char *text = pool_strdup(pool, json_object_to_json_string_ext(uniq, JSON_C_TO_STRING_PLAIN));
    json_object_put(uniq);
    return text;
}

/* The targets of the push as the database describes them: a result the
 * caller PQclear()s, or NULL (db failure). */
static PGresult *find_targets(struct pool *pool, long long hotel_id, const struct push_order *p)
{
    struct db_args a;

    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    if (p->mode == PUSH_SELECTED)
        db_arg_str(&a, selected_text(pool, p->devices));
    else if (p->mode == PUSH_LOCATION)
        db_arg_str(&a, p->location);
    return db_run(p->mode == PUSH_SELECTED ? &st_selected : p->mode == PUSH_ALL ? &st_all : &st_location, &a);
}

/* Each target's result from the rows of find_targets(), into out: "all"
 * means every online device, the others are each judged; "all" and
 * "location" leave out the devices whose ACL tier holds no profiles
 * (displays, gateways), a selected one is told so. */
static void judge_targets(struct pool *pool, const PGresult *r, enum push_mode mode, struct push_outcome *out)
{
    int rows = PQntuples(r), n = 0;

    out->results = pool_alloc(pool, sizeof *out->results * (size_t)(rows > 0 ? rows : 1));
    out->failed = 0;
    for (int i = 0; i < rows; i++) {
        struct push_target pt = {!PQgetisnull(r, i, TC_PK), db_bool(r, i, TC_FACE),
                                 device_status(db_bool(r, i, TC_PROVISIONED),
                                               !PQgetisnull(r, i, TC_HEARTBEAT_AGE),
                                               db_double(r, i, TC_HEARTBEAT_AGE)),
                                 acl_route_allows(device_tier_parse(db_str(r, i, TC_TIER)), "sync")};
        if (mode == PUSH_ALL && pt.status != DEVICE_ONLINE)
            continue;
        if (mode != PUSH_SELECTED && !pt.holds_profiles)
            continue;
        out->results[n].device_id = pool_strdup(pool, PQgetvalue(r, i, TC_NAME));
        out->results[n].error = push_target_error(&pt);
        out->results[n].device_pk = db_ll(r, i, TC_PK);
        out->failed += out->results[n].error != NULL;
        n++;
    }
    out->targeted = n;
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
static int record(struct pool *pool, long long hotel_id, long long staff_id, struct push_outcome *out)
{
    struct db_args a;
    PGresult *r;
    struct push_result *t = out->results;
    int n = out->targeted;
    size_t size = (size_t)n * 21 + 3, used = 1;
    char *text = pool_alloc(pool, size);

    text[0] = '[';
    for (int i = 0; i < n && used < size; i++)
        if (t[i].error == NULL)
            used += (size_t)snprintf(text + used, size - used, "%s%lld", used == 1 ? "" : ",", t[i].device_pk);
    if (used < size)
        snprintf(text + used, size - used, "]");
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, staff_id);
    db_arg_str(&a, text);
    if ((r = db_run(&st_push, &a)) == NULL)
        return -1;
    int k = PQntuples(r);
    struct pushed *v = pool_alloc(pool, sizeof *v * (size_t)(k > 0 ? k : 1));
    for (int j = 0; j < k; j++) {
        v[j].pk = db_ll(r, j, 0);
        v[j].version = db_ll(r, j, 1);
    }
    PQclear(r);
    qsort(v, (size_t)k, sizeof *v, pushed_cmp);
    for (int i = 0; i < n; i++) {
        struct pushed key = {t[i].device_pk, 0}, *hit;
        if (t[i].error == NULL && (hit = bsearch(&key, v, (size_t)k, sizeof *v, pushed_cmp)) != NULL)
            t[i].version = hit->version;
    }
    return 0;
}

/* The push's audit row: whose profile, to how many devices, with what result. */
static int audit_push(const struct actor *who, long long hotel_id, long long staff_id,
                      const struct push_outcome *out)
{
    struct json_object *v = json_object_new_object();
    char target[32];

    snprintf(target, sizeof target, "staff:%lld", staff_id);
    jx_add_int(v, "targeted", out->targeted);
    jx_add_int(v, "failed", out->failed);
    jx_add_str(v, "status", out->status);
    return action_audit_one(who, hotel_id, "enrollment.pushed", target, NULL, v);
}

int push_profile(struct pool *pool, long long hotel_id, const struct push_order *p, const struct actor *who,
                 struct push_outcome *out)
{
    struct db_args a;
    PGresult *r;
    long long staff_id;

    if (face_tx_begin(hotel_id) < 0)
        return -1;
    if ((staff_id = person_hold(hotel_id, p->employee_code)) <= 0) {
        db_rollback();
        return staff_id < 0 ? -1 : 0;
    }
    if ((r = find_targets(pool, hotel_id, p)) == NULL)
        goto fail;
    judge_targets(pool, r, p->mode, out);
    PQclear(r);
    if (out->failed < out->targeted && record(pool, hotel_id, staff_id, out) < 0)
        goto fail;
    out->status = push_new_status(out->targeted, out->failed);
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, staff_id);
    db_arg_str(&a, out->status);
    if (db_exec(&st_enrollment, &a) < 0 || audit_push(who, hotel_id, staff_id, out) < 0 || db_commit() < 0)
        goto fail;
    return 1;
fail:
    db_rollback();
    return -1;
}
