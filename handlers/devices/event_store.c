/* event_store.c — owns device_events (event_store.h): the insert that a
 * repeated event_id leaves alone, and the hotel's event list (a listing,
 * app/list_store.h: its statement, filter parameters and row JSON). */
#include <string.h>
#include "db.h"
#include "event_store.h"
#include "attendance/export_store.h"
#include "jsonx.h"

/* a repeated event_id stores nothing and returns no row */
static struct db_stmt st_insert = {
    "events_insert",
    "INSERT INTO device_events (hotel_id, device_pk, event_id, event_type, event_timestamp, "
    "employee_code, metadata) VALUES ($1, $2, $3, $4, $5::timestamptz, $6, $7::jsonb) "
    "ON CONFLICT ON CONSTRAINT device_events_event_id_unique DO NOTHING RETURNING id",
    0,
};

/* $1 hotel, $2 device_id, $3 employee code, $4/$5 from date/timestamp,
 * $6/$7 to date/timestamp (inclusive: a date bound is the hotel-local
 * day, a timestamp that instant), each evaluated once before the scan of
 * the (hotel_id, event_timestamp DESC, id DESC) index */
#define EVENTS_WHERE                                                                               \
    "e.hotel_id = $1"                                                                              \
    " AND ($2::text IS NULL OR e.device_pk = (SELECT id FROM devices WHERE hotel_id = $1 "          \
    "AND device_id = $2))"                                                                         \
    " AND ($3::text IS NULL OR e.employee_code = $3)"                                              \
    " AND e.event_timestamp >= coalesce($5::timestamptz, " SQL_DAY_START("$1", "$4::date")         \
    ", '-infinity')"                                                                               \
    " AND e.event_timestamp <= coalesce($7::timestamptz, " SQL_DAY_START("$1", "($6::date) + 1")   \
    " - interval '1 microsecond', 'infinity')"

enum { C_ID, C_EVENT_ID, C_DEVICE, C_TYPE, C_TIMESTAMP, C_EMPLOYEE, C_METADATA, C_RECEIVED,
       C_TOTAL };

static struct db_stmt st_list = {
    "events_list",
    "SELECT p.*, c.total FROM (SELECT count(*) AS total FROM device_events e WHERE " EVENTS_WHERE
    ") c LEFT JOIN LATERAL (SELECT e.id, e.event_id, d.device_id, e.event_type, "
    "fc_ts(e.event_timestamp), e.employee_code, e.metadata, fc_ts(e.received_at) "
    "FROM device_events e JOIN devices d ON d.id = e.device_pk WHERE " EVENTS_WHERE
    " ORDER BY e.event_timestamp DESC, e.id DESC LIMIT $8 OFFSET $9) p ON true",
    0,
};

int event_record(const struct device_event *e, long long *id)
{
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, e->hotel_id);
    db_arg_int(&a, e->device_pk);
    db_arg_str(&a, e->event_id);
    db_arg_str(&a, "face_recognition");
    db_arg_str(&a, e->timestamp);
    db_arg_str(&a, e->employee_code);
    /* serialized into memory the metadata owns, alive while the caller holds it */
    db_arg_str(&a, e->metadata != NULL ? json_object_to_json_string_ext(e->metadata, JSON_C_TO_STRING_PLAIN)
                                       : "{}");
    if ((r = db_run(&st_insert, &a)) == NULL)
        return -1;
    int stored = PQntuples(r) == 1;
    if (stored)
        *id = db_ll(r, 0, 0);
    PQclear(r);
    return stored;
}

static const struct db_json_col event_cols[] = {
    {"id", C_ID, DBJ_INT},
    {"event_id", C_EVENT_ID, DBJ_STR},
    {"device_id", C_DEVICE, DBJ_STR},
    {"event_type", C_TYPE, DBJ_STR},
    {"event_timestamp", C_TIMESTAMP, DBJ_STR},
    {"employee_id", C_EMPLOYEE, DBJ_STR},
    {"metadata", C_METADATA, DBJ_JSON},
    {"received_at", C_RECEIVED, DBJ_STR},
    {NULL, 0, 0},
};

/* $2..$7 of the listing */
static void filter_args(struct db_args *a, const void *filter)
{
    const struct event_filter *f = filter;
    db_arg_str(a, f->device);
    db_arg_str(a, f->employee);
    db_arg_time_range(a, &f->when);
}

const struct listing event_list = {
    .page = &st_list, .total_col = C_TOTAL, .id_col = C_ID, .bind = filter_args, .cols = event_cols,
};
