/* metrics_store.c — owns device_metrics (metrics_store.h): the insert
 * that trims the device's history to DEVICE_METRICS_KEEP samples in the
 * same statement, and the read of a device's samples in a time range. */
#include "attendance/export_store.h"
#include "db.h"
#include "jsonx.h"
#include "metrics_store.h"

/* The new sample, and the device's samples older than the newest
 * DEVICE_METRICS_KEEP - 1 it had before deleted (the statement's DELETE
 * does not see its own INSERT): DEVICE_METRICS_KEEP remain. $9 is
 * DEVICE_METRICS_KEEP - 2, the offset of the oldest kept. */
static struct db_stmt st_record = {
    "metrics_record",
    "WITH ins AS (INSERT INTO device_metrics (device_pk, hotel_id, firmware_version, uptime_seconds, "
    "temperature_c, free_storage_mb, profile_count, applied_version) "
    "VALUES ($1, $2, $3, $4::bigint, $5::float8, $6::bigint, $7::bigint, $8::bigint) RETURNING id) "
    "DELETE FROM device_metrics m WHERE m.device_pk = $1 AND m.id < ("
    "  SELECT k.id FROM device_metrics k WHERE k.device_pk = $1 ORDER BY k.id DESC OFFSET $9 LIMIT 1)",
    0,
};

/* $1 hotel, $2 device_id, $3..$6 the range as db_arg_time_range binds it
 * (a date bound is the hotel-local day, inclusive) */
static struct db_stmt st_samples = {
    "metrics_samples",
    "SELECT d.id, s.* FROM devices d LEFT JOIN LATERAL (SELECT fc_ts(m.at), m.firmware_version, "
    "m.uptime_seconds, m.temperature_c, m.free_storage_mb, m.profile_count, m.applied_version "
    "FROM device_metrics m WHERE m.device_pk = d.id "
    "AND m.at >= coalesce($4::timestamptz, " SQL_DAY_START("$1", "$3::date") ", '-infinity') "
    "AND m.at <= coalesce($6::timestamptz, " SQL_DAY_START("$1", "($5::date) + 1")
    " - interval '1 microsecond', 'infinity') "
    "ORDER BY m.id) s ON true WHERE d.hotel_id = $1 AND d.device_id = $2 AND d.deactivated_at IS NULL",
    0,
};
enum { S_DEVICE, S_AT, S_FIRMWARE, S_UPTIME, S_TEMPERATURE, S_STORAGE, S_PROFILES, S_APPLIED };

int metrics_record(long long device_pk, long long hotel_id, const struct heartbeat *hb)
{
    struct db_args a;

    db_args_init(&a);
    db_arg_int(&a, device_pk);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, hb->has_firmware ? hb->firmware_version : NULL);
    if (hb->has_uptime)
        db_arg_int(&a, hb->uptime_seconds);
    else
        db_arg_null(&a);
    if (hb->has_temperature)
        db_arg_double(&a, hb->temperature_c);
    else
        db_arg_null(&a);
    if (hb->has_storage)
        db_arg_int(&a, hb->free_storage_mb);
    else
        db_arg_null(&a);
    if (hb->has_profiles)
        db_arg_int(&a, hb->profile_count);
    else
        db_arg_null(&a);
    if (hb->has_applied)
        db_arg_int(&a, hb->applied_version);
    else
        db_arg_null(&a);
    db_arg_int(&a, DEVICE_METRICS_KEEP - 2);
    return db_exec(&st_record, &a) < 0 ? -1 : 0;
}

static const struct db_json_col sample_cols[] = {
    {"at", S_AT, DBJ_STR},
    {"firmware_version", S_FIRMWARE, DBJ_STR},
    {"uptime_seconds", S_UPTIME, DBJ_INT_OR_NULL},
    {"free_storage_mb", S_STORAGE, DBJ_INT_OR_NULL},
    {"profile_count", S_PROFILES, DBJ_INT_OR_NULL},
    {"applied_version", S_APPLIED, DBJ_INT_OR_NULL},
    {NULL, 0, 0},
};

int metrics_samples(long long hotel_id, const char *device_id, const struct time_range *t,
                    struct json_object **samples)
{
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, device_id);
    db_arg_time_range(&a, t);
    if ((r = db_run(&st_samples, &a)) == NULL)
        return -1;
    int found = PQntuples(r) > 0;
    *samples = json_object_new_array();
    for (int i = 0; found && i < PQntuples(r); i++) {
        if (PQgetisnull(r, i, S_AT))
            continue;           /* the device, without samples in range */
        struct json_object *o = json_object_new_object();
        db_json_cols(o, r, i, 0, sample_cols);
        if (PQgetisnull(r, i, S_TEMPERATURE))
            json_object_object_add(o, "temperature_c", NULL);
        else
            jx_add_number(o, "temperature_c", db_double(r, i, S_TEMPERATURE));
        json_object_array_add(*samples, o);
    }
    PQclear(r);
    return found;
}
