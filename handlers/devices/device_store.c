/* device_store.c — owns the devices table (device_store.h): its
 * statements, the device as docs/iot.md lists it (device_json), the
 * device list (a listing put together in C, app/list_store.h: the status
 * filter and the counts are applied here), the lifecycle's transitions
 * (one transaction each: the row locked, the move checked against
 * lifecycle_rules.c, made, audited with the old and new lifecycle), the
 * revocation of a device's keys, the check of a provisioning token
 * against the stored scrypt hashes. The status rules are in
 * device_rules.c. */
#include <stdio.h>
#include "acl_rules.h"
#include "action_store.h"
#include "auth.h"
#include "cert_store.h"
#include "config_store.h"
#include "db.h"
#include "attendance/action_audit_store.h"
#include "attendance/face_store.h"
#include "device_rules.h"
#include "device_store.h"
#include "jsonx.h"
#include "lifecycle_rules.h"
#include "metrics_store.h"
#include "params.h"
#include "receipt_store.h"

/* tokens checked per exchange at most: one per hotel that issued a token
 * for a device of that device_id in the last DEVICE_TOKEN_SECONDS */
#define PROVISION_CANDIDATES 8

/* the columns device_json() reads, in the order of the enum below: age is
 * the SQL of the last heartbeat's age in seconds (NULL: none), count that
 * of enrolled_count */
#define DEVICE_COLS_WITH(age, count)                                                               \
    "d.device_id, d.display_name, d.device_category, d.capability, d.location_label, "            \
    "d.location_lon, d.location_lat, d.provisioned_at IS NOT NULL, " age ", d.lifecycle, "         \
    "fc_ts(d.last_heartbeat_at), " count ", d.sync_version, d.error_message, "                     \
    "fc_ts(d.provisioned_at), fc_ts(d.created_at), d.serial_number, d.mac_address, fc_ts(d.disabled_at), " \
    "fc_ts(d.error_reported_at), d.applied_version, fc_ts(d.applied_at), d.config_version, " \
    "d.applied_config_version, d.tier"
#define DEVICE_COLS                                                                                \
    DEVICE_COLS_WITH(DEVICE_HEARTBEAT_AGE, "(SELECT count(*) FROM device_profiles p WHERE p.device_pk = d.id)")

enum { C_DEVICE_ID, C_NAME, C_CATEGORY, C_CAPABILITY, C_LOCATION, C_LON, C_LAT, C_PROVISIONED,
       C_AGE, C_LIFECYCLE, C_HEARTBEAT, C_ENROLLED, C_SYNC, C_ERROR, C_PROVISIONED_AT, C_CREATED,
       C_SERIAL, C_MAC, C_DISABLED, C_ERROR_AT, C_APPLIED, C_APPLIED_AT, C_CONFIG_VERSION,
       C_APPLIED_CONFIG, C_TIER, C_EXTRA /* the statement's own column after the device's */ };

/* A new registration in lifecycle $11 (with the token hash $9 when
 * PROVISIONING, else none), or the re-registration of a decommissioned
 * device of the same device_id (the row is reset and keeps its id). No
 * row comes back when a device in service has that device_id. */
static struct db_stmt st_create = {
    "devices_create",
    "INSERT INTO devices AS d (hotel_id, device_id, display_name, device_category, capability, "
    "location_label, location_lon, location_lat, lifecycle, provisioning_token_hash, "
    "token_expires_at, allocated_at, serial_number, mac_address, registered_version, tier) "
    "VALUES ($1, $2, $3, coalesce($4, 'camera'), coalesce($5, 'face_recognition'), $6, "
    "$7::float8, $8::float8, $11, $9::text, "
    "CASE WHEN $9::text IS NOT NULL THEN now() + $10 * interval '1 second' END, "
    "CASE WHEN $11 <> 'UNALLOCATED' THEN now() END, $12, $13, (SELECT sync_version FROM hotels WHERE id = $1), "
    "coalesce($14, 'camera')) "
    "ON CONFLICT ON CONSTRAINT devices_device_id_unique DO UPDATE SET "
    "display_name = excluded.display_name, device_category = excluded.device_category, "
    "capability = excluded.capability, location_label = excluded.location_label, "
    "location_lon = excluded.location_lon, location_lat = excluded.location_lat, "
    "lifecycle = excluded.lifecycle, error_message = NULL, error_reported_at = NULL, error_source = NULL, "
    "model = excluded.model, "
    "provisioning_token_hash = excluded.provisioning_token_hash, "
    "token_expires_at = excluded.token_expires_at, token_used = false, key_hash = NULL, mqtt_hash = NULL, "
    "allocated_at = excluded.allocated_at, provisioned_at = NULL, last_heartbeat_at = NULL, sync_version = 0, "
    "applied_version = 0, applied_at = NULL, registered_version = excluded.registered_version, "
    "deactivated_at = NULL, disabled_at = NULL, created_at = now(), "
    "serial_number = excluded.serial_number, mac_address = excluded.mac_address, tier = excluded.tier "
    "WHERE d.deactivated_at IS NOT NULL "
    "RETURNING " DEVICE_COLS ", fc_ts(d.token_expires_at)",
    0,
};

/* every active device of the hotel with the capability and location
 * filters; the status filter, counts and page are applied in C */
static struct db_stmt st_list = {
    "devices_list",
    "SELECT " DEVICE_COLS " FROM devices d WHERE d.hotel_id = $1 AND d.deactivated_at IS NULL "
    "AND ($2::text IS NULL OR d.capability = $2) AND ($3::text IS NULL OR d.location_label = $3) "
    "ORDER BY d.device_id",
    0,
};

/* The hotel's device in service, locked for a transition. */
static struct db_stmt st_lock = {
    "devices_lock",
    "SELECT id, lifecycle FROM devices WHERE hotel_id = $1 AND device_id = $2 AND deactivated_at IS NULL "
    "FOR UPDATE",
    0,
};

/* Each transition's change of device $1 into lifecycle $2, answering the
 * device (then its C_EXTRA column, if any). */
static struct db_stmt st_allocate = {
    "devices_allocate",
    "UPDATE devices d SET lifecycle = $2, location_label = $3, location_lon = $4::float8, "
    "location_lat = $5::float8, allocated_at = now(), tier = coalesce($6, d.tier) WHERE d.id = $1 "
    "RETURNING " DEVICE_COLS,
    0,
};

/* A new token replaces any earlier one; a device with a key keeps it (and
 * its lifecycle) until the token is exchanged. */
static struct db_stmt st_token = {
    "devices_token",
    "UPDATE devices d SET lifecycle = $2, provisioning_token_hash = $3, "
    "token_expires_at = now() + $4 * interval '1 second', token_used = false "
    "WHERE d.id = $1 RETURNING " DEVICE_COLS ", fc_ts(d.token_expires_at)",
    0,
};

static struct db_stmt st_disable = {
    "devices_disable",
    "UPDATE devices d SET lifecycle = $2, disabled_at = now() WHERE d.id = $1 RETURNING " DEVICE_COLS,
    0,
};

/* back into service as if just placed: it needs a new token */
static struct db_stmt st_enable = {
    "devices_enable",
    "UPDATE devices d SET lifecycle = $2, disabled_at = NULL, provisioned_at = NULL, error_message = NULL, "
    "error_reported_at = NULL, error_source = NULL "
    "WHERE d.id = $1 RETURNING " DEVICE_COLS,
    0,
};

static struct db_stmt st_clear_error = {
    "devices_clear_error",
    "UPDATE devices d SET lifecycle = $2, error_message = NULL, error_reported_at = NULL, error_source = NULL "
    "WHERE d.id = $1 RETURNING " DEVICE_COLS,
    0,
};

/* gone (shown offline, holding nothing); the row stays for its events.
 * Then (same transaction) st_unhold. */
static struct db_stmt st_deactivate = {
    "devices_deactivate",
    "UPDATE devices d SET lifecycle = $2, deactivated_at = now(), disabled_at = NULL "
    "WHERE d.id = $1 RETURNING " DEVICE_COLS_WITH("NULL", "0") ", fc_ts(d.deactivated_at)",
    0,
};

/* Every credential of a device void: its API key (and the broker password
 * hash made from it: the mqtt service drops it from the broker's files)
 * and any provisioning token. */
static struct db_stmt st_revoke = {
    "devices_revoke_keys",
    "UPDATE devices SET key_hash = NULL, mqtt_hash = NULL, provisioning_token_hash = NULL, token_used = true "
    "WHERE id = $1",
    0,
};

/* Everything the device held, taken off it with a 'remove' change each,
 * as when face data is deleted: should the same device come back under
 * this row (re-registered), an incremental sync removes what it kept. */
static struct db_stmt st_unhold = {
    "devices_unhold",
    "WITH gone AS (DELETE FROM device_profiles WHERE device_pk = $2 RETURNING staff_id) "
    "SELECT count(fc_face_change($1, 'remove', staff_id, $2)) FROM gone",
    0,
};

/* The unused, unexpired tokens of devices with this device_id, in any
 * hotel (the id alone does not name the hotel), newest first. Expired
 * ones are left out: they would pile up for common ids ("cam-001") and
 * crowd out the live ones. */
static struct db_stmt st_candidates = {
    "devices_provision_candidates",
    "SELECT id, provisioning_token_hash FROM devices "
    "WHERE device_id = $1 AND NOT token_used AND provisioning_token_hash IS NOT NULL "
    "AND token_expires_at > now() AND deactivated_at IS NULL "
    "ORDER BY token_expires_at DESC, id LIMIT $2",
    0,
};

/* the exchange, once: only while the verified token is still the
 * device's, unused and fresh */
static struct db_stmt st_provision = {
    "devices_provision",
    "UPDATE devices SET token_used = true, provisioning_token_hash = NULL, key_hash = $3, mqtt_hash = $4, "
    "lifecycle = 'PROVISIONED', provisioned_at = now(), error_message = NULL, error_reported_at = NULL, "
    "error_source = NULL "
    "WHERE id = $1 AND provisioning_token_hash = $2 AND NOT token_used "
    "AND token_expires_at > now() AND lifecycle IN ('PROVISIONING', 'PROVISIONED', 'ACTIVE', 'ERROR') "
    "RETURNING device_id, hotel_id",
    0,
};

/* ACTIVE, or ERROR with the fault $3 (error_reported_at: since its first
 * report, kept while the device keeps reporting a fault); a fault its
 * failing actions caused (error_source 'actions', action_store.c) is not
 * ended by a healthy heartbeat */
static struct db_stmt st_heartbeat = {
    "devices_heartbeat",
    "UPDATE devices d SET last_heartbeat_at = now(), "
    "error_message = CASE WHEN $3::text IS NOT NULL THEN $3 WHEN d.error_source = 'actions' THEN d.error_message END, "
    "error_source = CASE WHEN $3::text IS NOT NULL THEN 'heartbeat' WHEN d.error_source = 'actions' THEN 'actions' END, "
    "error_reported_at = CASE WHEN $3::text IS NOT NULL OR d.error_source = 'actions' "
    "  THEN coalesce(d.error_reported_at, now()) END, "
    "lifecycle = CASE WHEN $3::text IS NULL AND d.error_source IS DISTINCT FROM 'actions' THEN 'ACTIVE' ELSE 'ERROR' END "
    "WHERE d.id = $1 AND d.hotel_id = $2 AND d.lifecycle IN ('PROVISIONED', 'ACTIVE', 'ERROR') "
    "RETURNING " DEVICE_COLS,
    0,
};

static enum device_status row_status(const PGresult *r, int row)
{
    return device_status(db_bool(r, row, C_PROVISIONED), !PQgetisnull(r, row, C_AGE),
                         db_double(r, row, C_AGE));
}

/* The device as docs/iot.md lists it. Caller owns (puts) the result. */
static struct json_object *device_json(const PGresult *r, int row)
{
    struct json_object *o = json_object_new_object();
    enum device_status s = row_status(r, row);

    jx_add_str(o, "device_id", db_str(r, row, C_DEVICE_ID));
    jx_add_str(o, "display_name", db_str(r, row, C_NAME));
    jx_add_str(o, "device_category", db_str(r, row, C_CATEGORY));
    jx_add_str(o, "capability", db_str(r, row, C_CAPABILITY));
    jx_add_str(o, "location_label", db_str(r, row, C_LOCATION));
    if (PQgetisnull(r, row, C_LON)) {
        json_object_object_add(o, "location_geo", NULL);
    } else {
        /* PostgreSQL's shortest exact spelling of each double */
        struct json_object *geo = json_object_new_array();
        json_object_array_add(geo, json_object_new_double_s(db_double(r, row, C_LON),
                                                            PQgetvalue(r, row, C_LON)));
        json_object_array_add(geo, json_object_new_double_s(db_double(r, row, C_LAT),
                                                            PQgetvalue(r, row, C_LAT)));
        json_object_object_add(o, "location_geo", geo);
    }
    jx_add_str(o, "status", device_status_name(s));
    jx_add_str(o, "lifecycle", device_lifecycle_shown(PQgetvalue(r, row, C_LIFECYCLE), s));
    jx_add_str(o, "last_heartbeat_at", db_str(r, row, C_HEARTBEAT));
    jx_add_int(o, "enrolled_count", db_ll(r, row, C_ENROLLED));
    jx_add_int(o, "sync_version", db_ll(r, row, C_SYNC));
    jx_add_int(o, "applied_version", db_ll(r, row, C_APPLIED));
    jx_add_str(o, "applied_at", db_str(r, row, C_APPLIED_AT));
    jx_add_int(o, "config_version", db_ll(r, row, C_CONFIG_VERSION));
    jx_add_int(o, "applied_config_version", db_ll(r, row, C_APPLIED_CONFIG));
    jx_add_str(o, "error_message", db_str(r, row, C_ERROR));
    jx_add_str(o, "provisioned_at", db_str(r, row, C_PROVISIONED_AT));
    jx_add_str(o, "created_at", db_str(r, row, C_CREATED));
    jx_add_str(o, "serial_number", db_str(r, row, C_SERIAL));
    jx_add_str(o, "mac_address", db_str(r, row, C_MAC));
    jx_add_str(o, "disabled_at", db_str(r, row, C_DISABLED));
    jx_add_str(o, "error_reported_at", db_str(r, row, C_ERROR_AT));
    jx_add_str(o, "tier", db_str(r, row, C_TIER));
    enum lifecycle lc;
    if (lifecycle_parse(PQgetvalue(r, row, C_LIFECYCLE), &lc) < 0)
        lc = LC_DECOMMISSIONED;     /* the table's CHECK allows no other */
    json_object_object_add(o, "actions", lifecycle_admin_actions(lc));
    return o;
}

/* *device from the only row of r (DEVICE_COLS, then C_EXTRA): the
 * device, then token as "provisioning_token" when not NULL, then the
 * C_EXTRA column as extra when not NULL. Clears r. 1; 0 when r has no
 * row; -1 when r is NULL (a database failure). */
static int device_of(PGresult *r, const char *token, const char *extra, struct json_object **device)
{
    if (r == NULL)
        return -1;
    int found = PQntuples(r) == 1;
    if (found) {
        *device = device_json(r, 0);
        if (token != NULL)
            jx_add_str(*device, "provisioning_token", token);
        if (extra != NULL)
            jx_add_str(*device, extra, db_str(r, 0, C_EXTRA));
    }
    PQclear(r);
    return found;
}

/* {"lifecycle": name}, or NULL for no name */
static struct json_object *lifecycle_value(const char *name)
{
    if (name == NULL)
        return NULL;
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "lifecycle", name);
    return o;
}

/* Inside a transaction begun by the caller: audit what happened to the
 * device (found: device_of()'s answer, 1 when it exists; old_value,
 * new_value: the row's values before and after, taken, or NULL) and
 * commit, or roll back. found, or -1 (rolled back, *device put). */
static int audited(int found, const struct actor *who, long long hotel_id, const char *action,
                   const char *device_id, struct json_object *old_value, struct json_object *new_value,
                   struct json_object **device)
{
    char target[80];

    if (found <= 0) {
        json_object_put(old_value);
        json_object_put(new_value);
        db_rollback();
        return found;
    }
    snprintf(target, sizeof target, "device:%s", device_id);
    if (action_audit_one(who, hotel_id, action, target, old_value, new_value) < 0 || db_commit() < 0) {
        db_rollback();
        if (device != NULL) {
            json_object_put(*device);
            *device = NULL;
        }
        return -1;
    }
    return found;
}

int device_create(long long hotel_id, const struct device_reg *d, const char *token, const char *token_hash,
                  const struct actor *who, struct json_object **device)
{
    const char *lc = lifecycle_name(lifecycle_at_registration(token != NULL, d->location_label != NULL));
    struct db_args a;

    if (db_begin() < 0)
        return -1;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, d->device_id);
    db_arg_str(&a, d->display_name);
    db_arg_str(&a, d->category);
    db_arg_str(&a, d->capability);
    db_arg_str(&a, d->location_label);
    if (d->has_geo) {
        db_arg_double(&a, d->lon);
        db_arg_double(&a, d->lat);
    } else {
        db_arg_null(&a);
        db_arg_null(&a);
    }
    db_arg_str(&a, token != NULL ? token_hash : NULL);
    db_arg_int(&a, DEVICE_TOKEN_SECONDS);
    db_arg_str(&a, lc);
    db_arg_str(&a, d->serial_number);
    db_arg_str(&a, d->mac_address);
    db_arg_str(&a, d->tier);
    struct json_object *registered = lifecycle_value(lc);
    jx_add_str(registered, "tier", d->tier != NULL ? d->tier : "camera");
    return audited(device_of(db_run(&st_create, &a), token, token != NULL ? "provisioning_expires_at" : NULL, device),
                   who, hotel_id, "device.registered", d->device_id, NULL, registered, device);
}

int device_revoke_keys(long long device_pk)
{
    struct db_args a;

    db_args_init(&a);
    db_arg_int(&a, device_pk);
    return db_exec(&st_revoke, &a) < 0 || device_certs_revoke(device_pk) < 0 ? -1 : 0;
}

/* The statement of each admin transition and the column it answers after
 * the device's (NULL: none). */
static const struct {
    struct db_stmt *st;
    const char *extra;
} moves[LA_COUNT] = {
    [LA_ALLOCATE] = {&st_allocate, NULL},
    [LA_TOKEN] = {&st_token, "provisioning_expires_at"},
    [LA_CLEAR_ERROR] = {&st_clear_error, NULL},
    [LA_DISABLE] = {&st_disable, NULL},
    [LA_ENABLE] = {&st_enable, NULL},
    [LA_DECOMMISSION] = {&st_deactivate, "deactivated_at"},
};

/* Inside the transition's transaction, on the locked row device_pk now in
 * lifecycle to: what comes before the change (keys revoked), the change
 * itself, what comes after (profiles taken off). The answer's result, or
 * NULL (db). */
static PGresult *move(long long hotel_id, long long device_pk, enum lc_action act, enum lifecycle to,
                      const struct device_change *c)
{
    struct db_args a;
    PGresult *r;

    if ((act == LA_DISABLE || act == LA_DECOMMISSION) && device_revoke_keys(device_pk) < 0)
        return NULL;
    db_args_init(&a);
    db_arg_int(&a, device_pk);
    db_arg_str(&a, lifecycle_name(to));
    if (act == LA_ALLOCATE) {
        db_arg_str(&a, c->location_label);
        if (c->has_geo) {
            db_arg_double(&a, c->lon);
            db_arg_double(&a, c->lat);
        } else {
            db_arg_null(&a);
            db_arg_null(&a);
        }
        db_arg_str(&a, c->tier);
    } else if (act == LA_TOKEN) {
        db_arg_str(&a, c->token_hash);
        db_arg_int(&a, DEVICE_TOKEN_SECONDS);
    }
    if ((r = db_run(moves[act].st, &a)) == NULL || act != LA_DECOMMISSION)
        return r;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, device_pk);
    PGresult *u = db_run(&st_unhold, &a);
    if (u == NULL) {
        PQclear(r);
        return NULL;
    }
    PQclear(u);
    return r;
}

int device_transition(long long hotel_id, const char *device_id, enum lc_action act, const struct device_change *c,
                      const struct actor *who, struct json_object **device, enum lifecycle *from)
{
    struct db_args a;
    enum lifecycle to;
    PGresult *r;

    if ((unsigned)act >= LA_COUNT || moves[act].st == NULL)
        return -1;
    /* taking profiles off writes the hotel's change log: its lock first */
    if ((act == LA_DECOMMISSION ? face_tx_begin(hotel_id) : db_begin()) < 0)
        return -1;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, device_id);
    if ((r = db_run(&st_lock, &a)) == NULL) {
        db_rollback();
        return -1;
    }
    int found = PQntuples(r) == 1 && lifecycle_parse(PQgetvalue(r, 0, 1), from) == 0;
    long long device_pk = found ? db_ll(r, 0, 0) : 0;
    PQclear(r);
    enum lc_verdict v = found ? lifecycle_next(*from, act, &to) : LC_GONE;
    if (v != LC_OK) {
        db_rollback();
        return v == LC_REFUSED ? DEVICE_REFUSED : 0;
    }
    found = device_of(move(hotel_id, device_pk, act, to, c), act == LA_TOKEN ? c->token : NULL, moves[act].extra,
                      device);
    struct json_object *now = lifecycle_value(lifecycle_name(to));
    if (act == LA_ALLOCATE && c->tier != NULL)
        jx_add_str(now, "tier", c->tier);
    return audited(found, who, hotel_id, lc_action_audit(act), device_id, lifecycle_value(lifecycle_name(*from)),
                   now, device);
}

int device_token_owner(const char *device_id, const char *token, long long *device_pk,
                       char token_hash[CRYPTO_HASH_MAX])
{
    struct db_args a;
    PGresult *r;
    int match = -1;

    db_args_init(&a);
    db_arg_str(&a, device_id);
    db_arg_int(&a, PROVISION_CANDIDATES);
    if ((r = db_run(&st_candidates, &a)) == NULL)
        return -1;
    /* every candidate is checked (no early exit), and with none (unknown
     * device, used or expired token) the dummy hash is: a failure costs one
     * scrypt per live token of that device_id, at least one */
    for (int i = 0; i < PQntuples(r); i++)
        if (crypto_verify_secret(token, PQgetvalue(r, i, 1)) && match < 0)
            match = i;
    if (PQntuples(r) == 0)
        (void)crypto_verify_secret(token, auth_dummy_hash());
    /* a stored hash is one crypto_hash_secret() wrote: it fits */
    if (match >= 0 && snprintf(token_hash, CRYPTO_HASH_MAX, "%s", PQgetvalue(r, match, 1)) >= CRYPTO_HASH_MAX)
        match = -1;
    if (match >= 0)
        *device_pk = db_ll(r, match, 0);
    PQclear(r);
    return match >= 0;
}

int device_provision(long long device_pk, const char *token_hash, const char *key_hash, const char *mqtt_hash,
                     const struct device_cert *cert, const struct actor *who)
{
    struct db_args a;
    PGresult *r;

    if (db_begin() < 0)
        return -1;
    db_args_init(&a);
    db_arg_int(&a, device_pk);
    db_arg_str(&a, token_hash);
    db_arg_str(&a, key_hash);
    db_arg_str(&a, mqtt_hash);
    if ((r = db_run(&st_provision, &a)) == NULL) {
        db_rollback();
        return -1;
    }
    int found = PQntuples(r) == 1;
    long long hotel_id = found ? db_ll(r, 0, 1) : 0;
    if (found && cert != NULL && device_cert_record(device_pk, cert) < 0) {
        PQclear(r);
        db_rollback();
        return -1;
    }
    char device_id[72] = "";
    if (found)
        snprintf(device_id, sizeof device_id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    /* a certificate issued with the key: its serial and expiry on the row */
    struct json_object *issued = lifecycle_value("PROVISIONED");
    if (cert != NULL) {
        jx_add_str(issued, "certificate_serial", cert->issued.serial);
        jx_add_str(issued, "certificate_expires_at", cert->expires_at);
    }
    return audited(found, who, hotel_id, "device.provisioned", device_id, NULL, issued, NULL);
}

int device_heartbeat(long long device_pk, long long hotel_id, const char *error, const struct heartbeat *hb,
                     struct json_object **device)
{
    struct db_args a;
    int applied = 1, config_applied = 1, found;

    if (db_begin() < 0)
        return -1;
    /* the receipts first, so the device answered carries them */
    if (hb->has_applied && (applied = receipt_record(device_pk, hotel_id, hb->applied_version)) < 0)
        goto fail;
    if (hb->has_config_applied &&
        (config_applied = config_applied_record(device_pk, hb->applied_config_version)) < 0)
        goto fail;
    db_args_init(&a);
    db_arg_int(&a, device_pk);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, error);
    if ((found = device_of(db_run(&st_heartbeat, &a), NULL, NULL, device)) < 0)
        goto fail;
    if (found == 0 || applied == 0 || config_applied == 0) {  /* gone, or a version never given */
        db_rollback();
        if (found == 1) {
            json_object_put(*device);
            *device = NULL;
        }
        return found == 0 ? 0 : applied == 0 ? DEVICE_AHEAD : DEVICE_CONFIG_AHEAD;
    }
    if (heartbeat_has_metrics(hb) && metrics_record(device_pk, hotel_id, hb) < 0)
        goto fail;
    struct json_object *pending = NULL;
    if (action_deliver(device_pk, &pending) < 0)
        goto fail;
    json_object_object_add(*device, "pending_actions", pending);
    if (db_commit() < 0)
        goto fail;
    return 1;
fail:
    db_rollback();
    if (*device != NULL) {
        json_object_put(*device);
        *device = NULL;
    }
    return -1;
}

void device_filter_of(const struct request *req, struct device_filter *f)
{
    f->capability = arg_str(req, "capability");
    f->status = arg_str(req, "status");
    f->location_label = arg_str(req, "location_label");
}

int device_listing(long long hotel_id, const struct device_filter *f, long limit, long offset,
                   struct json_object **listing, long long *total)
{
    enum device_status want = DEVICE_ONLINE;
    long long n = 0, online = 0, offline = 0;
    struct db_args a;
    PGresult *r;

    if (f->status != NULL)
        device_status_parse(f->status, &want);
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, f->capability);
    db_arg_str(&a, f->location_label);
    if ((r = db_run(&st_list, &a)) == NULL)
        return -1;
    struct json_object *arr = json_object_new_array();
    for (int i = 0; i < PQntuples(r); i++) {
        enum device_status s = row_status(r, i);
        if (f->status != NULL && s != want)
            continue;
        if (n >= offset && n < (long long)offset + limit)
            json_object_array_add(arr, device_json(r, i));
        n++;
        online += s == DEVICE_ONLINE;
        offline += s == DEVICE_OFFLINE;
    }
    PQclear(r);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "devices", arr);
    jx_add_int(o, "total", n);
    jx_add_int(o, "online", online);
    jx_add_int(o, "offline", offline);
    *listing = o;
    *total = n;
    return 0;
}

static int device_rows(long long hotel_id, const void *filter, long limit, long offset,
                       struct json_object **listing, long long *total)
{
    return device_listing(hotel_id, filter, limit, offset, listing, total);
}

/* the seed's object, paged like every list (X-Total-Count, Link) */
const struct listing device_list = {.rows = device_rows};

/* ---- in service ---------------------------------------------------------- */

static struct db_stmt st_in_service = {
    "devices_in_service",
    "SELECT 1 FROM devices WHERE hotel_id = $1 AND device_id = $2 AND deactivated_at IS NULL",
    0,
};

int device_in_service(long long hotel_id, const char *device_id)
{
    struct db_args a;

    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, device_id);
    PGresult *r = db_run(&st_in_service, &a);
    if (r == NULL)
        return -1;
    int found = PQntuples(r) == 1;
    PQclear(r);
    return found;
}

/* ---- ACL tier ------------------------------------------------------------ */

static struct db_stmt st_tier_get = {
    "devices_tier_get",
    "SELECT id, tier FROM devices WHERE hotel_id = $1 AND device_id = $2 AND deactivated_at IS NULL",
    0,
};
static struct db_stmt st_tier_lock = {
    "devices_tier_lock",
    "SELECT id, tier FROM devices WHERE hotel_id = $1 AND device_id = $2 AND deactivated_at IS NULL FOR UPDATE",
    0,
};
/* the trigger of sql/023 tells the mqtt service to rewrite the broker's ACL */
static struct db_stmt st_tier_set = {
    "devices_tier_set",
    "UPDATE devices d SET tier = $2 WHERE d.id = $1 RETURNING " DEVICE_COLS,
    0,
};

int device_tier_get(long long hotel_id, const char *device_id, int *tier)
{
    PGresult *r = db_run_id_str(&st_tier_get, hotel_id, device_id);

    if (r == NULL)
        return -1;
    int found = PQntuples(r) == 1;
    if (found)
        *tier = device_tier_parse(PQgetvalue(r, 0, 1));
    PQclear(r);
    return found;
}

int device_tier_set(long long hotel_id, const char *device_id, const char *tier, const struct actor *who,
                    struct json_object **device)
{
    struct db_args a;
    PGresult *r;

    if (db_begin() < 0)
        return -1;
    if ((r = db_run_id_str(&st_tier_lock, hotel_id, device_id)) == NULL) {
        db_rollback();
        return -1;
    }
    int found = PQntuples(r) == 1;
    long long pk = found ? db_ll(r, 0, 0) : 0;
    struct json_object *old = NULL, *new = NULL;
    if (found) {
        old = json_object_new_object();
        jx_add_str(old, "tier", PQgetvalue(r, 0, 1));
        new = json_object_new_object();
        jx_add_str(new, "tier", tier);
    }
    PQclear(r);
    if (found) {
        db_args_init(&a);
        db_arg_int(&a, pk);
        db_arg_str(&a, tier);
        found = device_of(db_run(&st_tier_set, &a), NULL, NULL, device);
    }
    return audited(found, who, hotel_id, "device.tier_changed", device_id, old, new, device);
}
