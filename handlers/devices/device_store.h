/* device_store.h — the edge-device registry in the database
 * (device_store.c): registering, listing, the lifecycle's transitions
 * (allocate, provisioning token, clear error, disable, enable,
 * deactivate), the ACL tier, revoking a device's keys, the exchange of a token for a
 * key, the heartbeat. Each
 * device is answered as docs/iot.md lists it (a new JSON object the caller
 * owns). None of them answers the request: on a database failure they
 * return -1 and the caller answers with db_fail_reply(). */
#ifndef FC_DEVICE_STORE_H
#define FC_DEVICE_STORE_H

#include <json-c/json.h>
#include "app/list_store.h"
#include "crypto.h"
#include "lifecycle_rules.h"
#include "request.h"

/* The SQL of the age in seconds of the last heartbeat of device row d,
 * as device_status() reads it (NULL: none): a disabled device is offline
 * whatever its last heartbeat said. The list and the push share it. */
#define DEVICE_HEARTBEAT_AGE \
    "CASE WHEN d.lifecycle <> 'DISABLED' THEN extract(epoch FROM now() - d.last_heartbeat_at)::float8 END"

/* What a registration records (NULL: the column's default or none). */
struct device_reg {
    const char *device_id, *display_name, *category, *capability, *location_label;
    const char *serial_number, *mac_address;
    const char *tier;          /* a name of DEVICE_TIER_NAMES (acl_rules.h); NULL: camera */
    int has_geo;
    double lon, lat;
};

/* Each change below is audited as done by who (device.registered,
 * device.provisioned, and lc_action_audit() of each transition, with the
 * old and new lifecycle) in its own transaction. */

/* Register d for the hotel, with a new provisioning token (token, stored
 * as token_hash: PROVISIONING) or without one (token NULL: UNALLOCATED,
 * or ALLOCATED when it has a location), or register again a
 * decommissioned device of that device_id. 1 with *device: the device,
 * and with a token "provisioning_token" and "provisioning_expires_at"; 0
 * when a device in service has that device_id; -1. */
struct actor;
int device_create(long long hotel_id, const struct device_reg *d, const char *token, const char *token_hash,
                  const struct actor *who, struct json_object **device);

/* What a transition needs besides the device: LA_ALLOCATE its place,
 * LA_TOKEN the new token and its hash. */
struct device_change {
    const char *location_label;
    int has_geo;
    double lon, lat;
    const char *token, *token_hash;
    const char *tier;          /* LA_ALLOCATE: its new ACL tier, NULL: unchanged */
};

#define DEVICE_REFUSED 2

/* The admin's transition act (LA_ALLOCATE, LA_TOKEN, LA_CLEAR_ERROR,
 * LA_DISABLE, LA_ENABLE, LA_DECOMMISSION) of the hotel's device
 * device_id, in one transaction: the row locked, the move checked with
 * lifecycle_next(), made, audited. Disabling and decommissioning revoke
 * its keys (device_revoke_keys()); decommissioning also takes every
 * profile it held off it with a 'remove' change. 1 with *device (LA_TOKEN:
 * with "provisioning_token" and "provisioning_expires_at";
 * LA_DECOMMISSION: with "deactivated_at"); 0 no such device (or
 * decommissioned); DEVICE_REFUSED with *from, its lifecycle, when the
 * move is not allowed from there; -1 (rolled back). */
int device_transition(long long hotel_id, const char *device_id, enum lc_action act, const struct device_change *c,
                      const struct actor *who, struct json_object **device, enum lifecycle *from);

/* Inside the caller's transaction: every credential of device device_pk
 * revoked at once (its API key, any provisioning token, its certificates:
 * device_certs_revoke(); call device_crl_write() after the commit); the
 * one place that does it, for disable and decommission. 0 or -1. */
int device_revoke_keys(long long device_pk);

/* Which device the provisioning token was issued for: every live token of
 * a device named device_id is checked (or a dummy hash when none is, so
 * a failure always costs a scrypt). 1 with *device_pk and its stored hash
 * in token_hash; 0 when none matches; -1. */
int device_token_owner(const char *device_id, const char *token, long long *device_pk,
                       char token_hash[CRYPTO_HASH_MAX]);

/* Exchange the token stored as token_hash for the key stored as
 * key_hash (and as mqtt_hash, the broker's password hash of the same key:
 * mqtt_rules.h), once: the device is then provisioned, and cert (NULL: none)
 * recorded as its certificate in the same transaction (its serial and
 * expiry in the audit row's new value). 1; 0 when the token was used,
 * replaced or expired meanwhile; -1. */
struct device_cert;
int device_provision(long long device_pk, const char *token_hash, const char *key_hash, const char *mqtt_hash,
                     const struct device_cert *cert,
                     const struct actor *who);

/* The device's heartbeat, in one transaction: online now, in error when
 * error is not NULL, its receipt (hb's applied_version,
 * receipt_record()), its applied config version (hb's
 * applied_config_version, config_applied_record()) and a metrics sample
 * of what hb reports (metrics_record()), and the actions queued for it
 * delivered (action_deliver(): *device's "pending_actions"). 1 with
 * *device; 0 when it is deactivated; DEVICE_AHEAD when hb's
 * applied_version is past the hotel's version, DEVICE_CONFIG_AHEAD when
 * its applied_config_version is past its config_version (nothing stored
 * either way); -1. */
#define DEVICE_AHEAD 3
#define DEVICE_CONFIG_AHEAD 4
struct heartbeat;
int device_heartbeat(long long device_pk, long long hotel_id, const char *error, const struct heartbeat *hb,
                     struct json_object **device);

/* The ACL tier (acl_rules.h) of the hotel's device device_id in service:
 * 1 with *tier (0 if the stored name is unknown), 0 no such device, -1. */
int device_tier_get(long long hotel_id, const char *device_id, int *tier);

/* The hotel's device device_id in service moved to ACL tier (a name of
 * DEVICE_TIER_NAMES, checked by the route), audited (device.tier_changed,
 * the old and new tier) in the same transaction. 1 with *device; 0 no
 * such device; -1 (rolled back). */
int device_tier_set(long long hotel_id, const char *device_id, const char *tier, const struct actor *who,
                    struct json_object **device);

/* Whether the hotel has device device_id in service: 1, 0 or -1. */
int device_in_service(long long hotel_id, const char *device_id);

/* The device list's filter: ?capability= &status= &location_label= */
struct device_filter {
    const char *capability, *status, *location_label;    /* NULL: any */
};

/* The filter from the route's declared query parameters. */
void device_filter_of(const struct request *req, struct device_filter *f);

/* A page of the hotel's active devices matching f: *listing is the seed's
 * {"devices": [...], "total", "online", "offline"} (caller owns), *total
 * the matching devices. 0 or -1. */
int device_listing(long long hotel_id, const struct device_filter *f, long limit, long offset,
                   struct json_object **listing, long long *total);

/* GET /api/iot/devices: device_listing() paged like every list. */
extern const struct listing device_list;

#endif
