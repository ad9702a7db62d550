/* metrics_store.h — a device's heartbeat metrics in the database
 * (metrics_store.c): the bounded history of samples and its reading for
 * GET /api/iot/devices/{device_id}/metrics. None of them answers the
 * request: on a database failure they return -1 and the caller answers
 * with db_fail_reply(). */
#ifndef FC_METRICS_STORE_H
#define FC_METRICS_STORE_H

#include <json-c/json.h>
#include "heartbeat_rules.h"
#include "request.h"

/* Samples kept per device: a new one beyond it drops the oldest in the
 * same statement. */
#define DEVICE_METRICS_KEEP 1000

/* Record hb's metrics as a sample of device device_pk (in the caller's
 * transaction if one is open), trimming the device's history to
 * DEVICE_METRICS_KEEP. 0 or -1. */
int metrics_record(long long device_pk, long long hotel_id, const struct heartbeat *hb);

/* The samples of the hotel's device device_id within t (NULL bounds:
 * open), oldest first, at most DEVICE_METRICS_KEEP: 1 with *samples (a new
 * array the caller owns: {"at", "firmware_version", "uptime_seconds",
 * "temperature_c", "free_storage_mb", "profile_count", "applied_version"},
 * null for what a sample did not report); 0 when the hotel has no such
 * device in service; -1. */
int metrics_samples(long long hotel_id, const char *device_id, const struct time_range *t,
                    struct json_object **samples);

#endif
