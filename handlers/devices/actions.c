/* actions.c — actions for a device (docs/iot.md, "Actions"): an admin
 * queues sync_now, restart or send_logs (POST
 * /api/iot/devices/{device_id}/actions), the device gets the pending ones
 * in each heartbeat's answer ("pending_actions", devices.c) until it
 * acknowledges each (POST .../actions/{id}/ack, its own only); the
 * hotel's readers list a device's actions with their status. Every
 * change audited (action_store.c). */
#include <string.h>
#include "action_store.h"
#include "app/handlers.h"
#include "attendance/action_audit_store.h"
#include "db.h"
#include "device_store.h"
#include "params.h"
#include "response.h"

static void not_found(struct request *req, const char *what)
{
    resp_error(req, 404, "NOT_FOUND", "No such %s.", what);
}

void h_device_actions_create(struct request *req)
{
    struct json_object *out = NULL;
    struct actor who;

    actor_of(req, &who);
    int rc = action_queue(req->tenant.id, arg_str(req, "device_id"), arg_str(req, "action"), &who, &out);
    if (rc == 1)
        resp_json(req, 201, out);
    else if (rc == 0)
        not_found(req, "device");
    else
        db_fail_reply(req);
}

void h_device_actions_list(struct request *req)
{
    int found = device_in_service(req->tenant.id, arg_str(req, "device_id"));

    if (found <= 0) {
        if (found == 0)
            not_found(req, "device");
        else
            db_fail_reply(req);
        return;
    }
    listing_reply(req, &action_list, arg_str(req, "device_id"));
}

void h_device_actions_ack(struct request *req)
{
    const char *device_id = arg_str(req, "device_id");
    struct json_object *out = NULL;
    struct actor who;

    /* a device speaks only for itself */
    if (strcmp(device_id, identity_of(req)->device_name) != 0) {
        not_found(req, "device");
        return;
    }
    actor_of(req, &who);
    const char *result = arg_str(req, "result");
    int rc = action_ack(identity_of(req)->device_id, req->tenant.id, device_id, arg_int(req, "action_id"),
                        result != NULL && strcmp(result, "failed") == 0, arg_str(req, "error"), &who, &out);
    if (rc == 1)
        resp_json(req, 200, out);
    else if (rc == 0)
        not_found(req, "action");
    else
        db_fail_reply(req);
}
