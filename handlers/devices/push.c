/* push.c — POST /api/iot/enrollments/push (docs/iot.md, "Push and sync"):
 * which devices a person's face profile goes to (push modes selected, all,
 * location), each target's result, and in one transaction what every
 * device that took it should now hold (device_profiles, with a `push`
 * change in the hotel's change log) and the person's enrollment status
 * (push_store.c). A push never contacts a device: devices fetch it with
 * the next sync. */
#include <string.h>
#include "db.h"
#include "app/handlers.h"
#include "attendance/action_audit_store.h"
#include "jsonx.h"
#include "push_store.h"
#include "response.h"
#include "sync_rules.h"
#include "validate.h"

#define PUSH_MAX_TARGETS 1000

/* The declared push_mode (default "selected"). */
static enum push_mode mode_of(const char *s)
{
    if (s == NULL || strcmp(s, "selected") == 0)
        return PUSH_SELECTED;
    return strcmp(s, "all") == 0 ? PUSH_ALL : PUSH_LOCATION;
}

/* target_devices: 1 to PUSH_MAX_TARGETS device ids. 0, or answered 400
 * and -1. */
static int selected_or_reply(struct request *req, struct json_object *list)
{
    if (list == NULL) {
        resp_invalid(req, "target_devices", "target_devices must be an array of device ids.");
        return -1;
    }
    size_t n = json_object_array_length(list);
    if (n == 0 || n > PUSH_MAX_TARGETS) {
        resp_invalid(req, "target_devices", "target_devices must name 1 to %d devices.", PUSH_MAX_TARGETS);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        struct json_object *v = json_object_array_get_idx(list, i);
        const char *s = json_object_get_string(v);
        if (!json_object_is_type(v, json_type_string) ||
            (size_t)json_object_get_string_len(v) != strlen(s) || *s == '\0' || !valid_text(s, 200)) {
            resp_invalid(req, "target_devices", "target_devices[%zu] must be a device id.", i);
            return -1;
        }
    }
    return 0;
}

static struct json_object *result_json(const struct push_result *t)
{
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "device_id", t->device_id);
    jx_add_bool(o, "success", t->error == NULL);
    if (t->error == NULL)
        jx_add_int(o, "sync_version", t->version);
    else
        jx_add_str(o, "error", t->error);
    return o;
}

void h_push(struct request *req)
{
    struct push_order p = {arg_str(req, "employee_id"), mode_of(arg_str(req, "push_mode")),
                           arg_json(req, "target_devices"), arg_str(req, "location_label")};
    struct push_outcome out;
    struct actor who;
    int found;

    if (p.mode == PUSH_SELECTED && selected_or_reply(req, p.devices) < 0)
        return;
    if (p.mode == PUSH_LOCATION && p.location == NULL) {
        resp_invalid(req, "location_label", "location_label is required with push_mode location.");
        return;
    }
    actor_of(req, &who);
    if ((found = push_profile(req->pool, req->tenant.id, &p, &who, &out)) <= 0) {
        if (found == 0)
            resp_error(req, 404, "NOT_FOUND", "No employee %s with face data in this hotel.", p.employee_code);
        else
            db_fail_reply(req);
        return;
    }

    char message[64];
    struct json_object *o = json_object_new_object(), *d = json_object_new_object();
    struct json_object *results = json_object_new_array();
    push_message(out.targeted, out.failed, message, sizeof message);
    for (int i = 0; i < out.targeted; i++)
        json_object_array_add(results, result_json(&out.results[i]));
    jx_add_bool(o, "success", out.targeted > 0 && out.failed == 0);
    jx_add_str(o, "message", message);
    jx_add_str(d, "employee_id", p.employee_code);
    jx_add_int(d, "devices_targeted", out.targeted);
    jx_add_int(d, "devices_updated", out.targeted - out.failed);
    jx_add_int(d, "devices_failed", out.failed);
    jx_add_str(d, "new_status", out.status);
    json_object_object_add(d, "results", results);
    json_object_object_add(o, "data", d);
    resp_json(req, 200, o);
}
