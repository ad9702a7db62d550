/* scope.c — the route scope check (fcgi/app.h: app_scope_or_reply). A
 * route's scope names an HTTP row of the device ACL table
 * (devices/acl_rules.c); a device whose tier that row does not allow is
 * refused 403 DEVICE_TIER_FORBIDDEN before the handler runs. Any other
 * caller the route admits passes: its access bits decided already. Owns
 * nothing. */
#include "access.h"
#include "app.h"
#include "devices/acl_rules.h"
#include "response.h"

int app_scope_or_reply(struct request *req)
{
    const struct identity *me = identity_of(req);
    const char *scope = req->route->scope;

    if (me->kind != CALLER_DEVICE || acl_route_allows(me->device_tier, scope))
        return 0;
    resp_error(req, 403, "DEVICE_TIER_FORBIDDEN", "A device of tier %s may not use this route (%s).",
               *device_tier_name(me->device_tier) != '\0' ? device_tier_name(me->device_tier) : "unknown", scope);
    return -1;
}
