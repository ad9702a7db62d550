/* action_store.c — owns device_actions (action_store.h): the queue, the
 * delivery with a heartbeat (at least once: until acknowledged), the
 * acknowledgement, and the device's list (a listing, app/list_store.h). */
#include <stdio.h>
#include "action_store.h"
#include "attendance/action_audit_store.h"
#include "db.h"
#include "jsonx.h"

#define ACTION_COLS \
    "a.id, d.device_id, a.action, a.status, fc_ts(a.created_at), fc_ts(a.delivered_at), fc_ts(a.acknowledged_at)"
enum { C_ID, C_DEVICE, C_ACTION, C_STATUS, C_CREATED, C_DELIVERED, C_ACKED, C_TOTAL };

static const struct db_json_col action_cols[] = {
    {"id", C_ID, DBJ_INT},
    {"device_id", C_DEVICE, DBJ_STR},
    {"action", C_ACTION, DBJ_STR},
    {"status", C_STATUS, DBJ_STR},
    {"created_at", C_CREATED, DBJ_STR},
    {"delivered_at", C_DELIVERED, DBJ_STR},
    {"acknowledged_at", C_ACKED, DBJ_STR},
    {NULL, 0, 0},
};

static struct db_stmt st_queue = {
    "actions_queue",
    "WITH a AS (INSERT INTO device_actions (device_pk, hotel_id, action) "
    "  SELECT d.id, d.hotel_id, $3 FROM devices d "
    "  WHERE d.hotel_id = $1 AND d.device_id = $2 AND d.deactivated_at IS NULL RETURNING *) "
    "SELECT " ACTION_COLS " FROM a JOIN devices d ON d.id = a.device_pk",
    0,
};

static struct db_stmt st_deliver = {
    "actions_deliver",
    "WITH u AS (UPDATE device_actions SET status = CASE WHEN status = 'queued' THEN 'delivered' ELSE status END, "
    "delivered_at = coalesce(delivered_at, now()) "
    "WHERE device_pk = $1 AND status <> 'acknowledged' RETURNING id, action) SELECT id, action FROM u ORDER BY id",
    0,
};

/* the row before ($4: whether it was acknowledged already), then the change */
static struct db_stmt st_ack = {
    "actions_ack",
    "WITH old AS (SELECT id, status FROM device_actions WHERE id = $2 AND device_pk = $1 AND hotel_id = $3 "
    "  FOR UPDATE), "
    "a AS (UPDATE device_actions x SET status = 'acknowledged', acknowledged_at = coalesce(x.acknowledged_at, now()) "
    "  FROM old WHERE x.id = old.id RETURNING x.*) "
    "SELECT " ACTION_COLS ", old.status = 'acknowledged' FROM a JOIN devices d ON d.id = a.device_pk "
    "JOIN old ON old.id = a.id",
    0,
};

/* $1 hotel, $2 device_id, $3 limit, $4 offset */
static struct db_stmt st_list = {
    "actions_list",
    "SELECT p.*, c.total FROM (SELECT count(*) AS total FROM device_actions a JOIN devices d ON d.id = a.device_pk "
    "WHERE a.hotel_id = $1 AND d.device_id = $2 AND d.deactivated_at IS NULL) c LEFT JOIN LATERAL ("
    "SELECT " ACTION_COLS " FROM device_actions a JOIN devices d ON d.id = a.device_pk "
    "WHERE a.hotel_id = $1 AND d.device_id = $2 AND d.deactivated_at IS NULL "
    "ORDER BY a.id DESC LIMIT $3 OFFSET $4) p ON true",
    0,
};

static struct json_object *action_json(const PGresult *r)
{
    return db_row_object(action_cols, r, 0);
}

/* the audit's view of an action */
static void audit_target(char *target, size_t size, const char *device_id)
{
    snprintf(target, size, "device:%s", device_id);
}

int action_queue(long long hotel_id, const char *device_id, const char *action, const struct actor *who,
                 struct json_object **out)
{
    struct db_args a;
    PGresult *r = NULL;
    char target[96];

    if (db_begin() < 0)
        return -1;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, device_id);
    db_arg_str(&a, action);
    if ((r = db_run(&st_queue, &a)) == NULL)
        goto fail;
    if (PQntuples(r) != 1) {
        PQclear(r);
        db_rollback();
        return 0;
    }
    *out = action_json(r);
    PQclear(r);
    audit_target(target, sizeof target, device_id);
    if (action_audit_one(who, hotel_id, "device.action_queued", target, NULL, json_object_get(*out)) < 0 ||
        db_commit() < 0) {
        json_object_put(*out);
        *out = NULL;
        goto fail;
    }
    return 1;
fail:
    db_rollback();
    return -1;
}

int action_deliver(long long device_pk, struct json_object **pending)
{
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, device_pk);
    if ((r = db_run(&st_deliver, &a)) == NULL)
        return -1;
    *pending = json_object_new_array();
    for (int i = 0; i < PQntuples(r); i++) {
        struct json_object *o = json_object_new_object();
        jx_add_int(o, "id", db_ll(r, i, 0));
        jx_add_str(o, "action", PQgetvalue(r, i, 1));
        json_object_array_add(*pending, o);
    }
    PQclear(r);
    return 0;
}

int action_ack(long long device_pk, long long hotel_id, const char *device_id, long long id, const struct actor *who,
               struct json_object **out)
{
    struct db_args a;
    PGresult *r = NULL;
    char target[96];

    if (db_begin() < 0)
        return -1;
    db_args_init(&a);
    db_arg_int(&a, device_pk);
    db_arg_int(&a, id);
    db_arg_int(&a, hotel_id);
    if ((r = db_run(&st_ack, &a)) == NULL)
        goto fail;
    if (PQntuples(r) != 1) {
        PQclear(r);
        db_rollback();
        return 0;
    }
    int again = db_bool(r, 0, C_TOTAL);
    *out = action_json(r);
    PQclear(r);
    audit_target(target, sizeof target, device_id);
    if ((!again && action_audit_one(who, hotel_id, "device.action_acknowledged", target, NULL,
                                    json_object_get(*out)) < 0) || db_commit() < 0) {
        json_object_put(*out);
        *out = NULL;
        goto fail;
    }
    return 1;
fail:
    db_rollback();
    return -1;
}

/* $2 of the listing */
static void filter_args(struct db_args *a, const void *filter)
{
    db_arg_str(a, filter);
}

const struct listing action_list = {
    .page = &st_list, .total_col = C_TOTAL, .id_col = C_ID, .bind = filter_args, .cols = action_cols,
};
