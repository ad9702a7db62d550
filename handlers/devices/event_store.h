/* event_store.h — the face-recognition events edge devices report, in the
 * database (event_store.c): storing one, idempotent on the hotel's
 * event_id, and the hotel's event list. None of them answers the request:
 * on a database failure they return -1 and the caller answers with
 * db_fail_reply(). */
#ifndef FC_EVENT_STORE_H
#define FC_EVENT_STORE_H

#include <json-c/json.h>
#include "app/list_store.h"

/* One event as a device reports it, validated. */
struct device_event {
    long long hotel_id, device_pk;
    const char *event_id;
    const char *timestamp;           /* event_timestamp_text() (device_rules.h) */
    const char *employee_code;       /* NULL: none */
    struct json_object *metadata;    /* borrowed; NULL: {} */
};

/* Store e. 1 with *id the new row's; 0 when the hotel has that event_id
 * already (nothing stored); -1. */
int event_record(const struct device_event *e, long long *id);

/* GET /api/iot/events: ?device_id= &employee_id= &from= &to= (NULL:
 * any; a bound is a hotel-local date or an RFC 3339 instant, inclusive),
 * newest first. */
struct event_filter {
    const char *device, *employee;
    struct time_range when;
};
extern const struct listing event_list;

#endif
