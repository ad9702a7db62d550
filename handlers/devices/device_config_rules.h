/* device_config_rules.h — a device's configuration (docs/iot.md,
 * "Config"): its settings, their defaults and bounds, read from the JSON a
 * PUT sends (every setting optional, an unknown key refused) and written
 * back as JSON; the effective configuration of a device: the defaults, its
 * location's settings over them, its own over those. Pure (no I/O);
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

/* body's settings read over *c: those it leaves out (or sends as null)
 * keep their value in c. 0, or -1 with *field and *why as
 * device_config_parse says, c unchanged. */
int device_config_apply(struct json_object *body, struct device_config *c, const char **field, const char **why);

/* c as JSON, every setting (a new object the caller owns). */
struct json_object *device_config_json(const struct device_config *c);

/* The settings body sets, and only those (absent and null ones left
 * out), each written as device_config_json writes it: what is stored for
 * a device or a location. A new object, or NULL with *field and *why
 * when body is refused (device_config_parse). */
struct json_object *device_config_settings(struct json_object *body, const char **field, const char **why);

/* A device's effective configuration into *c: the defaults, location's
 * settings over them, own's over those (either NULL: none; one that
 * device_config_apply refuses counts as none: stored ones were checked). */
void device_config_effective(struct json_object *location, struct json_object *own, struct device_config *c);

#endif
