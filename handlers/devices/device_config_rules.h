/* device_config_rules.h — a device's configuration (docs/iot.md,
 * "Config"): its settings, their defaults and bounds, read from the JSON a
 * PUT sends (every setting optional, absent ones take their default, an
 * unknown key refused) and written back as JSON. Pure (no I/O);
 * tests/unit/devices/test_device_config_rules.c and the fuzz target
 * device_config pin it down. */
#ifndef FC_DEVICE_CONFIG_RULES_H
#define FC_DEVICE_CONFIG_RULES_H

#include <json-c/json.h>

struct device_config {
    double recognition_threshold;   /* 0.3 .. 0.8 (0.6): the match distance the device accepts */
    long capture_interval_ms;       /* 100 .. 10000 (1000): between two captures */
    long min_face_px;               /* 40 .. 400 (80): the smallest face it tries to recognise */
    int liveness_check;             /* true (the default) / false */
};

void device_config_defaults(struct device_config *c);

/* The configuration body describes: the defaults with body's settings
 * over them. 0, or -1 with *field (the offending key: a setting out of
 * range or of the wrong type, or a key that is no setting) and *why, c
 * then the defaults. body must be an object. *field may point into body. */
int device_config_parse(struct json_object *body, struct device_config *c, const char **field, const char **why);

/* c as JSON, every setting (a new object the caller owns). */
struct json_object *device_config_json(const struct device_config *c);

#endif
