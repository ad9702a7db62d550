/* lifecycle_rules.h — a device's lifecycle (docs/iot.md, "Lifecycle"):
 * its states, what may be done from each and where that leads, the audit
 * action each change is recorded as, and the admin actions a device's
 * state allows (the devices page's buttons). The connectivity status
 * (online/offline/provisioning, device_rules.h) is apart from this.
 * Pure (no I/O); tests/unit/devices/test_lifecycle_rules.c holds every
 * (state, action) pair. */
#ifndef FC_LIFECYCLE_RULES_H
#define FC_LIFECYCLE_RULES_H

#include <json-c/json.h>

/* The stored lifecycle. A device has a key exactly in PROVISIONED,
 * ACTIVE and ERROR. */
enum lifecycle {
    LC_UNALLOCATED,     /* in the hotel's inventory (serial/MAC), not placed */
    LC_ALLOCATED,       /* placed at a location, no token */
    LC_PROVISIONING,    /* a token issued, not yet exchanged */
    LC_PROVISIONED,     /* the token exchanged for a key, not yet heard from */
    LC_ACTIVE,          /* heard from */
    LC_ERROR,           /* the device reported a fault */
    LC_DISABLED,        /* keys revoked; re-enabled only into ALLOCATED */
    LC_DECOMMISSIONED,  /* gone (terminal): every route answers 404 */
    LC_COUNT
};

enum lc_action {
    LA_ALLOCATE,        /* admin: place it (again) at a location */
    LA_TOKEN,           /* admin: issue a provisioning token */
    LA_PROVISION,       /* device: trade the token for a key */
    LA_HEARTBEAT,       /* device: alive, no fault */
    LA_FAULT,           /* device: a heartbeat reporting a fault, or its actions failing */
    LA_CLEAR_ERROR,     /* admin: the fault is dealt with */
    LA_DISABLE,         /* admin: keys revoked at once */
    LA_ENABLE,          /* admin: back into service, needing a new token */
    LA_DECOMMISSION,    /* admin: DELETE, gone for good */
    LA_COUNT
};

enum lc_verdict {
    LC_OK,              /* *to is where the action leads */
    LC_REFUSED,         /* not from this state: 409 INVALID_TRANSITION */
    LC_GONE             /* the device is decommissioned: 404 as if unknown */
};

/* Where action a leads from state from. */
enum lc_verdict lifecycle_next(enum lifecycle from, enum lc_action a, enum lifecycle *to);

/* A new device's lifecycle: PROVISIONING when registered with a token,
 * else ALLOCATED when placed (a location given), else UNALLOCATED. */
enum lifecycle lifecycle_at_registration(int with_token, int placed);

/* "UNALLOCATED" … "DECOMMISSIONED"; NULL out of range. */
const char *lifecycle_name(enum lifecycle s);

/* The reverse; the stored OFFLINE of older rows reads as ACTIVE. 0, or -1
 * for any other string (NULL included). */
int lifecycle_parse(const char *name, enum lifecycle *out);

/* How many failed actions in a row put a device in ERROR. */
#define LC_FAILED_ACTIONS 3

/* Whether a device is in fault by its actions: failed[0..n) are its latest
 * acknowledged actions, newest first (1 failed, 0 done); true when its
 * last LC_FAILED_ACTIONS all failed (fewer acknowledged: not yet). */
int lifecycle_actions_fault(const int *failed, int n);

/* The action's name as the API and the page call it ("allocate",
 * "provisioning-token", "provision", "heartbeat", "fault", "clear-error",
 * "disable", "enable", "deactivate"); NULL out of range. */
const char *lc_action_name(enum lc_action a);

/* The action audit's action for it ("device.allocated", …); NULL for the
 * device's own heartbeats, which are not audited. */
const char *lc_action_audit(enum lc_action a);

/* The admin actions (allocate, provisioning-token, clear-error, disable,
 * enable, deactivate) that s allows, by name, in that order: a new JSON
 * array the caller owns. */
struct json_object *lifecycle_admin_actions(enum lifecycle s);

#endif
