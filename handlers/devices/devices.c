/* devices.c — the edge-device registry (docs/iot.md, "Devices"): a hotel's
 * admins register a device (answered with a one-time provisioning token),
 * list the devices with their connectivity counts (a listing put together
 * in C, app/list_store.h), issue a new token and deactivate a device (its
 * key is revoked, what it held is logged as removed); the public
 * exchange of a token for the device's API key; and the device's own
 * heartbeat. Tokens and keys are stored only as scrypt hashes. The
 * status and lifecycle rules are in device_rules.c. */
#include <string.h>
#include "auth.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "attendance/face_store.h"
#include "device_rules.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "app/list_store.h"
#include "app/listings.h"
#include "response.h"
#include "validate.h"

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
    "fc_ts(d.provisioned_at), fc_ts(d.created_at)"
#define DEVICE_COLS                                                                                \
    DEVICE_COLS_WITH("extract(epoch FROM now() - d.last_heartbeat_at)",                           \
                     "(SELECT count(*) FROM device_profiles p WHERE p.device_pk = d.id)")

enum { C_DEVICE_ID, C_NAME, C_CATEGORY, C_CAPABILITY, C_LOCATION, C_LON, C_LAT, C_PROVISIONED,
       C_AGE, C_LIFECYCLE, C_HEARTBEAT, C_ENROLLED, C_SYNC, C_ERROR, C_PROVISIONED_AT, C_CREATED,
       C_EXTRA /* the statement's own column after the device's */ };

/* A new registration, or the re-registration of a deactivated device of
 * the same device_id (the row is reset and keeps its id). No row comes
 * back when an active device has that device_id. */
static struct db_stmt st_create = {
    "devices_create",
    "INSERT INTO devices AS d (hotel_id, device_id, display_name, device_category, capability, "
    "location_label, location_lon, location_lat, lifecycle, provisioning_token_hash, "
    "token_expires_at, allocated_at) "
    "VALUES ($1, $2, $3, coalesce($4, 'camera'), coalesce($5, 'face_recognition'), $6, "
    "$7::float8, $8::float8, 'PROVISIONING', $9, now() + $10 * interval '1 second', now()) "
    "ON CONFLICT ON CONSTRAINT devices_device_id_unique DO UPDATE SET "
    "display_name = excluded.display_name, device_category = excluded.device_category, "
    "capability = excluded.capability, location_label = excluded.location_label, "
    "location_lon = excluded.location_lon, location_lat = excluded.location_lat, "
    "lifecycle = 'PROVISIONING', error_message = NULL, model = excluded.model, "
    "provisioning_token_hash = excluded.provisioning_token_hash, "
    "token_expires_at = excluded.token_expires_at, token_used = false, key_hash = NULL, "
    "allocated_at = now(), provisioned_at = NULL, last_heartbeat_at = NULL, sync_version = 0, "
    "deactivated_at = NULL, created_at = now() "
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

/* A new token replaces any earlier one; a device not yet provisioned is
 * (again) PROVISIONING, a provisioned one keeps its lifecycle and its key
 * until the token is exchanged. */
static struct db_stmt st_token = {
    "devices_token",
    "UPDATE devices d SET provisioning_token_hash = $3, "
    "token_expires_at = now() + $4 * interval '1 second', token_used = false, "
    "lifecycle = CASE WHEN d.provisioned_at IS NULL THEN 'PROVISIONING' ELSE d.lifecycle END "
    "WHERE d.hotel_id = $1 AND d.device_id = $2 AND d.deactivated_at IS NULL "
    "RETURNING " DEVICE_COLS ", fc_ts(d.token_expires_at)",
    0,
};

/* key and token gone (the device can no longer authenticate, so it is
 * shown offline, holding nothing); the row stays for its events. Then
 * (same transaction) st_unhold. */
static struct db_stmt st_deactivate = {
    "devices_deactivate",
    "UPDATE devices d SET deactivated_at = now(), key_hash = NULL, provisioning_token_hash = NULL, "
    "token_used = true WHERE d.hotel_id = $1 AND d.device_id = $2 AND d.deactivated_at IS NULL "
    "RETURNING " DEVICE_COLS_WITH("NULL", "0") ", fc_ts(d.deactivated_at), d.id",
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
    "UPDATE devices SET token_used = true, provisioning_token_hash = NULL, key_hash = $3, "
    "lifecycle = 'PROVISIONED', provisioned_at = now(), error_message = NULL "
    "WHERE id = $1 AND provisioning_token_hash = $2 AND NOT token_used "
    "AND token_expires_at > now() AND deactivated_at IS NULL RETURNING device_id",
    0,
};

static struct db_stmt st_heartbeat = {
    "devices_heartbeat",
    "UPDATE devices d SET last_heartbeat_at = now(), error_message = $3, "
    "lifecycle = CASE WHEN $3::text IS NULL THEN 'ACTIVE' ELSE 'ERROR' END "
    "WHERE d.id = $1 AND d.hotel_id = $2 AND d.deactivated_at IS NULL RETURNING " DEVICE_COLS,
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
    jx_add_str(o, "error_message", db_str(r, row, C_ERROR));
    jx_add_str(o, "provisioned_at", db_str(r, row, C_PROVISIONED_AT));
    jx_add_str(o, "created_at", db_str(r, row, C_CREATED));
    return o;
}

/* A provisioning token (32 random bytes as hex) and its scrypt hash. 0 or -1. */
static int new_token(char token[65], char hash[CRYPTO_HASH_MAX])
{
    if (crypto_random_hex(token, 32) < 0)
        return -1;
    return crypto_hash_secret(token, g_config.scrypt_log_n, hash);
}

/* Answer status with the device of row 0 plus its new token, whose expiry
 * is the row's C_EXTRA column. Takes ownership of r (clears it). */
static void reply_with_token(struct request *req, int status, PGresult *r, const char *token)
{
    struct json_object *o = device_json(r, 0);
    jx_add_str(o, "provisioning_token", token);
    jx_add_str(o, "provisioning_expires_at", db_str(r, 0, C_EXTRA));
    PQclear(r);
    resp_json(req, status, o);
}

void h_devices_create(struct request *req)
{
    const char *device_id = arg_str(req, "device_id"), *name = arg_str(req, "display_name");
    const char *category = arg_str(req, "device_category"), *capability = arg_str(req, "capability");
    const char *location = arg_str(req, "location_label"), *why;
    char token[65], hash[CRYPTO_HASH_MAX];
    int has_geo;
    double lon = 0, lat = 0;
    struct db_args a;
    PGresult *r;

    device_geo_from_json(arg_json(req, "location_geo"), &has_geo, &lon, &lat, &why);   /* checked by the route */
    if (location != NULL && *location == '\0')
        location = NULL;
    if (new_token(token, hash) < 0) {
        resp_error(req, 500, "INTERNAL", "Could not make a provisioning token.");
        return;
    }

    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    db_arg_str(&a, device_id);
    db_arg_str(&a, name);
    db_arg_str(&a, category);
    db_arg_str(&a, capability);
    db_arg_str(&a, location);
    if (has_geo) {
        db_arg_double(&a, lon);
        db_arg_double(&a, lat);
    } else {
        db_arg_null(&a);
        db_arg_null(&a);
    }
    db_arg_str(&a, hash);
    db_arg_int(&a, DEVICE_TOKEN_SECONDS);
    if ((r = db_run(&st_create, &a)) == NULL) {
        db_fail_reply(req);
        return;
    }
    if (PQntuples(r) == 0) {
        PQclear(r);
        resp_error(req, 409, "CONFLICT", "This hotel already has a device %s.", device_id);
        return;
    }
    reply_with_token(req, 201, r, token);
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
static const struct listing devices_listing = {.rows = device_rows};

void h_devices_list(struct request *req)
{
    struct device_filter f;

    device_filter_of(req, &f);
    listing_reply(req, &devices_listing, &f);
}

void h_devices_token(struct request *req)
{
    const char *device_id = arg_str(req, "device_id");
    char token[65], hash[CRYPTO_HASH_MAX];
    struct db_args a;
    PGresult *r;

    if (new_token(token, hash) < 0) {
        resp_error(req, 500, "INTERNAL", "Could not make a provisioning token.");
        return;
    }
    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    db_arg_str(&a, device_id);
    db_arg_str(&a, hash);
    db_arg_int(&a, DEVICE_TOKEN_SECONDS);
    if ((r = db_run(&st_token, &a)) == NULL) {
        db_fail_reply(req);
        return;
    }
    if (PQntuples(r) == 0) {
        PQclear(r);
        resp_error(req, 404, "NOT_FOUND", "No such device.");
        return;
    }
    reply_with_token(req, 201, r, token);
}

void h_devices_deactivate(struct request *req)
{
    const char *device_id = arg_str(req, "device_id");
    struct db_args a;
    PGresult *r = NULL, *u;

    if (face_tx_begin(req->tenant.id) < 0)
        goto db_fail;
    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    db_arg_str(&a, device_id);
    if ((r = db_run(&st_deactivate, &a)) == NULL)
        goto db_fail;
    if (PQntuples(r) == 0) {
        PQclear(r);
        db_rollback();
        resp_error(req, 404, "NOT_FOUND", "No such device.");
        return;
    }
    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    db_arg_int(&a, db_ll(r, 0, C_EXTRA + 1));
    if ((u = db_run(&st_unhold, &a)) == NULL)
        goto db_fail;
    PQclear(u);
    if (db_commit() < 0)
        goto db_fail;
    struct json_object *o = device_json(r, 0);
    jx_add_str(o, "deactivated_at", db_str(r, 0, C_EXTRA));
    PQclear(r);
    resp_json(req, 200, o);
    return;
db_fail:
    PQclear(r);
    db_fail_reply(req);
    db_rollback();
}

void h_devices_provision(struct request *req)
{
    const char *device_id = arg_str(req, "device_id"), *token = arg_str(req, "provisioning_token");
    char key[AUTH_KEY_MAX], key_hash[CRYPTO_HASH_MAX];
    struct db_args a;
    PGresult *r;
    int match = -1;

    db_args_init(&a);
    db_arg_str(&a, device_id);
    db_arg_int(&a, PROVISION_CANDIDATES);
    if ((r = db_run(&st_candidates, &a)) == NULL) {
        db_fail_reply(req);
        return;
    }
    /* every candidate is checked (no early exit), and with none (unknown
     * device, used or expired token) the dummy hash is: a failure costs one
     * scrypt per live token of that device_id, at least one */
    for (int i = 0; i < PQntuples(r); i++)
        if (crypto_verify_secret(token, PQgetvalue(r, i, 1)) && match < 0)
            match = i;
    if (PQntuples(r) == 0)
        (void)crypto_verify_secret(token, auth_dummy_hash());
    if (match < 0) {
        PQclear(r);
        resp_error(req, 403, "FORBIDDEN", "The provisioning token is invalid, used or expired.");
        return;
    }
    long long id = db_ll(r, match, 0);
    const char *token_hash = pool_strdup(req->pool, PQgetvalue(r, match, 1));
    PQclear(r);

    if (auth_new_key("dev", id, key, key_hash) < 0) {
        resp_error(req, 500, "INTERNAL", "Could not make a key.");
        return;
    }
    db_args_init(&a);
    db_arg_int(&a, id);
    db_arg_str(&a, token_hash);
    db_arg_str(&a, key_hash);
    if ((r = db_run(&st_provision, &a)) == NULL) {
        db_fail_reply(req);
        return;
    }
    if (PQntuples(r) == 0) {   /* used, replaced or expired meanwhile */
        PQclear(r);
        resp_error(req, 403, "FORBIDDEN", "The provisioning token is invalid, used or expired.");
        return;
    }
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "device_id", db_str(r, 0, 0));
    jx_add_str(o, "api_key", key);
    PQclear(r);
    resp_json(req, 200, o);
}

void h_devices_heartbeat(struct request *req)
{
    /* the body is optional: {"error": "..."} reports a fault */
    const char *device_id = arg_str(req, "device_id"), *error = arg_str(req, "error");
    struct db_args a;
    PGresult *r;

    /* a device speaks only for itself; any other id does not exist for it */
    if (strcmp(device_id, identity_of(req)->device_name) != 0) {
        resp_error(req, 404, "NOT_FOUND", "No such device.");
        return;
    }
    if (error != NULL && *error == '\0')
        error = NULL;
    db_args_init(&a);
    db_arg_int(&a, identity_of(req)->device_id);
    db_arg_int(&a, req->tenant.id);
    db_arg_str(&a, error);
    if ((r = db_run(&st_heartbeat, &a)) == NULL) {
        db_fail_reply(req);
        return;
    }
    if (PQntuples(r) == 0) {
        PQclear(r);
        resp_error(req, 404, "NOT_FOUND", "No such device.");
        return;
    }
    struct json_object *o = device_json(r, 0);
    PQclear(r);
    resp_json(req, 200, o);
}
