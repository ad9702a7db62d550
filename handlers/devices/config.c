/* config.c — a device's configuration (docs/iot.md, "Config"): GET
 * /api/iot/devices/{device_id}/config for the hotel's readers and for the
 * device itself (its own only), PUT for admins (every setting checked by
 * device_config_rules.c, an unknown key refused; versioned and audited in
 * device_store.c). A device learns of a new version from config_version
 * in its heartbeat's answer. */
#include <string.h>
#include "app/handlers.h"
#include "attendance/action_audit_store.h"
#include "db.h"
#include "device_config_rules.h"
#include "device_store.h"
#include "params.h"
#include "response.h"

static void config_answer(struct request *req, int found, struct json_object *answer)
{
    if (found == 1)
        resp_json(req, 200, answer);
    else if (found == 0)
        resp_error(req, 404, "NOT_FOUND", "No such device.");
    else
        db_fail_reply(req);
}

void h_device_config_get(struct request *req)
{
    const char *device_id = arg_str(req, "device_id");
    struct json_object *answer = NULL;

    /* a device reads only its own */
    if (identity_of(req)->kind == CALLER_DEVICE && strcmp(device_id, identity_of(req)->device_name) != 0) {
        resp_error(req, 404, "NOT_FOUND", "No such device.");
        return;
    }
    int found = device_config_get(req->tenant.id, device_id, &answer);
    config_answer(req, found, answer);
}

void h_device_config_put(struct request *req)
{
    struct device_config c;
    struct json_object *answer = NULL;
    const char *field, *why;
    struct actor who;

    if (device_config_parse(req->json, &c, &field, &why) < 0) {
        resp_invalid(req, field, "%s %s.", field, why);
        return;
    }
    actor_of(req, &who);
    int found = device_config_put(req->tenant.id, arg_str(req, "device_id"), &c, &who, &answer);
    config_answer(req, found, answer);
}
