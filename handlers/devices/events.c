/* events.c — POST /api/iot/events (a device reports face-recognition
 * events, idempotent on the hotel's event_id) and GET /api/iot/events (a
 * hotel's events for its managers, newest first, filtered by device,
 * employee and time, paged: a listing, app/list_store.h). docs/iot.md,
 * "Events"; the validators are in device_rules.c, the statements in
 * event_store.c. */
#include <string.h>
#include "db.h"
#include "device_rules.h"
#include "event_store.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "response.h"

void h_events_create(struct request *req)
{
    const char *device = arg_str(req, "device_id");
    char when[40];
    struct device_event e = {req->tenant.id, identity_of(req)->device_id, arg_str(req, "event_id"), when,
                             arg_str(req, "employee_id"), arg_json(req, "metadata")};
    long long id = 0;
    int stored;

    event_timestamp_text(arg_str(req, "event_timestamp"), when, sizeof when);   /* checked by the route */
    /* the seed's events name their device: it can only be the caller */
    if (device != NULL && strcmp(device, identity_of(req)->device_name) != 0) {
        resp_error(req, 404, "NOT_FOUND", "No such device.");
        return;
    }
    if ((stored = event_record(&e, &id)) < 0) {
        db_fail_reply(req);
        return;
    }
    struct json_object *o = json_object_new_object();
    if (stored)
        jx_add_int(o, "id", id);
    jx_add_str(o, "event_id", e.event_id);
    jx_add_bool(o, "duplicate", !stored);
    resp_json(req, stored ? 201 : 200, o);
}

void h_events_list(struct request *req)
{
    struct event_filter f = {.device = arg_str(req, "device_id"), .employee = arg_str(req, "employee_id")};

    arg_time_range(req, &f.when);
    listing_reply(req, &event_list, &f);
}
