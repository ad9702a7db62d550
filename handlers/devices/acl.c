/* acl.c — a device's ACL tier (docs/iot.md "ACL tiers"): an admin changes
 * it (PUT /api/iot/devices/{device_id}/tier, audited in device_store.c);
 * the hotel's readers see its effective rules (GET .../acl), the seed's
 * [{action, topic, allow}] of every row of acl_rules.c's table that some
 * device tier is allowed: an HTTP row once per route of its scope (the
 * route table, "METHOD /path"), an MQTT row as the broker's acl_file
 * names the topic (mqtt_rules.c). The tier itself is enforced by the
 * router (app/scope.c) and the broker (mqtt_svc.c). */
#include <string.h>
#include "acl_rules.h"
#include "app.h"
#include "app/handlers.h"
#include "attendance/action_audit_store.h"
#include "db.h"
#include "device_store.h"
#include "jsonx.h"
#include "mqtt_rules.h"
#include "params.h"
#include "pool.h"
#include "response.h"

void h_device_tier_put(struct request *req)
{
    struct json_object *device = NULL;
    struct actor who;

    actor_of(req, &who);
    int found = device_tier_set(req->tenant.id, arg_str(req, "device_id"), arg_str(req, "tier"), &who, &device);
    if (found == 1)
        resp_json(req, 200, device);
    else if (found == 0)
        resp_error(req, 404, "NOT_FOUND", "No such device.");
    else
        db_fail_reply(req);
}

static void add_rule(struct json_object *rules, const char *via, int action, const char *topic, int allow)
{
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "via", via);
    jx_add_str(o, "action", acl_action_name(action));
    jx_add_str(o, "topic", topic);
    jx_add_bool(o, "allow", allow);
    json_object_array_add(rules, o);
}

/* "METHOD /path" of route r with its {device_id} filled in */
static const char *route_topic(struct pool *p, const struct route *r, const char *device_id)
{
    static const char cap[] = "{device_id}";
    const char *at = strstr(r->pattern, cap);
    if (at == NULL)
        return pool_printf(p, "%s %s", r->method, r->pattern);
    return pool_printf(p, "%s %.*s%s%s", r->method, (int)(at - r->pattern), r->pattern, device_id,
                       at + sizeof cap - 1);
}

void h_device_acl(struct request *req)
{
    const char *device_id = arg_str(req, "device_id");
    char topic[MQTT_TOPIC_MAX];
    int tier = 0;

    int found = device_tier_get(req->tenant.id, device_id, &tier);
    if (found <= 0) {
        if (found == 0)
            resp_error(req, 404, "NOT_FOUND", "No such device.");
        else
            db_fail_reply(req);
        return;
    }
    struct json_object *o = json_object_new_object(), *rules = json_object_new_array();
    jx_add_str(o, "device_id", device_id);
    jx_add_str(o, "tier", device_tier_name(tier));
    jx_add_int(o, "tier_level", tier);      /* the seed's DeviceTier: 1, 2, 3 */
    for (int i = 0; i < acl_nrules; i++) {
        const struct acl_rule *r = &acl_rules[i];
        if (!r->allow[TIER_CAMERA] && !r->allow[TIER_DISPLAY] && !r->allow[TIER_GATEWAY])
            continue;                       /* the service's */
        if (r->via == ACL_HTTP) {
            for (int k = 0; k < app_nroutes; k++)
                if (app_routes[k].scope != NULL && strcmp(app_routes[k].scope, r->what) == 0)
                    add_rule(rules, "http", r->action, route_topic(req->pool, &app_routes[k], device_id),
                             acl_allows(r, tier));
        } else if (mqtt_acl_topic(topic, sizeof topic, r, req->tenant.slug, device_id) == 0) {
            add_rule(rules, "mqtt", r->action, topic, acl_allows(r, tier));
        }                                   /* else no broker username: it polls */
    }
    json_object_object_add(o, "rules", rules);
    resp_json(req, 200, o);
}
