/* access_rules.c — owns the application's access model (access.h): which
 * access bits each kind of caller holds, and the names of users' roles.
 * Pure; tests/unit/app/test_access_rules.c. */
#include <string.h>
#include "access.h"

_Static_assert(((A_SYSADMIN | A_USERS | A_KIOSK | A_DEVICE) & ~A_APP_BITS) == 0,
               "the application's access bits must lie within the runtime's A_APP_BITS");

unsigned access_grants(enum caller_kind kind, int role)
{
    switch (kind) {
    case CALLER_SYSADMIN:
        return A_SYSADMIN;
    case CALLER_KIOSK:
        return A_KIOSK;
    case CALLER_DEVICE:
        return A_DEVICE;
    case CALLER_USER:
        switch (role) {
        case ROLE_STAFF:   return A_STAFF;
        case ROLE_MANAGER: return A_MANAGER;
        case ROLE_HR:      return A_HR;
        case ROLE_ADMIN:   return A_ADMIN;
        default:           return 0;
        }
    default:
        return 0;
    }
}

int role_from_name(const char *name)
{
    if (strcmp(name, "staff") == 0) return ROLE_STAFF;
    if (strcmp(name, "manager") == 0) return ROLE_MANAGER;
    if (strcmp(name, "hr") == 0) return ROLE_HR;
    if (strcmp(name, "admin") == 0) return ROLE_ADMIN;
    return 0;
}

const char *role_name(int role)
{
    switch (role) {
    case ROLE_STAFF: return "staff";
    case ROLE_MANAGER: return "manager";
    case ROLE_HR: return "hr";
    case ROLE_ADMIN: return "admin";
    default: return "";
    }
}
