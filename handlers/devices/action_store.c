/* action_store.c — owns device_actions (action_store.h): the queue, the
 * delivery with a heartbeat (at least once: until acknowledged), the
 * acknowledgement with its result — and the fault of a device whose
 * actions keep failing (lifecycle_rules.h LC_FAILED_ACTIONS) —, and the
 * device's list (a listing, app/list_store.h). */
#include <stdio.h>
#include <string.h>
#include "action_store.h"
#include "attendance/action_audit_store.h"
#include "db.h"
#include "jsonx.h"
#include "lifecycle_rules.h"

#define ACTION_COLS \
    "a.id, d.device_id, a.action, a.status, fc_ts(a.created_at), fc_ts(a.delivered_at), fc_ts(a.acknowledged_at), " \
    "a.result, a.error"
enum { C_ID, C_DEVICE, C_ACTION, C_STATUS, C_CREATED, C_DELIVERED, C_ACKED, C_RESULT, C_ERROR, C_TOTAL };

static const struct db_json_col action_cols[] = {
    {"id", C_ID, DBJ_INT},
    {"device_id", C_DEVICE, DBJ_STR},
    {"action", C_ACTION, DBJ_STR},
    {"status", C_STATUS, DBJ_STR},
    {"created_at", C_CREATED, DBJ_STR},
    {"delivered_at", C_DELIVERED, DBJ_STR},
    {"acknowledged_at", C_ACKED, DBJ_STR},
    {"result", C_RESULT, DBJ_STR},
    {"error", C_ERROR, DBJ_STR},
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

/* the row before (the last column: whether it was acknowledged already),
 * then the change: the first acknowledgement's result ($4) and error ($5)
 * are kept */
static struct db_stmt st_ack = {
    "actions_ack",
    "WITH old AS (SELECT id, status FROM device_actions WHERE id = $2 AND device_pk = $1 AND hotel_id = $3 "
    "  FOR UPDATE), "
    "a AS (UPDATE device_actions x SET status = 'acknowledged', acknowledged_at = coalesce(x.acknowledged_at, now()), "
    "  result = coalesce(x.result, $4), error = CASE WHEN x.result IS NULL THEN $5 ELSE x.error END "
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

/* the device's latest acknowledged actions, newest first: whether each failed */
static struct db_stmt st_recent = {
    "actions_recent",
    "SELECT result = 'failed' FROM device_actions WHERE device_pk = $1 AND status = 'acknowledged' "
    "ORDER BY acknowledged_at DESC, id DESC LIMIT $2",
    0,
};

/* in fault by its actions ($2 the message), or ($2 NULL) out of such a
 * fault; the lifecycle before and after, when it changed */
static struct db_stmt st_actions_fault = {
    "devices_actions_fault",
    "WITH old AS (SELECT id, lifecycle FROM devices WHERE id = $1 FOR UPDATE) "
    "UPDATE devices d SET lifecycle = CASE WHEN $2::text IS NULL THEN 'ACTIVE' ELSE 'ERROR' END, "
    "error_message = $2, error_source = CASE WHEN $2::text IS NOT NULL THEN 'actions' END, "
    "error_reported_at = CASE WHEN $2::text IS NOT NULL THEN coalesce(d.error_reported_at, now()) END "
    "FROM old WHERE d.id = old.id AND CASE WHEN $2::text IS NULL THEN d.error_source = 'actions' "
    "  ELSE d.lifecycle IN ('PROVISIONED', 'ACTIVE', 'ERROR') END "
    "RETURNING old.lifecycle, d.lifecycle",
    0,
};

/* Inside the acknowledgement's transaction: after a failed action, the
 * device in ERROR when its last LC_FAILED_ACTIONS failed; after one done,
 * out of an ERROR its actions caused. Audited (device.fault,
 * device.error_cleared) when its lifecycle moves. 0 or -1. */
static int judge_actions(long long device_pk, long long hotel_id, const char *target, int failed,
                         const char *error, const struct actor *who)
{
    struct db_args a;
    PGresult *r;
    char msg[600];
    const char *fault = NULL;

    if (failed) {
        int last[LC_FAILED_ACTIONS], n;
        db_args_init(&a);
        db_arg_int(&a, device_pk);
        db_arg_int(&a, LC_FAILED_ACTIONS);
        if ((r = db_run(&st_recent, &a)) == NULL)
            return -1;
        n = PQntuples(r);
        for (int i = 0; i < n; i++)
            last[i] = db_bool(r, i, 0);
        PQclear(r);
        if (!lifecycle_actions_fault(last, n))
            return 0;
        snprintf(msg, sizeof msg, "%d actions failed in a row; the last: %s", LC_FAILED_ACTIONS,
                 error != NULL ? error : "no error given");
        fault = msg;
    }
    db_args_init(&a);
    db_arg_int(&a, device_pk);
    db_arg_str(&a, fault);
    if ((r = db_run(&st_actions_fault, &a)) == NULL)
        return -1;
    int rc = 0;
    if (PQntuples(r) == 1 && strcmp(db_str(r, 0, 0), db_str(r, 0, 1)) != 0) {
        struct json_object *before = json_object_new_object(), *after = json_object_new_object();
        jx_add_str(before, "lifecycle", db_str(r, 0, 0));
        jx_add_str(after, "lifecycle", db_str(r, 0, 1));
        if (fault != NULL)
            jx_add_str(after, "error_message", fault);
        rc = action_audit_one(who, hotel_id, fault != NULL ? "device.fault" : "device.error_cleared", target, before,
                              after);
    }
    PQclear(r);
    return rc;
}

int action_ack(long long device_pk, long long hotel_id, const char *device_id, long long id, int failed,
               const char *error, const struct actor *who, struct json_object **out)
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
    db_arg_str(&a, failed ? "failed" : "done");
    db_arg_str(&a, failed ? error : NULL);
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
    if ((!again && (judge_actions(device_pk, hotel_id, target, failed, error, who) < 0 ||
                    action_audit_one(who, hotel_id, "device.action_acknowledged", target, NULL,
                                     json_object_get(*out)) < 0)) || db_commit() < 0) {
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
