/* event_store.c — owns the SQL of the events outbox (event_store.h):
 * reading the events a snapshot cursor has not seen (sql/029_event_cursor.sql)
 * with the message subscribers receive (built here, one expression for
 * both readers: {"id","type","hotel","at","kiosk_id","data"}), the
 * saved cursors of the publisher and the notifier, trimming old events, and a hotel's events
 * after an id for a subscriber catching up (and its last event id, where
 * a page's subscriber starts). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db.h"
#include "jsonx.h"
#include "live/event_store.h"

/* the message of event e of hotel h, as subscribers receive it */
#define EVENT_MESSAGE \
    "json_build_object('id', e.id, 'type', e.type, 'hotel', h.slug, 'at', fc_ts(e.created_at), " \
    "'kiosk_id', e.kiosk_id, 'data', e.data)::text"

/* One page of a round: the events that snapshot $1 (the cursor) did not
 * see and snapshot $2 sees (NULL on the round's first page: this
 * statement's own, returned on every row), after ($3, $4) in (xid, id)
 * order (NULL, 0 on the first page), at most $5; none: one row of the
 * snapshot and NULLs. The xid bounds (the cursor's xmin, the round's
 * xmax) keep the index scan of events_xid_idx to the round's events
 * whatever the parameters: a generic plan cannot walk the whole table. */
static struct db_stmt st_new = {
    "event_new",
    "SELECT s.snap::text, x.xid::text, x.id, x.type, x.slug, x.kiosk, x.message "
    "FROM (SELECT coalesce($2::pg_snapshot, pg_current_snapshot()) AS snap) s "
    "LEFT JOIN LATERAL (SELECT e.xid, e.id, e.type, h.slug, coalesce(e.kiosk_id, 0) AS kiosk, "
    "                   " EVENT_MESSAGE " AS message "
    "                   FROM events e JOIN hotels h ON h.id = e.hotel_id "
    "                   WHERE (e.xid, e.id) > (coalesce($3::xid8, pg_snapshot_xmin($1::pg_snapshot)), $4) "
    "                   AND e.xid < pg_snapshot_xmax(s.snap) "
    "                   AND NOT pg_visible_in_snapshot(e.xid, $1::pg_snapshot) "
    "                   AND pg_visible_in_snapshot(e.xid, s.snap) "
    "                   AND e.type <> 'notification.test' "
    "                   ORDER BY e.xid, e.id LIMIT $5) x ON true "
    "ORDER BY x.xid, x.id",
    0,
};

static struct db_stmt st_cursor = {
    "event_cursor", "SELECT snap::text FROM event_cursors WHERE name = $1", 0,
};

static struct db_stmt st_cursor_save = {
    "event_cursor_save",
    "UPDATE event_cursors SET snap = $2::pg_snapshot, saved_at = now() WHERE name = $1", 0,
};

static struct db_stmt st_slug = {"event_hotel_slug", "SELECT slug FROM hotels WHERE id = $1", 0};

/* The events made more than $1 days ago, walking the ids from the oldest
 * up to the first younger one (no index on created_at), that the saved
 * cursor has seen (published; NULL xid: published before 029). */
static struct db_stmt st_trim = {
    "event_trim",
    "DELETE FROM events WHERE id < coalesce((SELECT min(id) FROM events "
    "                                        WHERE created_at >= now() - make_interval(days => $1)), "
    "                                       (SELECT max(id) + 1 FROM events)) "
    "AND coalesce(pg_visible_in_snapshot(xid, (SELECT snap FROM event_cursors WHERE name = 'publisher')), true)",
    0,
};

/* One snapshot: the hotel's highest deleted id (sql/018_event_catchup.sql)
 * on every row, and its events after $2 (at most $3; none: one row of NULLs). */
static struct db_stmt st_after = {
    "event_after",
    "SELECT t.through, x.id, x.message "
    "FROM (SELECT coalesce(max(through_id), 0) AS through FROM event_trims WHERE hotel_id = $1) t "
    "LEFT JOIN LATERAL (SELECT e.id, " EVENT_MESSAGE " AS message "
    "                   FROM events e JOIN hotels h ON h.id = e.hotel_id "
    "                   WHERE e.hotel_id = $1 AND e.id > $2 ORDER BY e.id LIMIT $3) x ON true "
    "ORDER BY x.id",
    0,
};

static struct db_stmt st_head = {
    "event_head", "SELECT coalesce(max(id), 0) FROM events WHERE hotel_id = $1", 0,
};

long long event_store_each_new(const char *since, struct event_round *round, int limit,
                               int (*fn)(void *ctx, const struct event_row *e), void *ctx)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_str(&a, since);
    db_arg_str(&a, round->upto);
    db_arg_str(&a, round->after_xid[0] ? round->after_xid : NULL);
    db_arg_int(&a, round->after_id);
    db_arg_int(&a, limit);
    PGresult *r = db_run(&st_new, &a);
    if (r == NULL)
        return -1;
    if (round->upto == NULL && (PQntuples(r) < 1 || (round->upto = strdup(db_str(r, 0, 0))) == NULL)) {
        PQclear(r);
        return -1;
    }
    long long n = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        if (PQgetisnull(r, i, 1))
            continue;                    /* no events: the one row of the snapshot */
        struct event_row e = {db_ll(r, i, 2), db_str(r, i, 3), db_str(r, i, 4), db_ll(r, i, 5),
                              db_str(r, i, 6)};
        n++;
        if (fn(ctx, &e) < 0)
            break;
        snprintf(round->after_xid, sizeof round->after_xid, "%s", db_str(r, i, 1));
        round->after_id = e.id;
    }
    PQclear(r);
    return n;
}

int event_store_cursor_load(const char *name, char **snap)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_str(&a, name);
    PGresult *r = db_run(&st_cursor, &a);
    if (r == NULL)
        return -1;
    int ok = PQntuples(r) == 1 && (*snap = strdup(db_str(r, 0, 0))) != NULL;
    PQclear(r);
    return ok ? 0 : -1;
}

int event_store_cursor_save(const char *name, const char *snap)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_str(&a, name);
    db_arg_str(&a, snap);
    return db_exec(&st_cursor_save, &a) == 1 ? 0 : -1;
}

int event_store_hotel_slug(long long id, char *buf, size_t cap)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, id);
    PGresult *r = db_run(&st_slug, &a);
    if (r == NULL)
        return -1;
    int found = PQntuples(r) == 1;
    if (found)
        snprintf(buf, cap, "%s", db_str(r, 0, 0));
    PQclear(r);
    return found;
}

long long event_store_trim(int days)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, days);
    return db_exec(&st_trim, &a);
}

int event_store_after(long long hotel_id, long long after, int limit, struct json_object **events,
                      int *more, long long *through)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, after);
    db_arg_int(&a, (long long)limit + 1);
    PGresult *r = db_run(&st_after, &a);
    if (r == NULL)
        return -1;
    struct json_object *arr = json_object_new_array();
    int n = PQntuples(r);
    *through = n > 0 ? db_ll(r, 0, 0) : 0;
    *more = 0;
    for (int i = 0; i < n; i++) {
        const char *msg = db_str(r, i, 2);
        if (msg == NULL)
            continue;                    /* no events: the one row of NULLs */
        if ((int)json_object_array_length(arr) == limit) {
            *more = 1;
            break;
        }
        struct json_object *o = jx_parse(msg, strlen(msg));
        if (o == NULL) {
            json_object_put(arr);
            PQclear(r);
            return -1;
        }
        json_object_array_add(arr, o);
    }
    PQclear(r);
    *events = arr;
    return 0;
}

long long event_store_head(long long hotel_id)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    PGresult *r = db_run(&st_head, &a);
    if (r == NULL)
        return -1;
    long long head = db_ll(r, 0, 0);
    PQclear(r);
    return head;
}
