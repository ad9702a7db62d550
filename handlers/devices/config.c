/* config.c — configurations (docs/iot.md, "Config"): a device's, GET
 * /api/iot/devices/{device_id}/config for the hotel's readers and for the
 * device itself (its own only: the effective configuration it runs, its
 * location's settings under its own), PUT for admins; a location's, GET
 * and PUT /api/iot/locations/{location_label}/config (managers write).
 * Every setting is checked by device_config_rules.c (an unknown key
 * refused); versioned and audited in config_store.c. A device learns of a
 * new version from its MQTT config topic or config_version in its
 * heartbeat's answer. */
#include <string.h>
#include "app/handlers.h"
#include "attendance/action_audit_store.h"
#include "config_store.h"
#include "db.h"
#include "device_config_rules.h"
#include "params.h"
#include "response.h"

static void config_answer(struct request *req, int found, struct json_object *answer, const char *what)
{
    if (found == 1)
        resp_json(req, 200, answer);
    else if (found == 0)
        resp_error(req, 404, "NOT_FOUND", "No such %s.", what);
    else
        db_fail_reply(req);
}

/* the settings of the request's body as stored, or NULL when answered 400 */
static struct json_object *settings_of(struct request *req)
{
    const char *field, *why;
    struct json_object *settings = device_config_settings(req->json, &field, &why);

    if (settings == NULL)
        resp_invalid(req, field, "%s %s.", field, why);
    return settings;
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
    config_answer(req, found, answer, "device");
}

void h_device_config_put(struct request *req)
{
    struct json_object *answer = NULL, *settings = settings_of(req);
    struct actor who;

    if (settings == NULL)
        return;
    actor_of(req, &who);
    int found = device_config_put(req->tenant.id, arg_str(req, "device_id"), settings, &who, &answer);
    json_object_put(settings);
    config_answer(req, found, answer, "device");
}

void h_location_config_get(struct request *req)
{
    struct json_object *answer = NULL;
    int found = location_config_get(req->tenant.id, arg_str(req, "location_label"), &answer);

    config_answer(req, found, answer, "location");
}

void h_location_config_put(struct request *req)
{
    struct json_object *answer = NULL, *settings = settings_of(req);
    struct actor who;

    if (settings == NULL)
        return;
    actor_of(req, &who);
    int found = location_config_put(req->tenant.id, arg_str(req, "location_label"), settings, &who, &answer);
    json_object_put(settings);
    config_answer(req, found, answer, "location");
}
