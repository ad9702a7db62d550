/* notify_store.c — owns the rows of notification_endpoints,
 * notification_deliveries and notification_counts (notify_store.h):
 * endpoints with their audit rows, the sealed webhook secrets, the
 * "send a test" delivery, the two listings, and for the notifier the
 * fan-out of events to deliveries and the claim and mark of one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "attendance/export_store.h"
#include "attendance/face_store.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "jsonx.h"
#include "log.h"
#include "notify/notify_store.h"

/* ---- endpoints -------------------------------------------------------- */

#define EP_COLS                                                                                   \
    "e.id, e.kind, e.url, e.address, e.role, to_jsonb(e.events), e.enabled, e.description, "    \
    "fc_ts(e.created_at), fc_ts(e.updated_at)"
enum { E_ID, E_KIND, E_URL, E_ADDRESS, E_ROLE, E_EVENTS, E_ENABLED, E_DESC, E_CREATED, E_UPDATED, E_NCOLS };

static const struct db_json_col ep_cols[] = {
    {"id", E_ID, DBJ_INT},
    {"kind", E_KIND, DBJ_STR},
    {"url", E_URL, DBJ_STR},
    {"address", E_ADDRESS, DBJ_STR},
    {"role", E_ROLE, DBJ_STR},
    {"events", E_EVENTS, DBJ_JSON},
    {"enabled", E_ENABLED, DBJ_BOOL},
    {"description", E_DESC, DBJ_STR},
    {"created_at", E_CREATED, DBJ_STR},
    {"updated_at", E_UPDATED, DBJ_STR},
    {NULL, 0, 0},
};

/* $n: a JSON array of text as text[] */
#define TEXT_ARRAY(n) "ARRAY(SELECT jsonb_array_elements_text(" n "::jsonb))"

static struct db_stmt st_create = {
    "notify_endpoint_create",
    "INSERT INTO notification_endpoints AS e (hotel_id, kind, url, address, role, events, enabled, description) "
    "VALUES ($1, $2, $3, $4, $5, " TEXT_ARRAY("$6") ", $7, coalesce($8, '')) RETURNING " EP_COLS,
    0,
};
static struct db_stmt st_secret_put = {
    "notify_secret_put",
    "UPDATE notification_endpoints SET secret_enc = $3::bytea WHERE hotel_id = $1 AND id = $2",
    0,
};
static struct db_stmt st_lock = {
    "notify_endpoint_lock",
    "SELECT " EP_COLS " FROM notification_endpoints e WHERE e.hotel_id = $1 AND e.id = $2 FOR UPDATE",
    0,
};
static struct db_stmt st_kind = {
    "notify_endpoint_kind",
    "SELECT kind FROM notification_endpoints WHERE hotel_id = $1 AND id = $2",
    0,
};
static struct db_stmt st_update = {
    "notify_endpoint_update",
    "UPDATE notification_endpoints AS e SET url = coalesce($3, url), address = coalesce($4, address), "
    "role = CASE WHEN $5::boolean THEN $6 ELSE role END, "
    "events = CASE WHEN $7::text IS NULL THEN events ELSE " TEXT_ARRAY("$7") " END, "
    "enabled = coalesce($8::boolean, enabled), description = coalesce($9, description), updated_at = now() "
    "WHERE e.hotel_id = $1 AND e.id = $2 RETURNING " EP_COLS,
    0,
};
static struct db_stmt st_delete = {
    "notify_endpoint_delete",
    "DELETE FROM notification_endpoints e WHERE e.hotel_id = $1 AND e.id = $2 RETURNING " EP_COLS,
    0,
};

static void add_events(struct db_args *a, const struct notify_fields *f)
{
    db_arg_str(a, f->events != NULL ? json_object_to_json_string_ext(f->events, JSON_C_TO_STRING_PLAIN) : NULL);
}

static void add_enabled(struct db_args *a, int enabled)
{
    if (enabled < 0)
        db_arg_null(a);
    else
        db_arg_bool(a, enabled);
}

static void target_of(char *buf, size_t n, long long id)
{
    snprintf(buf, n, "notification_endpoint:%lld", id);
}

/* Seal a new secret for endpoint id and store it. 0, -2 (no data key), -1. */
static int put_secret(long long hotel_id, long long id, char *secret)
{
    char hex[SEALED_HEX_SIZE(NOTIFY_SECRET_SIZE)];
    struct db_args a;

    if (g_config.data_keys.n == 0)
        return -2;
    memcpy(secret, "whsec_", 6);
    if (crypto_random_hex(secret + 6, NOTIFY_SECRET_BYTES) < 0 ||
        sealed_hex(SEALED_NOTIFY, hotel_id, id, secret, strlen(secret), hex) < 0)
        return -1;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, id);
    db_arg_str(&a, hex);
    return db_exec(&st_secret_put, &a) == 1 ? 0 : -1;
}

int notify_endpoint_create(long long hotel_id, const struct notify_fields *f, const struct actor *who,
                           struct json_object **out)
{
    char secret[NOTIFY_SECRET_SIZE] = "", target[64];
    struct db_args a;
    int rc = -1;

    *out = NULL;
    if (strcmp(f->kind, "webhook") == 0 && g_config.data_keys.n == 0)
        return -2;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, f->kind);
    db_arg_str(&a, f->url);
    db_arg_str(&a, f->address);
    db_arg_str(&a, f->role);
    add_events(&a, f);
    db_arg_bool(&a, f->enabled != 0);
    db_arg_str(&a, f->description);
    if (db_begin() < 0)
        return -1;
    PGresult *r = db_run(&st_create, &a);
    if (r == NULL)
        goto fail;
    long long id = db_ll(r, 0, E_ID);
    *out = db_row_object(ep_cols, r, 0);
    PQclear(r);
    if (strcmp(f->kind, "webhook") == 0 && (rc = put_secret(hotel_id, id, secret)) < 0)
        goto fail;
    target_of(target, sizeof target, id);
    if (action_audit_one(who, hotel_id, "notification_endpoint.created", target, NULL,
                         json_object_get(*out)) < 0 ||
        db_commit() < 0) {
        rc = -1;
        goto fail;
    }
    if (secret[0] != '\0')
        jx_add_str(*out, "secret", secret);
    memset(secret, 0, sizeof secret);
    return 1;
fail:
    memset(secret, 0, sizeof secret);
    db_rollback();
    json_object_put(*out);
    *out = NULL;
    return rc == -2 ? -2 : -1;
}

int notify_endpoint_kind(long long hotel_id, long long id, char *kind)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, id);
    PGresult *r = db_run(&st_kind, &a);
    if (r == NULL)
        return -1;
    int found = PQntuples(r) == 1;
    if (found)
        snprintf(kind, 8, "%s", db_str(r, 0, 0));
    PQclear(r);
    return found;
}

/* The endpoint's row locked for the transaction, as JSON: 1, 0 none, -1. */
static int lock_row(long long hotel_id, long long id, struct json_object **row)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, id);
    PGresult *r = db_run(&st_lock, &a);
    if (r == NULL)
        return -1;
    int found = PQntuples(r) == 1;
    if (found)
        *row = db_row_object(ep_cols, r, 0);
    PQclear(r);
    return found;
}

int notify_endpoint_update(long long hotel_id, long long id, const struct notify_fields *f,
                           const struct actor *who, struct json_object **out)
{
    struct json_object *before = NULL, *old_v = NULL, *new_v = NULL;
    struct db_args a;
    char target[64];
    int found;

    *out = NULL;
    if (db_begin() < 0)
        return -1;
    if ((found = lock_row(hotel_id, id, &before)) <= 0) {
        db_rollback();
        return found;
    }
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, id);
    db_arg_str(&a, f->url);
    db_arg_str(&a, f->address);
    db_arg_bool(&a, f->role_given);
    db_arg_str(&a, f->role);
    add_events(&a, f);
    add_enabled(&a, f->enabled);
    db_arg_str(&a, f->description);
    PGresult *r = db_run(&st_update, &a);
    if (r == NULL)
        goto fail;
    *out = db_row_object(ep_cols, r, 0);
    PQclear(r);
    jx_diff(before, *out, &old_v, &new_v);
    json_object_object_del(old_v, "updated_at");
    json_object_object_del(new_v, "updated_at");
    target_of(target, sizeof target, id);
    if (json_object_object_length(new_v) > 0) {
        int rc = action_audit_one(who, hotel_id, "notification_endpoint.changed", target, old_v, new_v);
        old_v = new_v = NULL;
        if (rc < 0)
            goto fail;
    }
    if (db_commit() < 0)
        goto fail;
    json_object_put(before);
    json_object_put(old_v);
    json_object_put(new_v);
    return 1;
fail:
    db_rollback();
    json_object_put(before);
    json_object_put(old_v);
    json_object_put(new_v);
    json_object_put(*out);
    *out = NULL;
    return -1;
}

int notify_endpoint_delete(long long hotel_id, long long id, const struct actor *who, struct json_object **out)
{
    struct db_args a;
    char target[64];

    *out = NULL;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, id);
    if (db_begin() < 0)
        return -1;
    PGresult *r = db_run(&st_delete, &a);
    if (r == NULL)
        goto fail;
    if (PQntuples(r) == 0) {
        PQclear(r);
        db_rollback();
        return 0;
    }
    *out = db_row_object(ep_cols, r, 0);
    PQclear(r);
    target_of(target, sizeof target, id);
    if (action_audit_one(who, hotel_id, "notification_endpoint.deleted", target, json_object_get(*out), NULL) < 0 ||
        db_commit() < 0)
        goto fail;
    return 1;
fail:
    db_rollback();
    json_object_put(*out);
    *out = NULL;
    return -1;
}

/* ---- deliveries ------------------------------------------------------- */

#define DL_COLS                                                                                     \
    "d.id, d.event_id, d.endpoint_id, d.event_type, d.status, d.attempts, fc_ts(d.next_attempt_at), " \
    "d.last_status, d.last_error, fc_ts(d.created_at), fc_ts(d.sent_at)"
enum { D_ID, D_EVENT, D_ENDPOINT, D_TYPE, D_STATUS, D_ATTEMPTS, D_NEXT, D_LAST_STATUS, D_LAST_ERROR, D_CREATED,
       D_SENT, D_NCOLS };

static const struct db_json_col dl_cols[] = {
    {"id", D_ID, DBJ_INT},
    {"event_id", D_EVENT, DBJ_INT},
    {"endpoint_id", D_ENDPOINT, DBJ_INT},
    {"event_type", D_TYPE, DBJ_STR},
    {"status", D_STATUS, DBJ_STR},
    {"attempts", D_ATTEMPTS, DBJ_INT},
    {"next_attempt_at", D_NEXT, DBJ_STR},
    {"last_status", D_LAST_STATUS, DBJ_INT_OR_NULL},
    {"last_error", D_LAST_ERROR, DBJ_STR},
    {"created_at", D_CREATED, DBJ_STR},
    {"sent_at", D_SENT, DBJ_STR},
    {NULL, 0, 0},
};

/* an event of the hotel that the publisher does not publish and the
 * fan-out skips (type notification.test, sql/029_event_cursor.sql), and
 * its one delivery; the notifier is woken */
static struct db_stmt st_test = {
    "notify_endpoint_test",
    "WITH ep AS (SELECT id FROM notification_endpoints WHERE hotel_id = $1 AND id = $2 FOR UPDATE), "
    "ev AS (INSERT INTO events (hotel_id, type, data) "
    "  SELECT $1, 'notification.test', jsonb_build_object('endpoint_id', ep.id, "
    "  'message', 'A test of this notification endpoint.') FROM ep RETURNING id, type), "
    "d AS (INSERT INTO notification_deliveries (hotel_id, event_id, endpoint_id, event_type) "
    "  SELECT $1, ev.id, $2, ev.type FROM ev RETURNING *) "
    "SELECT " DL_COLS ", pg_notify('faceclock_notify', d.event_id::text) FROM d",
    0,
};

int notify_endpoint_test(long long hotel_id, long long id, const struct actor *who,
                         struct json_object **out)
{
    struct db_args a;
    char target[64];

    *out = NULL;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, id);
    if (db_begin() < 0)
        return -1;
    PGresult *r = db_run(&st_test, &a);
    if (r == NULL)
        goto fail;
    if (PQntuples(r) == 0) {
        PQclear(r);
        db_rollback();
        return 0;
    }
    *out = db_row_object(dl_cols, r, 0);
    struct json_object *v = json_object_new_object();
    jx_add_int(v, "event_id", db_ll(r, 0, D_EVENT));
    PQclear(r);
    target_of(target, sizeof target, id);
    if (action_audit_one(who, hotel_id, "notification_endpoint.tested", target, NULL, v) < 0 ||
        db_commit() < 0)
        goto fail;
    return 1;
fail:
    db_rollback();
    json_object_put(*out);
    *out = NULL;
    return -1;
}

static struct db_stmt st_ep_list = {
    "notify_endpoint_list",
    "SELECT p.*, c.total FROM (SELECT count(*) AS total FROM notification_endpoints e WHERE e.hotel_id = $1) c "
    "LEFT JOIN LATERAL (SELECT " EP_COLS " FROM notification_endpoints e WHERE e.hotel_id = $1 "
    "ORDER BY e.id LIMIT $2 OFFSET $3) p ON true",
    0,
};

const struct listing notify_endpoint_listing = {
    .page = &st_ep_list, .total_col = E_NCOLS, .id_col = E_ID, .cols = ep_cols,
};

#define DL_WHERE                                                                                   \
    "d.hotel_id = $1 AND ($2::bigint IS NULL OR d.endpoint_id = $2) "                             \
    "AND ($3::text IS NULL OR d.status = $3) AND ($4::text IS NULL OR d.event_type = $4) "          \
    "AND d.created_at >= coalesce($6::timestamptz, " SQL_DAY_START("$1", "$5::date") ", '-infinity') " \
    "AND d.created_at <= coalesce($8::timestamptz, " SQL_DAY_START("$1", "($7::date) + 1")           \
    " - interval '1 microsecond', 'infinity')"

static struct db_stmt st_dl_list = {
    "notify_delivery_list",
    "SELECT p.*, c.total FROM (SELECT count(*) AS total FROM notification_deliveries d WHERE " DL_WHERE ") c "
    "LEFT JOIN LATERAL (SELECT " DL_COLS " FROM notification_deliveries d WHERE " DL_WHERE
    " ORDER BY d.id DESC LIMIT $9 OFFSET $10) p ON true",
    0,
};

void notify_delivery_filter_of(const struct request *req, struct notify_delivery_filter *f)
{
    memset(f, 0, sizeof *f);
    f->endpoint_id = arg_int(req, "endpoint_id");
    f->status = arg_str(req, "status");
    f->event_type = arg_str(req, "event_type");
    arg_time_range(req, &f->when);
}

static void dl_args(struct db_args *a, const void *filter)
{
    const struct notify_delivery_filter *f = filter;
    db_arg_id(a, f->endpoint_id);
    db_arg_str(a, f->status);
    db_arg_str(a, f->event_type);
    db_arg_time_range(a, &f->when);
}

const struct listing notify_delivery_listing = {
    .page = &st_dl_list, .total_col = D_NCOLS, .id_col = D_ID, .bind = dl_args, .cols = dl_cols,
};

/* ---- the notifier ----------------------------------------------------- */

enum { J_ID, J_EVENT, J_ENDPOINT, J_HOTEL, J_ATTEMPTS, J_KIND, J_URL, J_SECRET, J_ADDRESS, J_TYPE, J_SLUG,
       J_BODY, J_CREATED, J_DATA };

static struct db_stmt st_claim = {
    "notify_claim",
    "SELECT d.id, d.event_id, d.endpoint_id, d.hotel_id, d.attempts, e.kind, e.url, e.secret_enc, e.address, "
    "ev.type, h.slug, "
    "json_build_object('id', ev.id, 'type', ev.type, 'hotel', h.slug, 'created_at', fc_ts(ev.created_at), "
    "'data', ev.data)::text, fc_ts(ev.created_at), ev.data::text "
    "FROM notification_deliveries d JOIN notification_endpoints e ON e.id = d.endpoint_id "
    "JOIN events ev ON ev.id = d.event_id JOIN hotels h ON h.id = d.hotel_id "
    "WHERE d.status IN ('pending', 'failed') AND d.next_attempt_at <= now() AND e.enabled "
    "ORDER BY d.next_attempt_at, d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED",
    0,
};
static struct db_stmt st_mark = {
    "notify_mark",
    "WITH m AS (UPDATE notification_deliveries SET status = $2, attempts = attempts + 1, last_status = $3, "
    "last_error = left($4, 500), sent_at = CASE WHEN $2 = 'sent' THEN now() END, "
    "next_attempt_at = now() + $5::bigint * interval '1 millisecond' WHERE id = $1 RETURNING id) "
    "INSERT INTO notification_counts AS c (kind, result, n) SELECT $6, $2, 1 FROM m "
    "ON CONFLICT (kind, result) DO UPDATE SET n = c.n + 1",
    0,
};
/* $1: the notifier's cursor. The xid bounds keep the scan of
 * events_xid_idx to the events the cursor has not seen, whatever the
 * plan. The patterns: a type, a family ("alert.*") or "*". */
static struct db_stmt st_fanout = {
    "notify_fanout",
    "WITH s AS (SELECT pg_current_snapshot() AS snap), "
    "d AS (INSERT INTO notification_deliveries (hotel_id, event_id, endpoint_id, event_type) "
    "  SELECT n.hotel_id, n.id, e.id, n.type FROM s, events n "
    "  JOIN notification_endpoints e ON e.hotel_id = n.hotel_id AND e.enabled "
    "  WHERE n.xid >= pg_snapshot_xmin($1::pg_snapshot) AND n.xid < pg_snapshot_xmax(s.snap) "
    "  AND NOT pg_visible_in_snapshot(n.xid, $1::pg_snapshot) AND pg_visible_in_snapshot(n.xid, s.snap) "
    "  AND n.type <> 'notification.test' "
    "  AND EXISTS (SELECT 1 FROM unnest(e.events) p "
    "              WHERE p = n.type OR p = '*' OR (right(p, 2) = '.*' AND starts_with(n.type, left(p, -1)))) "
    "  ORDER BY n.id, e.id "
    "  ON CONFLICT DO NOTHING RETURNING 1) "
    "SELECT s.snap::text, (SELECT count(*) FROM d) FROM s",
    0,
};
static struct db_stmt st_counts = {
    "notify_counts",
    "SELECT kind, result, n FROM notification_counts ORDER BY 1, 2",
    0,
};

long long notify_fanout(const char *since, char **upto)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_str(&a, since);
    PGresult *r = db_run(&st_fanout, &a);
    if (r == NULL)
        return -1;
    long long n = PQntuples(r) == 1 && (*upto = strdup(db_str(r, 0, 0))) != NULL ? db_ll(r, 0, 1) : -1;
    PQclear(r);
    return n;
}

int notify_job_claim(struct notify_job *j)
{
    memset(j, 0, sizeof *j);
    if (db_begin() < 0)
        return -1;
    PGresult *r = db_run(&st_claim, NULL);
    if (r == NULL) {
        db_rollback();
        return -1;
    }
    if (PQntuples(r) == 0) {
        PQclear(r);
        db_rollback();
        return 0;
    }
    j->r = r;
    j->id = db_ll(r, 0, J_ID);
    j->event_id = db_ll(r, 0, J_EVENT);
    j->endpoint_id = db_ll(r, 0, J_ENDPOINT);
    j->hotel_id = db_ll(r, 0, J_HOTEL);
    j->attempts = (int)db_ll(r, 0, J_ATTEMPTS);
    j->kind = db_str(r, 0, J_KIND);
    j->url = db_str(r, 0, J_URL);
    j->address = db_str(r, 0, J_ADDRESS);
    j->type = db_str(r, 0, J_TYPE);
    j->slug = db_str(r, 0, J_SLUG);
    j->body = db_str(r, 0, J_BODY);
    j->created_at = db_str(r, 0, J_CREATED);
    j->data = db_str(r, 0, J_DATA);
    const char *sealed = db_str(r, 0, J_SECRET);
    size_t n = 0;
    if (sealed != NULL &&
        sealed_open(SEALED_NOTIFY, j->hotel_id, j->endpoint_id, sealed, (unsigned char *)j->secret,
                    sizeof j->secret - 1, &n, NULL) == 0)
        j->secret[n] = '\0';
    else
        j->secret[0] = '\0';
    return 1;
}

int notify_job_done(struct notify_job *j, int sent, long status, const char *error, long long delay_ms,
                    int dead)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, j->id);
    db_arg_str(&a, sent ? "sent" : dead ? "dead" : "failed");
    if (status > 0)
        db_arg_int(&a, status);
    else
        db_arg_null(&a);
    db_arg_str(&a, sent ? NULL : error);
    db_arg_int(&a, sent || dead ? 0 : delay_ms);
    db_arg_str(&a, j->kind);
    int rc = db_exec(&st_mark, &a) < 0 || db_commit() < 0 ? -1 : 0;
    if (rc < 0)
        db_rollback();
    memset(j->secret, 0, sizeof j->secret);
    PQclear(j->r);
    j->r = NULL;
    return rc;
}

int notify_counts(void (*row)(void *ctx, const char *kind, const char *result, long long n), void *ctx)
{
    PGresult *r = db_run(&st_counts, NULL);
    if (r == NULL)
        return -1;
    for (int i = 0; i < PQntuples(r); i++)
        row(ctx, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), db_ll(r, i, 2));
    PQclear(r);
    return 0;
}
