/* heartbeat_rules.h — what a device's heartbeat may report besides being
 * alive (docs/iot.md, "Metrics" and "Receipts"): firmware version,
 * uptime, temperature, free storage, profile count, the version of the
 * change log it has applied and the version of its configuration it has
 * applied, each optional and range-checked here, one
 * table of fields and bounds. Pure (no I/O); tests/unit/devices/
 * test_heartbeat_rules.c and tests/fuzz/heartbeat.c pin it down. */
#ifndef FC_HEARTBEAT_RULES_H
#define FC_HEARTBEAT_RULES_H

#include <json-c/json.h>

#define HB_FIRMWARE_MAX 64                 /* characters */
#define HB_UPTIME_MAX 315576000LL          /* ten years of seconds */
#define HB_TEMPERATURE_MIN (-40.0)         /* °C */
#define HB_TEMPERATURE_MAX 125.0
#define HB_STORAGE_MAX 10000000LL          /* MB */
#define HB_PROFILES_MAX 1000000LL
#define HB_VERSION_MAX 9007199254740992LL  /* 2^53; the hotel's version bounds it further */

/* One heartbeat's reports; has_* says which were sent (absent or null:
 * not sent). firmware_version points into the body it was read from. */
struct heartbeat {
    int has_firmware, has_uptime, has_temperature, has_storage, has_profiles, has_applied, has_config_applied;
    const char *firmware_version;
    long long uptime_seconds, free_storage_mb, profile_count, applied_version;
    long long applied_config_version;  /* the config version it runs (not a metric) */
    double temperature_c;
};

/* Read body's optional reports into *hb (body NULL: none). 0, or -1 with
 * *field the first offending field's name and *why the reason (static
 * strings), *hb then all absent. Other fields of body are left to others
 * (the heartbeat's "error"). */
int heartbeat_parse(struct json_object *body, struct heartbeat *hb, const char **field, const char **why);

/* Whether hb carries a metric worth a sample (anything but nothing; the
 * applied config version is kept on the device, not sampled). */
int heartbeat_has_metrics(const struct heartbeat *hb);

/* A reported applied version against the hotel's current one: 1 when it
 * is 0..current. */
int receipt_version_ok(long long applied, long long current);

#endif
