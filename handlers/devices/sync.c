/* sync.c — GET /api/iot/enrollments/sync (docs/iot.md, "Push and sync"):
 * what an edge device must add and remove to hold what it should, from the
 * hotel's change log (face_changes) after since_version, or everything it
 * holds for since_version=0. The answer is streamed: the JSON head, each
 * addition as its row arrives (libpq single-row mode, db_each_row), then
 * the tail, so a device holding 10 000 profiles never has them all in the
 * worker's memory. sync_rules.c decides the kind of answer, the versions
 * and when the device row is written; sync_store.c reads and writes. A
 * device may add the version it has applied (?applied_version=, its
 * receipt: receipt_store.c, docs/iot.md "Receipts").
 *
 * The version reported is read before the rows, so the rows may come from
 * a later snapshot than the version says: they then repeat a change the
 * next sync delivers again (an addition replaces, a removal of what is not
 * held is a no-op), and never miss one. */
#include <stdio.h>
#include <string.h>
#include "db.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "log.h"
#include "response.h"
#include "heartbeat_rules.h"
#include "receipt_store.h"
#include "sync_store.h"

/* What one sync knows before it answers. */
struct sync_ctx {
    struct request *req;
    long long device_pk;
    long long since;
    struct sync_device dev;
    struct sync_plan plan;
    long long additions;       /* written so far */
    long long removals;        /* written so far; the additions list is closed after the first */
    int client_gone;           /* a write to the client failed */
};

/* Record that the device was seen, and at which version, when
 * sync_should_mark() says so. 0 or -1. */
static int mark_seen(struct sync_ctx *c)
{
    if (!sync_should_mark(&c->plan, c->dev.stored, c->dev.has_heartbeat, c->dev.heartbeat_age))
        return 0;
    return sync_device_mark(c->device_pk, c->req->tenant.id, c->plan.store_version, c->dev.total);
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
    jx_add_int(o, "total_enrolled", c->dev.total);
    jx_add_str(o, "synced_at", c->dev.now);
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
    return put(c, s, n);
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
    long long total = c->plan.kind == SYNC_FULL ? c->additions : c->dev.total;

    if (c->removals == 0 && put(c, "],\"removals\":[", 14) < 0)
        return -1;
    char *tail = pool_printf(c->req->pool, "],\"full_sync_required\":false,\"total_enrolled\":%lld,"
                             "\"synced_at\":\"%s\"}", total, c->dev.now);
    return put(c, tail, strlen(tail));
}

/* One change to the client, after the head when it is the first
 * (sync_changes() callback). 0, or -1 when the client is gone. */
static int write_change(void *ctx, int removal, struct json_object *item)
{
    struct sync_ctx *c = ctx;

    if (!resp_sent(c->req) && write_head(c) < 0)
        return -1;
    if (removal) {
        if ((c->removals == 0 && put(c, "],\"removals\":[", 14) < 0) ||
            (c->removals > 0 && put(c, ",", 1) < 0) || put_json(c, item) < 0)
            return -1;
        c->removals++;
        return 0;
    }
    if ((c->additions > 0 && put(c, ",", 1) < 0) || put_json(c, item) < 0)
        return -1;
    c->additions++;
    return 0;
}

/* A full or incremental answer, change by change. */
static void answer_streamed(struct sync_ctx *c)
{
    struct request *req = c->req;
    /* the full set may come from a standby that has everything the
     * primary had when the version was read (so never older than the
     * version it is reported with); the device's bookkeeping stays on the
     * primary */
    if (c->plan.kind == SYNC_FULL)
        db_read_begin(req, DB_AFTER_NOW);
    int rc = sync_changes(c->device_pk, req->tenant.id, c->plan.kind == SYNC_FULL ? 0 : c->since,
                          write_change, c);
    db_read_end();

    if (rc < 0 || (!resp_sent(req) && write_head(c) < 0) || write_tail(c) < 0)
        goto fail;
    if (mark_seen(c) < 0)
        log_warn("device %lld synced to %lld but could not be marked: %s", c->device_pk,
                 c->plan.store_version, db_last_message());
    return;
fail:
    if (!resp_sent(req)) {
        if (rc == -2)
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
                  c->additions + c->removals, rc == -2 ? "face data" : db_last_message());
    resp_abort(req);
}

void h_sync(struct request *req)
{
    struct sync_ctx c = {.req = req, .device_pk = identity_of(req)->device_id};
    int found;

    if (identity_of(req)->kind != CALLER_DEVICE ||
        strcmp(arg_str(req, "device_id"), identity_of(req)->device_name) != 0) {
        resp_error(req, 404, "NOT_FOUND", "No such device.");
        return;
    }
    c.since = (long)arg_int(req, "since_version");

    /* a device that is up to date costs one reading, and a write every
     * SYNC_MARK_SECONDS */
    if ((found = sync_device_load(req->pool, c.device_pk, req->tenant.id, &c.dev)) <= 0) {
        if (found == 0)   /* authenticated a moment ago; deactivated since */
            resp_error(req, 404, "NOT_FOUND", "No such device.");
        else
            db_fail_reply(req);
        return;
    }
    /* the receipt: what the device has applied, at most what the hotel has */
    if (arg_has(req, "applied_version")) {
        long long applied = arg_int(req, "applied_version");
        if (!receipt_version_ok(applied, c.dev.hotel.current)) {
            resp_invalid(req, "applied_version", "applied_version is past the hotel's version.");
            return;
        }
        if (receipt_record(c.device_pk, req->tenant.id, applied) < 0) {
            db_fail_reply(req);
            return;
        }
    }
    sync_decide(c.since, arg_str(req, "model"), &c.dev.hotel, &c.plan);
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
