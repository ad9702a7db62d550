/* config_store.h — configurations in the database (config_store.c): a
 * device's own settings (devices.config), a location's
 * (location_configs), the effective configuration a device runs and its
 * version, and the config version a device reports applied (docs/iot.md
 * "Config"). None of them answers the request: on a database failure
 * they return -1 and the caller answers with db_fail_reply(). */
#ifndef FC_CONFIG_STORE_H
#define FC_CONFIG_STORE_H

#include <json-c/json.h>

struct actor;

/* A device's configuration: {"device_id", "config_version" (of the
 * effective configuration), "config" (effective: every setting),
 * "settings" (its own, as set), "location_label", "location_config_version"
 * (0: its location has none), "applied_config_version", "config_applied_at",
 * "updated_at" (of its own settings)} (a new object the caller owns).
 * Get: 1 with *answer; 0 when the hotel has no such device in service;
 * -1. Put: settings (device_config_settings()) replace the device's own
 * and the version moves on, audited (device.config_changed, the old and
 * new own settings) in the same transaction; the same returns. */
int device_config_get(long long hotel_id, const char *device_id, struct json_object **answer);
int device_config_put(long long hotel_id, const char *device_id, struct json_object *settings,
                      const struct actor *who, struct json_object **answer);

/* A location's configuration: {"location_label", "config_version" (0:
 * none set), "config" (its settings over the defaults), "settings" (as
 * set), "updated_at", "devices" (in service there)}. A location exists in
 * a hotel while a device in service is placed there or it has settings.
 * Get: 1 with *answer; 0 no such location; -1. Put: settings replace the
 * location's, its version and the config_version of every device in
 * service there move on (each device's MQTT push follows,
 * sql/024_location_config.sql), audited (location.config_changed) in the
 * same transaction; the same returns. */
int location_config_get(long long hotel_id, const char *label, struct json_object **answer);
int location_config_put(long long hotel_id, const char *label, struct json_object *settings,
                        const struct actor *who, struct json_object **answer);

/* Inside the caller's transaction: device device_pk has applied its
 * configuration up to version applied (applied_config_version,
 * config_applied_at now). 1; 0 when applied is past its config_version
 * (nothing stored); -1. */
int config_applied_record(long long device_pk, long long applied);

#endif
