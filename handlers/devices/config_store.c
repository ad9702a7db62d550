/* config_store.c — owns the configuration columns of devices (config,
 * config_version, config_updated_at, applied_config_version,
 * config_applied_at) and location_configs (config_store.h): reads with
 * the effective configuration put together by device_config_rules.c,
 * versioned and audited writes, the applied-config receipt. */
#include <stdio.h>
#include "attendance/action_audit_store.h"
#include "config_store.h"
#include "db.h"
#include "device_config_rules.h"
#include "jsonx.h"

#define DEVICE_CONFIG_COLS                                                                          \
    "d.id, d.config::text, d.config_version, fc_ts(d.config_updated_at), d.location_label, "       \
    "l.config::text, coalesce(l.config_version, 0), d.applied_config_version, fc_ts(d.config_applied_at)"
enum { DC_ID, DC_OWN, DC_VERSION, DC_AT, DC_LOCATION, DC_LOC_CONFIG, DC_LOC_VERSION, DC_APPLIED, DC_APPLIED_AT };

/* the hotel's device in service with its location's settings */
static struct db_stmt st_device_get = {
    "config_device_get",
    "SELECT " DEVICE_CONFIG_COLS " FROM devices d "
    "LEFT JOIN location_configs l ON l.hotel_id = d.hotel_id AND l.location_label = d.location_label "
    "WHERE d.hotel_id = $1 AND d.device_id = $2 AND d.deactivated_at IS NULL",
    0,
};
static struct db_stmt st_device_lock = {
    "config_device_lock",
    "SELECT " DEVICE_CONFIG_COLS " FROM devices d "
    "LEFT JOIN location_configs l ON l.hotel_id = d.hotel_id AND l.location_label = d.location_label "
    "WHERE d.hotel_id = $1 AND d.device_id = $2 AND d.deactivated_at IS NULL FOR UPDATE OF d",
    0,
};
static struct db_stmt st_device_put = {
    "config_device_put",
    "UPDATE devices SET config = $2::jsonb, config_version = config_version + 1, config_updated_at = now() "
    "WHERE id = $1",
    0,
};

/* the location's settings (none: NULLs) and its devices in service */
static struct db_stmt st_location_get = {
    "config_location_get",
    "SELECT l.config::text, coalesce(l.config_version, 0), fc_ts(l.updated_at), "
    "(SELECT count(*) FROM devices d WHERE d.hotel_id = $1 AND d.location_label = $2 "
    " AND d.deactivated_at IS NULL) "
    "FROM (SELECT 1) one LEFT JOIN location_configs l ON l.hotel_id = $1 AND l.location_label = $2",
    0,
};
enum { LC_CONFIG, LC_VERSION, LC_AT, LC_DEVICES };
static struct db_stmt st_location_lock = {
    "config_location_lock",
    "SELECT 1 FROM location_configs WHERE hotel_id = $1 AND location_label = $2 FOR UPDATE",
    0,
};
static struct db_stmt st_location_put = {
    "config_location_put",
    "INSERT INTO location_configs AS l (hotel_id, location_label, config) VALUES ($1, $2, $3::jsonb) "
    "ON CONFLICT (hotel_id, location_label) DO UPDATE SET config = excluded.config, "
    "config_version = l.config_version + 1, updated_at = now()",
    0,
};
/* every device in service there runs a new effective configuration */
static struct db_stmt st_location_devices = {
    "config_location_devices",
    "UPDATE devices SET config_version = config_version + 1 "
    "WHERE hotel_id = $1 AND location_label = $2 AND deactivated_at IS NULL",
    0,
};

static struct db_stmt st_applied = {
    "config_applied",
    "UPDATE devices SET applied_config_version = $2, config_applied_at = now() "
    "WHERE id = $1 AND $2 <= config_version",
    0,
};

/* stored settings (SQL NULL: none, NULL back); written by the puts only */
static struct json_object *stored(const PGresult *r, int col)
{
    return PQgetisnull(r, 0, col) ? NULL : jx_parse(PQgetvalue(r, 0, col), (size_t)PQgetlength(r, 0, col));
}

/* stored settings as answered: as set, {} for none */
static struct json_object *settings_or_empty(const PGresult *r, int col)
{
    struct json_object *j = stored(r, col);
    return j != NULL ? j : json_object_new_object();
}

static struct json_object *device_answer(const char *device_id, const PGresult *r)
{
    struct json_object *o = json_object_new_object(), *own = stored(r, DC_OWN), *loc = stored(r, DC_LOC_CONFIG);
    struct device_config c;

    device_config_effective(loc, own, &c);
    jx_add_str(o, "device_id", device_id);
    jx_add_int(o, "config_version", db_ll(r, 0, DC_VERSION));
    json_object_object_add(o, "config", device_config_json(&c));
    json_object_object_add(o, "settings", own != NULL ? own : json_object_new_object());
    jx_add_str(o, "location_label", db_str(r, 0, DC_LOCATION));
    jx_add_int(o, "location_config_version", db_ll(r, 0, DC_LOC_VERSION));
    jx_add_int(o, "applied_config_version", db_ll(r, 0, DC_APPLIED));
    jx_add_str(o, "config_applied_at", db_str(r, 0, DC_APPLIED_AT));
    jx_add_str(o, "updated_at", db_str(r, 0, DC_AT));
    json_object_put(loc);
    return o;
}

int device_config_get(long long hotel_id, const char *device_id, struct json_object **answer)
{
    PGresult *r = db_run_id_str(&st_device_get, hotel_id, device_id);

    if (r == NULL)
        return -1;
    int found = PQntuples(r) == 1;
    if (found)
        *answer = device_answer(device_id, r);
    PQclear(r);
    return found;
}

int device_config_put(long long hotel_id, const char *device_id, struct json_object *settings,
                      const struct actor *who, struct json_object **answer)
{
    PGresult *r = NULL;
    struct db_args a;
    char target[96];

    if (db_begin() < 0)
        return -1;
    if ((r = db_run_id_str(&st_device_lock, hotel_id, device_id)) == NULL)
        goto fail;
    if (PQntuples(r) != 1) {
        PQclear(r);
        db_rollback();
        return 0;
    }
    long long pk = db_ll(r, 0, DC_ID);
    struct json_object *old = settings_or_empty(r, DC_OWN);
    PQclear(r);
    r = NULL;
    db_args_init(&a);
    db_arg_int(&a, pk);
    db_arg_str(&a, json_object_to_json_string_ext(settings, JSON_C_TO_STRING_PLAIN));
    snprintf(target, sizeof target, "device:%s", device_id);
    if (db_exec(&st_device_put, &a) != 1) {
        json_object_put(old);
        goto fail;
    }
    /* the audit takes old and new */
    if (action_audit_one(who, hotel_id, "device.config_changed", target, old, json_object_get(settings)) < 0 ||
        (r = db_run_id_str(&st_device_get, hotel_id, device_id)) == NULL || PQntuples(r) != 1 || db_commit() < 0)
        goto fail;
    *answer = device_answer(device_id, r);
    PQclear(r);
    return 1;
fail:
    PQclear(r);
    db_rollback();
    return -1;
}

static struct json_object *location_answer(const char *label, const PGresult *r)
{
    struct json_object *o = json_object_new_object(), *own = stored(r, LC_CONFIG);
    struct device_config c;

    device_config_effective(own, NULL, &c);
    jx_add_str(o, "location_label", label);
    jx_add_int(o, "config_version", db_ll(r, 0, LC_VERSION));
    json_object_object_add(o, "config", device_config_json(&c));
    json_object_object_add(o, "settings", own != NULL ? own : json_object_new_object());
    jx_add_str(o, "updated_at", db_str(r, 0, LC_AT));
    jx_add_int(o, "devices", db_ll(r, 0, LC_DEVICES));
    return o;
}

/* whether row 0 of st_location_get is a location: settings or devices */
static int location_exists(const PGresult *r)
{
    return !PQgetisnull(r, 0, LC_CONFIG) || db_ll(r, 0, LC_DEVICES) > 0;
}

int location_config_get(long long hotel_id, const char *label, struct json_object **answer)
{
    PGresult *r = db_run_id_str(&st_location_get, hotel_id, label);

    if (r == NULL)
        return -1;
    int found = PQntuples(r) == 1 && location_exists(r);
    if (found)
        *answer = location_answer(label, r);
    PQclear(r);
    return found;
}

int location_config_put(long long hotel_id, const char *label, struct json_object *settings,
                        const struct actor *who, struct json_object **answer)
{
    PGresult *r = NULL;
    struct db_args a;
    char target[256];

    if (db_begin() < 0)
        return -1;
    if ((r = db_run_id_str(&st_location_lock, hotel_id, label)) == NULL)
        goto fail;
    PQclear(r);
    if ((r = db_run_id_str(&st_location_get, hotel_id, label)) == NULL)
        goto fail;
    if (PQntuples(r) != 1 || !location_exists(r)) {
        PQclear(r);
        db_rollback();
        return 0;
    }
    struct json_object *old = settings_or_empty(r, LC_CONFIG);
    PQclear(r);
    r = NULL;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, label);
    db_arg_str(&a, json_object_to_json_string_ext(settings, JSON_C_TO_STRING_PLAIN));
    snprintf(target, sizeof target, "location:%s", label);
    if (db_exec(&st_location_put, &a) != 1 || (r = db_run_id_str(&st_location_devices, hotel_id, label)) == NULL) {
        json_object_put(old);
        goto fail;
    }
    PQclear(r);
    r = NULL;
    /* the audit takes old and new */
    if (action_audit_one(who, hotel_id, "location.config_changed", target, old, json_object_get(settings)) < 0 ||
        (r = db_run_id_str(&st_location_get, hotel_id, label)) == NULL || PQntuples(r) != 1 || db_commit() < 0)
        goto fail;
    *answer = location_answer(label, r);
    PQclear(r);
    return 1;
fail:
    PQclear(r);
    db_rollback();
    return -1;
}

int config_applied_record(long long device_pk, long long applied)
{
    struct db_args a;

    db_args_init(&a);
    db_arg_int(&a, device_pk);
    db_arg_int(&a, applied);
    long n = db_exec(&st_applied, &a);
    return n < 0 ? -1 : n == 1;
}
