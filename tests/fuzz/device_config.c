/* tests/fuzz/device_config.c — libFuzzer target: device_config_parse
 * (handlers/devices/device_config_rules.c), the reader of a device
 * configuration PUT, on any JSON text. Asserts that a refusal names a key
 * and a reason and leaves the defaults; that what is accepted is within
 * the documented bounds; and that its JSON (what GET answers and an admin
 * sends back) is accepted again and reads the same; and that the
 * settings kept for storage (device_config_settings) read the same too,
 * as a location's or a device's own (device_config_effective). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/device_config_rules.h"
#include "jsonx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* field by field (the struct has padding) */
static int same(const struct device_config *a, const struct device_config *b)
{
    return a->recognition_threshold == b->recognition_threshold && a->capture_interval_ms == b->capture_interval_ms &&
           a->min_face_px == b->min_face_px && a->liveness_check == b->liveness_check;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct device_config c, again, dflt;
    const char *field = NULL, *why = NULL;

    memcpy(text, data, size);
    text[size] = '\0';
    struct json_object *body = jx_parse(text, size);
    free(text);
    device_config_defaults(&dflt);
    struct json_object *kept = device_config_settings(body, &field, &why);
    if (device_config_parse(body, &c, &field, &why) != 0) {
        if (field == NULL || why == NULL || *why == '\0' || !same(&c, &dflt) || kept != NULL)
            abort();
        goto out;
    }
    /* what is stored reads as the body did, and as a location's or a
     * device's own over the defaults it is the same configuration */
    if (kept == NULL || device_config_parse(kept, &again, &field, &why) != 0 || !same(&c, &again))
        abort();
    device_config_effective(kept, NULL, &again);
    if (!same(&c, &again))
        abort();
    device_config_effective(NULL, kept, &again);
    if (!same(&c, &again))
        abort();
    if (!(c.recognition_threshold >= 0.3 && c.recognition_threshold <= 0.8) || c.capture_interval_ms < 100 ||
        c.capture_interval_ms > 10000 || c.min_face_px < 40 || c.min_face_px > 400 ||
        (c.liveness_check != 0 && c.liveness_check != 1))
        abort();
    struct json_object *back = device_config_json(&c);
    const char *t = json_object_to_json_string_ext(back, JSON_C_TO_STRING_PLAIN);
    struct json_object *reread = jx_parse(t, strlen(t));
    if (reread == NULL || device_config_parse(reread, &again, &field, &why) != 0 ||
        !same(&c, &again))
        abort();
    json_object_put(reread);
    json_object_put(back);
out:
    json_object_put(kept);
    json_object_put(body);
    return 0;
}
