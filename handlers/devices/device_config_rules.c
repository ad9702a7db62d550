/* device_config_rules.c — the settings of a device's configuration, one
 * table of names, kinds and bounds (device_config_rules.h), read with the
 * JSON field readers of fcgi/jsonx.h; a location's settings and a
 * device's own laid over the defaults in that order. Pure. */
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

/* setting i of c into o */
static void add_setting(struct json_object *o, size_t i, const struct device_config *c)
{
    const char *at = (const char *)c + settings[i].at;

    switch (settings[i].kind) {
    case CFG_NUMBER:
        jx_add_number(o, settings[i].name, *(const double *)(const void *)at);
        break;
    case CFG_INT:
        jx_add_int(o, settings[i].name, *(const long *)(const void *)at);
        break;
    default:
        jx_add_bool(o, settings[i].name, *(const int *)(const void *)at);
    }
}

/* whether body sends setting name (null: it does not) */
static int sends(struct json_object *body, const char *name)
{
    struct json_object *v = NULL;
    return json_object_object_get_ex(body, name, &v) && v != NULL;
}

int device_config_apply(struct json_object *body, struct device_config *c, const char **field, const char **why)
{
    struct device_config next = *c;

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
            return -1;
        }
    }
    for (size_t i = 0; i < NSETTINGS; i++) {
        char *at = (char *)&next + settings[i].at;
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
            return -1;
        }
    }
    *c = next;
    return 0;
}

int device_config_parse(struct json_object *body, struct device_config *c, const char **field, const char **why)
{
    device_config_defaults(c);
    return device_config_apply(body, c, field, why);
}

struct json_object *device_config_json(const struct device_config *c)
{
    struct json_object *o = json_object_new_object();
    for (size_t i = 0; i < NSETTINGS; i++)
        add_setting(o, i, c);
    return o;
}

struct json_object *device_config_settings(struct json_object *body, const char **field, const char **why)
{
    struct device_config c;

    if (device_config_parse(body, &c, field, why) < 0)
        return NULL;
    struct json_object *o = json_object_new_object();
    for (size_t i = 0; i < NSETTINGS; i++)
        if (sends(body, settings[i].name))
            add_setting(o, i, &c);
    return o;
}

void device_config_effective(struct json_object *location, struct json_object *own, struct device_config *c)
{
    const char *field, *why;

    device_config_defaults(c);
    if (location != NULL)
        (void)device_config_apply(location, c, &field, &why);      /* refused: as if none */
    if (own != NULL)
        (void)device_config_apply(own, c, &field, &why);
}
