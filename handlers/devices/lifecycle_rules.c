/* lifecycle_rules.c — owns the device lifecycle's transition table and
 * its names (lifecycle_rules.h). Pure. */
#include <string.h>
#include "jsonx.h"
#include "lifecycle_rules.h"

#define NO (-1)     /* refused */

/* next[from][action]: the state it leads to, or NO. Unlisted pairs are
 * 0 (UNALLOCATED), so every row lists every action. DECOMMISSIONED has
 * no row: it is gone. */
static const signed char next[LC_COUNT][LA_COUNT] = {
    [LC_UNALLOCATED] = {
        [LA_ALLOCATE] = LC_ALLOCATED, [LA_TOKEN] = NO, [LA_PROVISION] = NO, [LA_HEARTBEAT] = NO,
        [LA_FAULT] = NO, [LA_CLEAR_ERROR] = NO, [LA_DISABLE] = NO, [LA_ENABLE] = NO,
        [LA_DECOMMISSION] = LC_DECOMMISSIONED},
    [LC_ALLOCATED] = {
        [LA_ALLOCATE] = LC_ALLOCATED, [LA_TOKEN] = LC_PROVISIONING, [LA_PROVISION] = NO, [LA_HEARTBEAT] = NO,
        [LA_FAULT] = NO, [LA_CLEAR_ERROR] = NO, [LA_DISABLE] = LC_DISABLED, [LA_ENABLE] = NO,
        [LA_DECOMMISSION] = LC_DECOMMISSIONED},
    [LC_PROVISIONING] = {
        [LA_ALLOCATE] = NO, [LA_TOKEN] = LC_PROVISIONING, [LA_PROVISION] = LC_PROVISIONED, [LA_HEARTBEAT] = NO,
        [LA_FAULT] = NO, [LA_CLEAR_ERROR] = NO, [LA_DISABLE] = LC_DISABLED, [LA_ENABLE] = NO,
        [LA_DECOMMISSION] = LC_DECOMMISSIONED},
    /* with a key: a new token leaves the state (and the key) as they are
     * until it is exchanged, which re-provisions and clears a fault */
    [LC_PROVISIONED] = {
        [LA_ALLOCATE] = NO, [LA_TOKEN] = LC_PROVISIONED, [LA_PROVISION] = LC_PROVISIONED,
        [LA_HEARTBEAT] = LC_ACTIVE, [LA_FAULT] = LC_ERROR, [LA_CLEAR_ERROR] = NO, [LA_DISABLE] = LC_DISABLED,
        [LA_ENABLE] = NO, [LA_DECOMMISSION] = LC_DECOMMISSIONED},
    [LC_ACTIVE] = {
        [LA_ALLOCATE] = NO, [LA_TOKEN] = LC_ACTIVE, [LA_PROVISION] = LC_PROVISIONED,
        [LA_HEARTBEAT] = LC_ACTIVE, [LA_FAULT] = LC_ERROR, [LA_CLEAR_ERROR] = NO, [LA_DISABLE] = LC_DISABLED,
        [LA_ENABLE] = NO, [LA_DECOMMISSION] = LC_DECOMMISSIONED},
    /* a healthy heartbeat is the device's word that the fault is over */
    [LC_ERROR] = {
        [LA_ALLOCATE] = NO, [LA_TOKEN] = LC_ERROR, [LA_PROVISION] = LC_PROVISIONED,
        [LA_HEARTBEAT] = LC_ACTIVE, [LA_FAULT] = LC_ERROR, [LA_CLEAR_ERROR] = LC_ACTIVE,
        [LA_DISABLE] = LC_DISABLED, [LA_ENABLE] = NO, [LA_DECOMMISSION] = LC_DECOMMISSIONED},
    /* keys revoked; back only through ALLOCATED and a new token */
    [LC_DISABLED] = {
        [LA_ALLOCATE] = NO, [LA_TOKEN] = NO, [LA_PROVISION] = NO, [LA_HEARTBEAT] = NO,
        [LA_FAULT] = NO, [LA_CLEAR_ERROR] = NO, [LA_DISABLE] = NO, [LA_ENABLE] = LC_ALLOCATED,
        [LA_DECOMMISSION] = LC_DECOMMISSIONED},
};

static const char *const names[LC_COUNT] = {
    [LC_UNALLOCATED] = "UNALLOCATED", [LC_ALLOCATED] = "ALLOCATED", [LC_PROVISIONING] = "PROVISIONING",
    [LC_PROVISIONED] = "PROVISIONED", [LC_ACTIVE] = "ACTIVE", [LC_ERROR] = "ERROR",
    [LC_DISABLED] = "DISABLED", [LC_DECOMMISSIONED] = "DECOMMISSIONED",
};

static const struct {
    const char *name, *audit;
    int admin;              /* offered on the devices page */
} actions[LA_COUNT] = {
    [LA_ALLOCATE] = {"allocate", "device.allocated", 1},
    [LA_TOKEN] = {"provisioning-token", "device.token_issued", 1},
    [LA_PROVISION] = {"provision", "device.provisioned", 0},
    [LA_HEARTBEAT] = {"heartbeat", NULL, 0},
    [LA_FAULT] = {"fault", NULL, 0},
    [LA_CLEAR_ERROR] = {"clear-error", "device.error_cleared", 1},
    [LA_DISABLE] = {"disable", "device.disabled", 1},
    [LA_ENABLE] = {"enable", "device.enabled", 1},
    [LA_DECOMMISSION] = {"deactivate", "device.deactivated", 1},
};

enum lc_verdict lifecycle_next(enum lifecycle from, enum lc_action a, enum lifecycle *to)
{
    if ((unsigned)from >= LC_COUNT || (unsigned)a >= LA_COUNT || from == LC_DECOMMISSIONED)
        return LC_GONE;
    if (next[from][a] == NO)
        return LC_REFUSED;
    *to = (enum lifecycle)next[from][a];
    return LC_OK;
}

enum lifecycle lifecycle_at_registration(int with_token, int placed)
{
    return with_token ? LC_PROVISIONING : placed ? LC_ALLOCATED : LC_UNALLOCATED;
}

const char *lifecycle_name(enum lifecycle s)
{
    return (unsigned)s < LC_COUNT ? names[s] : NULL;
}

int lifecycle_parse(const char *name, enum lifecycle *out)
{
    if (name == NULL)
        return -1;
    if (strcmp(name, "OFFLINE") == 0) {
        *out = LC_ACTIVE;
        return 0;
    }
    for (int i = 0; i < LC_COUNT; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (enum lifecycle)i;
            return 0;
        }
    return -1;
}

int lifecycle_actions_fault(const int *failed, int n)
{
    if (n < LC_FAILED_ACTIONS)
        return 0;
    for (int i = 0; i < LC_FAILED_ACTIONS; i++)
        if (!failed[i])
            return 0;
    return 1;
}

const char *lc_action_name(enum lc_action a)
{
    return (unsigned)a < LA_COUNT ? actions[a].name : NULL;
}

const char *lc_action_audit(enum lc_action a)
{
    return (unsigned)a < LA_COUNT ? actions[a].audit : NULL;
}

struct json_object *lifecycle_admin_actions(enum lifecycle s)
{
    static const enum lc_action order[] = {LA_ALLOCATE, LA_TOKEN, LA_CLEAR_ERROR, LA_DISABLE, LA_ENABLE,
                                           LA_DECOMMISSION};
    struct json_object *arr = json_object_new_array();
    enum lifecycle to;

    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (lifecycle_next(s, order[i], &to) == LC_OK)
            json_object_array_add(arr, json_object_new_string(actions[order[i]].name));
    return arr;
}
