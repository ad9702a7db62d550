/* tests/fuzz/heartbeat.c — libFuzzer target: heartbeat_parse
 * (handlers/devices/heartbeat_rules.c), the reader of a heartbeat body's
 * optional metrics and receipt, on any JSON text. Asserts that a refusal
 * names a field and a reason and reads nothing; that what is accepted is
 * within the documented bounds; and that the accepted values written
 * back as JSON are accepted again and read the same. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/heartbeat_rules.h"
#include "jsonx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* hb as the body a device would send */
static struct json_object *to_json(const struct heartbeat *hb)
{
    struct json_object *o = json_object_new_object();
    if (hb->has_firmware)
        jx_add_str(o, "firmware_version", hb->firmware_version);
    if (hb->has_uptime)
        jx_add_int(o, "uptime_seconds", hb->uptime_seconds);
    if (hb->has_temperature)
        json_object_object_add(o, "temperature_c", json_object_new_double(hb->temperature_c));
    if (hb->has_storage)
        jx_add_int(o, "free_storage_mb", hb->free_storage_mb);
    if (hb->has_profiles)
        jx_add_int(o, "profile_count", hb->profile_count);
    if (hb->has_applied)
        jx_add_int(o, "applied_version", hb->applied_version);
    if (hb->has_config_applied)
        jx_add_int(o, "applied_config_version", hb->applied_config_version);
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct heartbeat hb, again;
    const char *field = NULL, *why = NULL;

    memcpy(text, data, size);
    text[size] = '\0';
    struct json_object *body = jx_parse(text, size);
    free(text);
    if (!json_object_is_type(body, json_type_object))
        goto out;
    if (heartbeat_parse(body, &hb, &field, &why) != 0) {
        if (field == NULL || why == NULL || *why == '\0' || heartbeat_has_metrics(&hb) || hb.has_config_applied)
            abort();
        goto out;
    }
    if ((hb.has_firmware && strlen(hb.firmware_version) > 4 * HB_FIRMWARE_MAX) ||
        (hb.has_uptime && (hb.uptime_seconds < 0 || hb.uptime_seconds > HB_UPTIME_MAX)) ||
        (hb.has_temperature && !(hb.temperature_c >= HB_TEMPERATURE_MIN && hb.temperature_c <= HB_TEMPERATURE_MAX)) ||
        (hb.has_storage && (hb.free_storage_mb < 0 || hb.free_storage_mb > HB_STORAGE_MAX)) ||
        (hb.has_profiles && (hb.profile_count < 0 || hb.profile_count > HB_PROFILES_MAX)) ||
        (hb.has_applied && (hb.applied_version < 0 || hb.applied_version > HB_VERSION_MAX)) ||
        (hb.has_config_applied && (hb.applied_config_version < 0 || hb.applied_config_version > HB_VERSION_MAX)))
        abort();
    struct json_object *back = to_json(&hb);
    if (heartbeat_parse(back, &again, &field, &why) != 0 ||
        again.has_firmware != hb.has_firmware || again.has_uptime != hb.has_uptime ||
        again.has_temperature != hb.has_temperature || again.has_storage != hb.has_storage ||
        again.has_profiles != hb.has_profiles || again.has_applied != hb.has_applied ||
        (hb.has_firmware && strcmp(again.firmware_version, hb.firmware_version) != 0) ||
        again.uptime_seconds != hb.uptime_seconds || again.free_storage_mb != hb.free_storage_mb ||
        again.profile_count != hb.profile_count || again.applied_version != hb.applied_version ||
        again.has_config_applied != hb.has_config_applied ||
        again.applied_config_version != hb.applied_config_version ||
        (hb.has_temperature && again.temperature_c != hb.temperature_c))
        abort();
    json_object_put(back);
out:
    json_object_put(body);
    return 0;
}
