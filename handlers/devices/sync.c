/* sync.c — GET /api/iot/enrollments/sync (docs/iot.md, "Push and sync"):
 * what an edge device must add and remove to hold what it should, from the
 * hotel's change log (face_changes) after since_version, or everything it
 * holds for since_version=0. The answer is streamed: the JSON head, each
 * addition as its row arrives (libpq single-row mode, db_each_row), then
 * the tail, so a device holding 10 000 profiles never has them all in the
 * worker's memory. sync_rules.c decides the kind of answer, the versions
 * and when the device row is written.
 *
 * The version reported is read before the rows, so the rows may come from
 * a later snapshot than the version says: they then repeat a change the
 * next sync delivers again (an addition replaces, a removal of what is not
 * held is a no-op), and never miss one. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "b64_rules.h"
#include "db.h"
#include "attendance/face_store.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "log.h"
#include "response.h"
#include "sync_rules.h"
#include "validate.h"

/* The device's model, the hotel's version and kept history, now, how many
 * profiles the device holds (counted only when the version moved since
 * its last sync: sql/004_device_sync_total.sql), and what its row holds. */
static struct db_stmt st_state = {
    "sync_state",
    "SELECT d.model, h.sync_version, h.sync_floor, fc_ts(now()), "
    "CASE WHEN d.sync_version = h.sync_version AND d.sync_total IS NOT NULL THEN d.sync_total "
    "ELSE (SELECT count(*) FROM device_profiles p WHERE p.device_pk = d.id) END, "
    "d.sync_version, d.last_heartbeat_at IS NOT NULL, "
    "coalesce(extract(epoch FROM now() - d.last_heartbeat_at), 0)::float8 "
    "FROM devices d JOIN hotels h ON h.id = d.hotel_id "
    "WHERE d.id = $1 AND d.hotel_id = $2 AND d.deactivated_at IS NULL",
    0,
};
enum state_col { SC_MODEL, SC_CURRENT, SC_FLOOR, SC_NOW, SC_TOTAL, SC_STORED, SC_HAS_HB, SC_HB_AGE };

/* Rows of both queries, in enum row_col order: 'a' for an addition, 'r'
 * for a removal (employee code only). */
#define ADDITION_COLS \
    "'a', s.id, s.employee_code, f.descriptor_enc, s.first_name, s.last_name, " \
    "coalesce(e.embedding_model, 'face-api.js') "
#define ADDITION_FROM \
    "FROM device_profiles p JOIN staff s ON s.hotel_id = p.hotel_id AND s.id = p.staff_id " \
    "JOIN face_data f ON f.hotel_id = p.hotel_id AND f.staff_id = p.staff_id " \
    "LEFT JOIN enrollments e ON e.hotel_id = p.hotel_id AND e.staff_id = p.staff_id " \
    "WHERE p.device_pk = $1 AND p.hotel_id = $2 "
enum row_col { RC_KIND, RC_STAFF, RC_CODE, RC_FACE, RC_FIRST, RC_LAST, RC_MODEL };

/* since_version 0: every profile the device holds */
static struct db_stmt st_full = {
    "sync_full",
    "SELECT " ADDITION_COLS ADDITION_FROM "ORDER BY p.staff_id",
    0,
};
/* $3 = since_version. Additions: profiles the device holds that were
 * pushed to it, or whose face data was replaced, after since; removals:
 * people taken off it after since that it does not hold again. Both are
 * found through the change log's indexes, not by comparing sets. */
static struct db_stmt st_incremental = {
    "sync_incremental",
    "SELECT " ADDITION_COLS ADDITION_FROM "AND p.staff_id IN ("
    "  SELECT c.staff_id FROM face_changes c WHERE c.hotel_id = $2 AND c.device_pk = $1 "
    "  AND c.kind = 'push' AND c.version > $3 "
    "  UNION SELECT c.staff_id FROM face_changes c WHERE c.hotel_id = $2 AND c.device_pk IS NULL "
    "  AND c.kind = 'update' AND c.version > $3) "
    "UNION ALL "
    "SELECT 'r', NULL, r.employee_code, NULL, NULL, NULL, NULL FROM ("
    "  SELECT DISTINCT c.employee_code FROM face_changes c "
    "  WHERE c.hotel_id = $2 AND c.device_pk = $1 AND c.kind = 'remove' AND c.version > $3 "
    "  AND NOT EXISTS (SELECT 1 FROM device_profiles p "
    "                  WHERE p.device_pk = $1 AND p.staff_id = c.staff_id)) r "
    "ORDER BY 1, 2, 3",
    0,
};
/* $3: the version it is now at and $4 the profiles it holds there; NULL
 * to leave both */
static struct db_stmt st_seen = {
    "sync_device_seen",
    "UPDATE devices SET last_heartbeat_at = now(), sync_version = coalesce($3, sync_version), "
    "sync_total = CASE WHEN $3 IS NULL THEN sync_total ELSE $4::bigint END "
    "WHERE id = $1 AND hotel_id = $2",
    0,
};

/* What one sync knows before it answers. */
struct sync_ctx {
    struct request *req;
    long long device_pk;
    long long since;
    const char *model;         /* asked for, NULL when none */
    struct sync_plan plan;
    long long total;           /* total_enrolled */
    const char *now;           /* synced_at (pool string) */
    long long stored;          /* devices.sync_version before this sync */
    int has_heartbeat;
    double heartbeat_age;      /* seconds */
    long long additions;       /* written so far */
    long long removals;        /* written so far; the additions list is closed after the first */
    int client_gone;           /* a write to the client failed */
    int bad_face;              /* face data that does not unseal */
};

/* Read the state and decide. 0; 1
 * when the device is gone (deactivated since it was authenticated); -1
 * after a db failure. */
static int load_state(struct sync_ctx *c)
{
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, c->device_pk);
    db_arg_int(&a, c->req->tenant.id);
    if ((r = db_run(&st_state, &a)) == NULL)
        return -1;
    if (PQntuples(r) != 1) {
        /* authenticated a moment ago; deactivated since */
        PQclear(r);
        return 1;
    }
    struct sync_state s = {db_ll(r, 0, SC_CURRENT), db_ll(r, 0, SC_FLOOR), PQgetvalue(r, 0, SC_MODEL)};
    sync_decide(c->since, c->model, &s, &c->plan);
    c->total = db_ll(r, 0, SC_TOTAL);
    c->stored = db_ll(r, 0, SC_STORED);
    c->has_heartbeat = db_bool(r, 0, SC_HAS_HB);
    c->heartbeat_age = db_double(r, 0, SC_HB_AGE);
    c->now = pool_strdup(c->req->pool, PQgetvalue(r, 0, SC_NOW));
    PQclear(r);
    return 0;
}

/* Record that the device was seen, and at which version, when
 * sync_should_mark() says so. 0 or -1. */
static int mark_seen(struct sync_ctx *c)
{
    struct db_args a;

    if (!sync_should_mark(&c->plan, c->stored, c->has_heartbeat, c->heartbeat_age))
        return 0;
    db_args_init(&a);
    db_arg_int(&a, c->device_pk);
    db_arg_int(&a, c->req->tenant.id);
    if (c->plan.store_version >= 0) {
        db_arg_int(&a, c->plan.store_version);
        db_arg_int(&a, c->total);
    } else {
        db_arg_null(&a);
        db_arg_null(&a);
    }
    return db_exec(&st_seen, &a) < 0 ? -1 : 0;
}

/* The whole answer when there is nothing to stream: up to date, or a full
 * sync required. */
static void answer_empty(struct sync_ctx *c)
{
    struct json_object *o = json_object_new_object();
    jx_add_int(o, "sync_version", c->plan.report_version);
    json_object_object_add(o, "additions", json_object_new_array());
    json_object_object_add(o, "removals", json_object_new_array());
    jx_add_bool(o, "full_sync_required", c->plan.kind == SYNC_REQUIRE_FULL);
    jx_add_int(o, "total_enrolled", c->total);
    jx_add_str(o, "synced_at", c->now);
    resp_json(c->req, 200, o);
}

static int put(struct sync_ctx *c, const char *s, size_t n)
{
    if (resp_write(c->req, s, n) < 0) {
        c->client_gone = 1;
        return -1;
    }
    return 0;
}

static int put_json(struct sync_ctx *c, struct json_object *o)
{
    size_t n;
    const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
    int rc = put(c, s, n);
    json_object_put(o);
    return rc;
}

static int write_head(struct sync_ctx *c)
{
    char head[64];
    int n = snprintf(head, sizeof head, "{\"sync_version\":%lld,\"additions\":[", c->plan.report_version);
    resp_stream_begin(c->req, 200, "application/json");
    return put(c, head, (size_t)n);
}

/* total_enrolled of a full sync is the length of the list it sent */
static int write_tail(struct sync_ctx *c)
{
    long long total = c->plan.kind == SYNC_FULL ? c->additions : c->total;

    if (c->removals == 0 && put(c, "],\"removals\":[", 14) < 0)
        return -1;
    char *tail = pool_printf(c->req->pool, "],\"full_sync_required\":false,\"total_enrolled\":%lld,"
                             "\"synced_at\":\"%s\"}", total, c->now);
    return put(c, tail, strlen(tail));
}

/* One row to the client, after the head when it is the first (db_each_row
 * callback). 0, or -1 (client gone, or face data that does not unseal:
 * logged, c->bad_face set; before the head, so still a JSON error when it
 * is the first row). */
static int write_row(void *ctx, const PGresult *r, int i)
{
    struct sync_ctx *c = ctx;

    if (*PQgetvalue(r, i, RC_KIND) == 'r') {
        if ((!resp_sent(c->req) && write_head(c) < 0) ||
            (c->removals == 0 && put(c, "],\"removals\":[", 14) < 0))
            return -1;
        if ((c->removals > 0 && put(c, ",", 1) < 0) ||
            put_json(c, json_object_new_string(PQgetvalue(r, i, RC_CODE))) < 0)
            return -1;
        c->removals++;
        return 0;
    }

    float d[DESCRIPTOR_DIM];
    char emb[B64_DESCRIPTOR_LEN + 1], name[1024];
    long long staff_id = db_ll(r, i, RC_STAFF);
    if (face_unseal(c->req->tenant.id, staff_id, PQgetvalue(r, i, RC_FACE), d) < 0) {
        log_error("face data of staff %lld (hotel %lld) does not unseal", staff_id, c->req->tenant.id);
        c->bad_face = 1;
        return -1;
    }
    b64_descriptor(d, emb);
    memset(d, 0, sizeof d);
    const char *last = PQgetvalue(r, i, RC_LAST);
    snprintf(name, sizeof name, "%s%s%s", PQgetvalue(r, i, RC_FIRST), *last ? " " : "", last);

    if (!resp_sent(c->req) && write_head(c) < 0)
        return -1;
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "user_id", PQgetvalue(r, i, RC_CODE));
    jx_add_str(o, "embedding", emb);
    jx_add_int(o, "dim", DESCRIPTOR_DIM);
    jx_add_str(o, "model", PQgetvalue(r, i, RC_MODEL));
    jx_add_str(o, "display_name", name);
    if ((c->additions > 0 && put(c, ",", 1) < 0) || put_json(c, o) < 0)
        return -1;
    c->additions++;
    return 0;
}

/* A full or incremental answer, row by row. */
static void answer_streamed(struct sync_ctx *c)
{
    struct request *req = c->req;
    struct db_args a;

    db_args_init(&a);
    db_arg_int(&a, c->device_pk);
    db_arg_int(&a, req->tenant.id);
    if (c->plan.kind == SYNC_INCREMENTAL)
        db_arg_int(&a, c->since);
    if (db_each_row(c->plan.kind == SYNC_FULL ? &st_full : &st_incremental, &a, write_row, c) < 0)
        goto fail;
    if ((!resp_sent(req) && write_head(c) < 0) || write_tail(c) < 0)
        goto fail;
    if (mark_seen(c) < 0)
        log_warn("device %lld synced to %lld but could not be marked: %s", c->device_pk,
                 c->plan.store_version, db_last_message());
    return;
fail:
    if (!resp_sent(req)) {
        if (c->bad_face)
            resp_error(req, 500, "INTERNAL", "An internal error occurred.");
        else
            db_fail_reply(req);
        return;
    }
    if (c->client_gone)
        log_info("sync of device %lld: the client went away after %lld rows", c->device_pk,
                 c->additions + c->removals);
    else
        log_error("sync of device %lld failed after %lld rows: %s", c->device_pk,
                  c->additions + c->removals, c->bad_face ? "face data" : db_last_message());
    resp_abort(req);
}

void h_sync(struct request *req)
{
    struct sync_ctx c = {.req = req, .device_pk = identity_of(req)->device_id};
    int rc;

    if (identity_of(req)->kind != CALLER_DEVICE ||
        strcmp(arg_str(req, "device_id"), identity_of(req)->device_name) != 0) {
        resp_error(req, 404, "NOT_FOUND", "No such device.");
        return;
    }
    c.since = (long)arg_int(req, "since_version");
    c.model = arg_str(req, "model");

    /* a device that is up to date costs one reading, and a write every
     * SYNC_MARK_SECONDS */
    if ((rc = load_state(&c)) != 0) {
        if (rc > 0)
            resp_error(req, 404, "NOT_FOUND", "No such device.");
        else
            db_fail_reply(req);
        return;
    }
    if (c.plan.kind == SYNC_FULL || c.plan.kind == SYNC_INCREMENTAL) {
        answer_streamed(&c);
        return;
    }
    if (mark_seen(&c) < 0) {
        db_fail_reply(req);
        return;
    }
    answer_empty(&c);
}
