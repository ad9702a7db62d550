/* acl_rules.c — the device ACL tiers' one table (acl_rules.h) and its
 * lookups. Owns nothing: static data and pure functions. */
#include <string.h>

#include "acl_rules.h"

/* Each row: what, then whether each tier may do it:
 *   camera (1):  its descriptors (sync) and recognition events, its own
 *                channel: reads its own subtree, writes its own up/;
 *   display (2): a kiosk display: its own channel only — heartbeat,
 *                config, actions, certificate; reads its own subtree,
 *                writes nothing over MQTT; no descriptors, no events;
 *   gateway (3): a hotel's local bridge or status board: as a display
 *                over HTTP, reads every device topic of its hotel and
 *                writes its own up/;
 *   service:     faceclock's own broker user, every faceclock topic. */
const struct acl_rule acl_rules[] = {
    /* via      what           place      action           -  cam dis gw svc */
    {ACL_HTTP, "sync",         ACL_OWN,   ACL_READ,      {0, 1, 0, 0, 0}},
    {ACL_HTTP, "events",       ACL_OWN,   ACL_WRITE,     {0, 1, 0, 0, 0}},
    {ACL_HTTP, "heartbeat",    ACL_OWN,   ACL_WRITE,     {0, 1, 1, 1, 0}},
    {ACL_HTTP, "config",       ACL_OWN,   ACL_READ,      {0, 1, 1, 1, 0}},
    {ACL_HTTP, "action_ack",   ACL_OWN,   ACL_WRITE,     {0, 1, 1, 1, 0}},
    {ACL_HTTP, "certificate",  ACL_OWN,   ACL_WRITE,     {0, 1, 1, 1, 0}},
    {ACL_MQTT, "#",            ACL_OWN,   ACL_READ,      {0, 1, 1, 1, 0}},
    {ACL_MQTT, "up/#",         ACL_OWN,   ACL_WRITE,     {0, 1, 0, 1, 0}},
    {ACL_MQTT, "#",            ACL_HOTEL, ACL_READ,      {0, 0, 0, 1, 0}},
    {ACL_MQTT, "#",            ACL_ALL,   ACL_READWRITE, {0, 0, 0, 0, 1}},
};
const int acl_nrules = (int)(sizeof acl_rules / sizeof acl_rules[0]);

static const char *const tier_names[] = {"", "camera", "display", "gateway"};

int device_tier_parse(const char *name)
{
    if (name == NULL)
        return 0;
    for (int t = TIER_CAMERA; t <= TIER_GATEWAY; t++)
        if (strcmp(name, tier_names[t]) == 0)
            return t;
    return 0;
}

const char *device_tier_name(int tier)
{
    return tier >= TIER_CAMERA && tier <= TIER_GATEWAY ? tier_names[tier] : "";
}

const char *acl_action_name(int action)
{
    switch (action) {
    case ACL_READ:      return "read";
    case ACL_WRITE:     return "write";
    case ACL_READWRITE: return "readwrite";
    default:            return "";
    }
}

int acl_allows(const struct acl_rule *r, int tier)
{
    return r != NULL && tier > 0 && tier < TIER_END && r->allow[tier];
}

const struct acl_rule *acl_route_rule(const char *scope)
{
    if (scope == NULL)
        return NULL;
    for (int i = 0; i < acl_nrules; i++)
        if (acl_rules[i].via == ACL_HTTP && strcmp(acl_rules[i].what, scope) == 0)
            return &acl_rules[i];
    return NULL;
}

int acl_route_allows(int tier, const char *scope)
{
    return acl_allows(acl_route_rule(scope), tier);
}
