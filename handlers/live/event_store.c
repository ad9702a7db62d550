/* event_store.c — owns the SQL of the events outbox (event_store.h):
 * reading the unpublished events with the message subscribers receive
 * (built here, one expression for both readers: {"id","type","hotel",
 * "at","kiosk_id","data"}), marking them published, trimming old ones,
 * and a hotel's events after an id for a subscriber catching up (and its
 * last event id, where a page's subscriber starts). */
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

static struct db_stmt st_pending = {
    "event_pending",
    "SELECT e.id, e.type, h.slug, coalesce(e.kiosk_id, 0), " EVENT_MESSAGE " "
    "FROM events e JOIN hotels h ON h.id = e.hotel_id "
    "WHERE e.published_at IS NULL ORDER BY e.id LIMIT $1",
    0,
};

/* $1: the ids, as a PostgreSQL array literal "{1,2,3}" */
static struct db_stmt st_mark = {
    "event_mark_published",
    "UPDATE events SET published_at = now() WHERE id = ANY($1::bigint[]) AND published_at IS NULL", 0,
};

static struct db_stmt st_slug = {"event_hotel_slug", "SELECT slug FROM hotels WHERE id = $1", 0};

static struct db_stmt st_trim = {
    "event_trim",
    "DELETE FROM events WHERE published_at IS NOT NULL "
    "AND created_at < now() - make_interval(days => $1)", 0,
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

long long event_store_each_pending(int limit, int (*fn)(void *ctx, const struct event_row *e), void *ctx)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, limit);
    PGresult *r = db_run(&st_pending, &a);
    if (r == NULL)
        return -1;
    long long n = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        struct event_row e = {db_ll(r, i, 0), db_str(r, i, 1), db_str(r, i, 2), db_ll(r, i, 3),
                              db_str(r, i, 4)};
        n++;
        if (fn(ctx, &e) < 0)
            break;
    }
    PQclear(r);
    return n;
}

int event_store_mark_published(const long long *ids, int n)
{
    if (n <= 0)
        return 0;
    size_t cap = (size_t)n * 21 + 3, len = 0;
    char *list = malloc(cap);
    if (list == NULL)
        return -1;
    list[len++] = '{';
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(list + len, cap - len, "%s%lld", i ? "," : "", ids[i]);
    snprintf(list + len, cap - len, "}");
    struct db_args a;
    db_args_init(&a);
    db_arg_str(&a, list);
    long rc = db_exec(&st_mark, &a);
    free(list);
    return rc < 0 ? -1 : 0;
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
