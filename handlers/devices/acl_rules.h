/* acl_rules.h — the device ACL tiers (seed 001's DeviceACL; docs/iot.md
 * "ACL tiers"): one table saying, for each tier, which HTTP routes (by
 * their route-table scope, handlers/app/routes.c) and which MQTT topics a
 * device may read and write. faceclock's route check (app_scope_or_reply,
 * handlers/app/scope.c) and the broker's acl_file (mqtt_acl_entry,
 * mqtt_rules.c) are both generated from it, and so is the rule list a
 * device's GET .../acl shows. Pure; tests/unit/devices/test_acl_rules.c. */
#ifndef FC_ACL_RULES_H
#define FC_ACL_RULES_H

/* The tiers; the number is the seed's DeviceTier ('1', '2', '3').
 * TIER_SERVICE is faceclock's own broker user, never a device's. */
enum device_tier { TIER_CAMERA = 1, TIER_DISPLAY = 2, TIER_GATEWAY = 3, TIER_SERVICE = 4, TIER_END };

/* The names a device's tier takes (devices.tier, the API's "tier"),
 * NULL-terminated, in tier order: the route table's choices. */
#define DEVICE_TIER_NAMES ((const char *const[]){"camera", "display", "gateway", NULL})

enum acl_via { ACL_HTTP, ACL_MQTT };

/* where an MQTT rule's topic is: what follows
 *   ACL_OWN    faceclock/<hotel_slug>/devices/<device_id>/
 *   ACL_HOTEL  faceclock/<hotel_slug>/devices/
 *   ACL_ALL    faceclock/  */
enum acl_place { ACL_OWN, ACL_HOTEL, ACL_ALL };

enum { ACL_READ = 1, ACL_WRITE = 2, ACL_READWRITE = 3 };

struct acl_rule {
    enum acl_via via;
    const char *what;          /* HTTP: a route scope ("sync"); MQTT: the topic after place ("up/#") */
    enum acl_place place;      /* MQTT only */
    int action;                /* ACL_READ, ACL_WRITE or ACL_READWRITE */
    unsigned char allow[TIER_END];   /* by tier */
};

/* The table, acl_nrules rows. */
extern const struct acl_rule acl_rules[];
extern const int acl_nrules;

/* "camera" -> TIER_CAMERA ...; 0 for anything else (the service too). */
int device_tier_parse(const char *name);

/* TIER_CAMERA -> "camera" ...; "" for anything else. */
const char *device_tier_name(int tier);

/* ACL_READ -> "read", ACL_WRITE -> "write", ACL_READWRITE -> "readwrite". */
const char *acl_action_name(int action);

/* Whether rule r allows tier (0 for a tier out of range). */
int acl_allows(const struct acl_rule *r, int tier);

/* The HTTP rule of a route scope, or NULL (no such scope). */
const struct acl_rule *acl_route_rule(const char *scope);

/* Whether a device of tier may call a route of that scope: 1 or 0 (an
 * unknown scope or tier is refused). */
int acl_route_allows(int tier, const char *scope);

#endif
