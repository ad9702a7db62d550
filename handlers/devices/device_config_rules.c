/* device_config_rules.c — the settings of a device's configuration, one
 * table of names, kinds and bounds (device_config_rules.h), read with the
 * JSON field readers of fcgi/jsonx.h. Pure. */
#include <stddef.h>
#include <string.h>
#include "device_config_rules.h"
#include "jsonx.h"

enum cfg_kind { CFG_NUMBER, CFG_INT, CFG_BOOL };

static const struct {
    const char *name;
    enum cfg_kind kind;
    double min, max;
    size_t at;                  /* offset in struct device_config */
} settings[] = {
    {"recognition_threshold", CFG_NUMBER, 0.3, 0.8, offsetof(struct device_config, recognition_threshold)},
    {"capture_interval_ms", CFG_INT, 100, 10000, offsetof(struct device_config, capture_interval_ms)},
    {"min_face_px", CFG_INT, 40, 400, offsetof(struct device_config, min_face_px)},
    {"liveness_check", CFG_BOOL, 0, 1, offsetof(struct device_config, liveness_check)},
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

void device_config_defaults(struct device_config *c)
{
    *c = (struct device_config){0.6, 1000, 80, 1};
}

int device_config_parse(struct json_object *body, struct device_config *c, const char **field, const char **why)
{
    device_config_defaults(c);
    if (!json_object_is_type(body, json_type_object)) {
        *field = "config";
        *why = "must be an object";
        return -1;
    }
    json_object_object_foreach(body, key, val) {
        size_t i = 0;
        (void)val;
        while (i < NSETTINGS && strcmp(settings[i].name, key) != 0)
            i++;
        if (i == NSETTINGS) {
            *field = key;
            *why = "is not a device setting";
            goto bad;
        }
    }
    for (size_t i = 0; i < NSETTINGS; i++) {
        char *at = (char *)c + settings[i].at;
        int rc;
        switch (settings[i].kind) {
        case CFG_NUMBER:
            rc = jx_double(body, settings[i].name, JX_OPTIONAL, settings[i].min, settings[i].max,
                           (double *)(void *)at, why);
            break;
        case CFG_INT:
            rc = jx_int(body, settings[i].name, JX_OPTIONAL, (long)settings[i].min, (long)settings[i].max,
                        (long *)(void *)at, why);
            break;
        default:
            rc = jx_bool(body, settings[i].name, JX_OPTIONAL, (int *)(void *)at, why);
        }
        if (rc < 0) {
            *field = settings[i].name;
            goto bad;
        }
    }
    return 0;
bad:
    device_config_defaults(c);
    return -1;
}

struct json_object *device_config_json(const struct device_config *c)
{
    struct json_object *o = json_object_new_object();
    jx_add_number(o, "recognition_threshold", c->recognition_threshold);
    jx_add_int(o, "capture_interval_ms", c->capture_interval_ms);
    jx_add_int(o, "min_face_px", c->min_face_px);
    jx_add_bool(o, "liveness_check", c->liveness_check);
    return o;
}
