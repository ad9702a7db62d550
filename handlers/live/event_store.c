/* event_store.c — owns the SQL of the events outbox (event_store.h):
 * reading the unpublished events with the message subscribers receive
 * (built here, in one statement: {"id","type","hotel","at","kiosk_id",
 * "data"}), marking them published, and trimming old ones. */
#include <stdio.h>
#include <stdlib.h>
#include "db.h"
#include "live/event_store.h"

static struct db_stmt st_pending = {
    "event_pending",
    "SELECT e.id, e.type, h.slug, coalesce(e.kiosk_id, 0), "
    "json_build_object('id', e.id, 'type', e.type, 'hotel', h.slug, 'at', fc_ts(e.created_at), "
    "'kiosk_id', e.kiosk_id, 'data', e.data)::text "
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
