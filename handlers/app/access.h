/* access.h — who may call faceclock, as the application sees it: the
 * kinds of caller and the roles of users, the access bits routes name
 * (within the runtime's A_APP_BITS, fcgi/router.h), and the caller's
 * identity that the identify hook establishes (identity_store.c) and
 * every handler reads through identity_of(). */
#ifndef FC_APP_ACCESS_H
#define FC_APP_ACCESS_H

#include "request.h"
#include "router.h"

struct pg_result;

enum caller_kind { CALLER_NONE = 0, CALLER_SYSADMIN, CALLER_USER, CALLER_KIOSK, CALLER_DEVICE };

/* roles of users, one bit each */
enum role { ROLE_STAFF = 1, ROLE_MANAGER = 2, ROLE_HR = 4, ROLE_ADMIN = 8 };

/* who may call a route: bits, combined with | (and with A_PUBLIC, R_PAGE) */
enum app_access {
    A_SYSADMIN = 1 << 1,    /* X-API-Key = FACECLOCK_ADMIN_KEY */
    A_STAFF    = 1 << 2,
    A_MANAGER  = 1 << 3,
    A_HR       = 1 << 4,
    A_ADMIN    = 1 << 5,    /* a hotel's admin role */
    A_KIOSK    = 1 << 6,
    A_DEVICE   = 1 << 7,
    A_USERS    = A_STAFF | A_MANAGER | A_HR | A_ADMIN,
};

/* Who is calling. Lives in req->pool (req->caller.identity). */
struct identity {
    enum caller_kind kind;
    int role;                  /* one ROLE_* for users, 0 otherwise */
    long long hotel_id;        /* 0 for the system administrator */
    char hotel_slug[64];
    long long user_id;         /* users */
    long long staff_id;        /* users bound to a staff record, else 0 */
    char username[65];
    long long kiosk_id;        /* kiosks */
    long long device_id;       /* edge devices (section 6): devices.id */
    char device_name[72];      /* edge devices: their device_id ("cam-001") */
    const char *kiosk_hash;    /* kiosks taken from the worker's cache, until
                                  confirmed: the key hash they were checked
                                  against (pool string); NULL when confirmed */
    int device_tier;           /* edge devices: their ACL tier (devices/acl_rules.h), 0 unknown */
};

/* ---- access_rules.c (pure) ------------------------------------------- */

/* The access bits a caller of that kind (and role, for users) holds. */
unsigned access_grants(enum caller_kind kind, int role);

/* "staff"/"manager"/"hr"/"admin" -> ROLE_*, else 0 */
int role_from_name(const char *name);

/* ROLE_* -> its name, "" for anything else */
const char *role_name(int role);

/* ---- identity_store.c ------------------------------------------------ */

/* the identity of an anonymous caller (CALLER_NONE, all zero) */
extern const struct identity identity_none;

/* The caller's identity; never NULL (identity_none when anonymous). */
static inline const struct identity *identity_of(const struct request *req)
{
    return req->caller.identity != NULL ? req->caller.identity : &identity_none;
}

/* Make req's caller the user in columns 0..5 of a result row (user id,
 * user name, role, hotel id, hotel slug, staff id), with its grants, as
 * a login does. Returns the identity (owned by req->pool) to complete. */
struct identity *identity_set_user(struct request *req, const struct pg_result *r, int row);

/* A kiosk's identity may come from this worker's cache (no round trip) on
 * a route whose handler confirms it in its own first statement, which
 * reads the kiosk's key hash and hotel slug as they are now (none for a
 * revoked kiosk): the scan (clock.face). Confirm with those (hash NULL:
 * no such live kiosk). 1 when the caller stands (or was not taken from
 * the cache); else the entry is dropped, 401 answered and 0. */
int identity_kiosk_confirm_or_reply(struct request *req, const char *key_hash, const char *hotel_slug);

#endif
