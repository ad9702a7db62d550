/* events.c — POST /api/iot/events (a device reports face-recognition
 * events, idempotent on the hotel's event_id) and GET /api/iot/events (a
 * hotel's events for its managers, newest first, filtered by device,
 * employee and time, paged: a listing, app/list_store.h). docs/iot.md,
 * "Events"; the validators are in device_rules.c. */
#include <string.h>
#include "db.h"
#include "device_rules.h"
#include "attendance/export_store.h"
#include "app/handlers.h"
#include "app/list_store.h"
#include "jsonx.h"
#include "response.h"
#include "validate.h"

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

void h_events_create(struct request *req)
{
    const char *event_id = arg_str(req, "event_id"), *employee = arg_str(req, "employee_id");
    const char *device = arg_str(req, "device_id");
    struct json_object *meta = arg_json(req, "metadata"), *o;
    char when[40];
    struct db_args a;
    PGresult *r;

    event_timestamp_text(arg_str(req, "event_timestamp"), when, sizeof when);   /* checked by the route */
    /* the seed's events name their device: it can only be the caller */
    if (device != NULL && strcmp(device, identity_of(req)->device_name) != 0) {
        resp_error(req, 404, "NOT_FOUND", "No such device.");
        return;
    }

    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    db_arg_int(&a, identity_of(req)->device_id);
    db_arg_str(&a, event_id);
    db_arg_str(&a, "face_recognition");
    db_arg_str(&a, when);
    db_arg_str(&a, employee);
    /* serialized into memory meta owns, alive until the request ends */
    db_arg_str(&a, meta != NULL ? json_object_to_json_string_ext(meta, JSON_C_TO_STRING_PLAIN) : "{}");
    if ((r = db_run(&st_insert, &a)) == NULL) {
        db_fail_reply(req);
        return;
    }
    o = json_object_new_object();
    if (PQntuples(r) == 1)
        jx_add_int(o, "id", db_ll(r, 0, 0));
    jx_add_str(o, "event_id", event_id);
    jx_add_bool(o, "duplicate", PQntuples(r) == 0);
    resp_json(req, PQntuples(r) == 1 ? 201 : 200, o);
    PQclear(r);
}

static struct json_object *event_json(const void *filter, const PGresult *r, int i)
{
    struct json_object *o = json_object_new_object();
    const char *meta = PQgetvalue(r, i, C_METADATA);
    (void)filter;
    jx_add_int(o, "id", db_ll(r, i, C_ID));
    jx_add_str(o, "event_id", db_str(r, i, C_EVENT_ID));
    jx_add_str(o, "device_id", db_str(r, i, C_DEVICE));
    jx_add_str(o, "event_type", db_str(r, i, C_TYPE));
    jx_add_str(o, "event_timestamp", db_str(r, i, C_TIMESTAMP));
    jx_add_str(o, "employee_id", db_str(r, i, C_EMPLOYEE));
    /* jsonb text as stored, within the parser's limits since it passed them on the way in */
    json_object_object_add(o, "metadata", jx_parse(meta, strlen(meta)));
    jx_add_str(o, "received_at", db_str(r, i, C_RECEIVED));
    return o;
}

/* ?device_id= &employee_id= &from= &to=, NULL: any */
struct event_filter {
    const char *device, *employee;
    const char *from_date, *from_ts, *to_date, *to_ts;
};

/* $2..$7 of the listing */
static void filter_args(struct db_args *a, const void *filter)
{
    const struct event_filter *f = filter;
    db_arg_str(a, f->device);
    db_arg_str(a, f->employee);
    db_arg_str(a, f->from_date);
    db_arg_str(a, f->from_ts);
    db_arg_str(a, f->to_date);
    db_arg_str(a, f->to_ts);
}

static const struct listing event_listing = {
    .page = &st_list, .total_col = C_TOTAL, .id_col = C_ID, .bind = filter_args, .row = event_json,
};

void h_events_list(struct request *req)
{
    struct event_filter f = {arg_str(req, "device_id"), arg_str(req, "employee_id"), NULL, NULL, NULL, NULL};

    arg_time_bound(req, "from", &f.from_date, &f.from_ts);
    arg_time_bound(req, "to", &f.to_date, &f.to_ts);
    listing_reply(req, &event_listing, &f);
}
