/* heartbeat_rules.c — the heartbeat's optional reports and their bounds
 * (heartbeat_rules.h): one table, read with the JSON field readers of
 * fcgi/jsonx.h. Pure. */
#include <stddef.h>
#include <string.h>
#include "heartbeat_rules.h"
#include "jsonx.h"

enum hb_kind { HB_TEXT, HB_INT, HB_NUMBER };

static const struct {
    const char *name;
    enum hb_kind kind;
    double min, max;            /* HB_TEXT: max characters */
    size_t has, value;          /* offsets in struct heartbeat */
} fields[] = {
    {"firmware_version", HB_TEXT, 0, HB_FIRMWARE_MAX, offsetof(struct heartbeat, has_firmware),
     offsetof(struct heartbeat, firmware_version)},
    {"uptime_seconds", HB_INT, 0, HB_UPTIME_MAX, offsetof(struct heartbeat, has_uptime),
     offsetof(struct heartbeat, uptime_seconds)},
    {"temperature_c", HB_NUMBER, HB_TEMPERATURE_MIN, HB_TEMPERATURE_MAX,
     offsetof(struct heartbeat, has_temperature), offsetof(struct heartbeat, temperature_c)},
    {"free_storage_mb", HB_INT, 0, HB_STORAGE_MAX, offsetof(struct heartbeat, has_storage),
     offsetof(struct heartbeat, free_storage_mb)},
    {"profile_count", HB_INT, 0, HB_PROFILES_MAX, offsetof(struct heartbeat, has_profiles),
     offsetof(struct heartbeat, profile_count)},
    {"applied_version", HB_INT, 0, HB_VERSION_MAX, offsetof(struct heartbeat, has_applied),
     offsetof(struct heartbeat, applied_version)},
    {"applied_config_version", HB_INT, 0, HB_VERSION_MAX, offsetof(struct heartbeat, has_config_applied),
     offsetof(struct heartbeat, applied_config_version)},
};

int heartbeat_parse(struct json_object *body, struct heartbeat *hb, const char **field, const char **why)
{
    memset(hb, 0, sizeof *hb);
    if (body == NULL)
        return 0;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        char *base = (char *)hb;
        int rc;
        if (!jx_has(body, fields[i].name))
            continue;
        switch (fields[i].kind) {
        case HB_TEXT:
            rc = jx_string(body, fields[i].name, JX_OPTIONAL, (size_t)fields[i].max,
                           (const char **)(void *)(base + fields[i].value), why);
            break;
        case HB_INT: {
            long v = 0;
            rc = jx_int(body, fields[i].name, JX_OPTIONAL, (long)fields[i].min, (long)fields[i].max, &v, why);
            *(long long *)(void *)(base + fields[i].value) = v;
            break;
        }
        default:
            rc = jx_double(body, fields[i].name, JX_OPTIONAL, fields[i].min, fields[i].max,
                           (double *)(void *)(base + fields[i].value), why);
        }
        if (rc < 0) {
            *field = fields[i].name;
            memset(hb, 0, sizeof *hb);
            return -1;
        }
        *(int *)(void *)(base + fields[i].has) = 1;
    }
    return 0;
}

int heartbeat_has_metrics(const struct heartbeat *hb)
{
    return hb->has_firmware || hb->has_uptime || hb->has_temperature || hb->has_storage || hb->has_profiles ||
           hb->has_applied;
}

int receipt_version_ok(long long applied, long long current)
{
    return applied >= 0 && applied <= current;
}
