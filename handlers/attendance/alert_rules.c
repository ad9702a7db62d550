/* alert_rules.c — the alert catalogue, its PATCH and its decisions; no
 * I/O. */
#include <stdio.h>
#include <string.h>
#include "alert_rules.h"
#include "jsonx.h"

/* A threshold field: where it lives in the struct and its bounds. */
enum field { F_THRESHOLD, F_WINDOW, F_COOLDOWN, F_MINUTES, F_N };

static const char *const field_names[F_N] = {"threshold", "window_minutes", "cooldown_minutes", "minutes"};

struct rule_def {
    const char *name;
    /* per field: has it, default, min, max */
    struct { int has; long dflt, min, max; } f[F_N];
};

static const struct rule_def defs[ALERT_NRULES] = {
    [ALERT_FAILED_SCANS] = {"failed_scans",
                            {[F_THRESHOLD] = {1, 5, 2, 1000}, [F_WINDOW] = {1, 2, 1, 1440},
                             [F_COOLDOWN] = {1, 0, 0, 1440}}},   /* throttle off unless a hotel sets it */
    [ALERT_UNROSTERED_DAY] = {"unrostered_day", {[F_THRESHOLD] = {1, 10, 1, 10000}}},
    [ALERT_HARD_LIMIT] = {"hard_limit", {{0, 0, 0, 0}}},
    [ALERT_OVERTIME] = {"overtime", {{0, 0, 0, 0}}},
    [ALERT_DEVICE_OFFLINE] = {"device_offline", {[F_MINUTES] = {1, 10, 1, 10080}}},
    [ALERT_FACE_REVOKED] = {"face_revoked", {{0, 0, 0, 0}}},
    [ALERT_REVOCATION_UNSYNCED] = {"revocation_unsynced", {[F_MINUTES] = {1, 30, 1, 10080}}},
};

static long *field_of(struct alert_rule_cfg *c, enum field f)
{
    switch (f) {
    case F_THRESHOLD: return &c->threshold;
    case F_WINDOW: return &c->window_minutes;
    case F_COOLDOWN: return &c->cooldown_minutes;
    default: return &c->minutes;
    }
}

static long field_value(const struct alert_rule_cfg *c, enum field f)
{
    return *field_of((struct alert_rule_cfg *)c, f);
}

const char *alert_rule_name(enum alert_rule rule)
{
    return (int)rule >= 0 && rule < ALERT_NRULES ? defs[rule].name : NULL;
}

int alert_rule_of(const char *name)
{
    for (int i = 0; name != NULL && i < ALERT_NRULES; i++)
        if (strcmp(name, defs[i].name) == 0)
            return i;
    return -1;
}

void alert_rules_defaults(struct alert_rules *rs)
{
    memset(rs, 0, sizeof *rs);
    for (int i = 0; i < ALERT_NRULES; i++) {
        rs->r[i].enabled = 1;
        for (int f = 0; f < F_N; f++)
            if (defs[i].f[f].has)
                *field_of(&rs->r[i], (enum field)f) = defs[i].f[f].dflt;
    }
}

/* One rule's object onto c. 0, or -1 with the field named. */
static int apply_rule(enum alert_rule rule, struct alert_rule_cfg *c, struct json_object *o, char *field_buf,
                      size_t field_size, const char **why)
{
    const struct rule_def *d = &defs[rule];

    if (!json_object_is_type(o, json_type_object)) {
        snprintf(field_buf, field_size, "%s", d->name);
        *why = "must be an object of the rule's settings";
        return -1;
    }
    json_object_object_foreach(o, key, val) {
        (void)val;
        int f;
        for (f = 0; f < F_N; f++)
            if (d->f[f].has && strcmp(key, field_names[f]) == 0)
                break;
        snprintf(field_buf, field_size, "%s.%s", d->name, key);
        if (strcmp(key, "enabled") == 0) {
            if (jx_bool(o, key, 1, &c->enabled, why) < 0)
                return -1;
            continue;
        }
        if (f == F_N) {
            *why = "is not a setting of this rule";
            return -1;
        }
        if (jx_int(o, key, 1, d->f[f].min, d->f[f].max, field_of(c, (enum field)f), why) < 0)
            return -1;
    }
    return 0;
}

int alert_rules_apply_patch(struct alert_rules *rs, struct json_object *patch, char *field_buf,
                            size_t field_size, const char **why)
{
    if (!json_object_is_type(patch, json_type_object)) {
        snprintf(field_buf, field_size, "body");
        *why = "must be an object of rules";
        return -1;
    }
    json_object_object_foreach(patch, key, val) {
        int rule = alert_rule_of(key);
        if (rule < 0) {
            snprintf(field_buf, field_size, "%s", key);
            *why = "is not an alert rule";
            return -1;
        }
        if (apply_rule((enum alert_rule)rule, &rs->r[rule], val, field_buf, field_size, why) < 0)
            return -1;
    }
    return 0;
}

struct json_object *alert_rule_to_json(const struct alert_rules *rs, enum alert_rule rule)
{
    struct json_object *o = json_object_new_object();
    jx_add_bool(o, "enabled", rs->r[rule].enabled);
    for (int f = 0; f < F_N; f++)
        if (defs[rule].f[f].has)
            jx_add_int(o, field_names[f], field_value(&rs->r[rule], (enum field)f));
    return o;
}

struct json_object *alert_rules_to_json(const struct alert_rules *rs)
{
    struct json_object *o = json_object_new_object();
    for (int i = 0; i < ALERT_NRULES; i++)
        json_object_object_add(o, defs[i].name, alert_rule_to_json(rs, (enum alert_rule)i));
    return o;
}

int alert_holds(const struct alert_rules *rs, const struct alert_limits *lim, enum alert_rule rule,
                double value)
{
    if ((int)rule < 0 || rule >= ALERT_NRULES || !rs->r[rule].enabled)
        return 0;
    const struct alert_rule_cfg *c = &rs->r[rule];
    switch (rule) {
    case ALERT_FAILED_SCANS:
    case ALERT_UNROSTERED_DAY:
        return value >= (double)c->threshold;
    case ALERT_HARD_LIMIT:
        return value >= lim->hard_limit_hours;
    case ALERT_OVERTIME:
        return value >= lim->overtime_warning_hours;
    case ALERT_DEVICE_OFFLINE:
    case ALERT_REVOCATION_UNSYNCED:
        return value >= (double)c->minutes;
    case ALERT_FACE_REVOKED:
        return 1;
    default:
        return 0;
    }
}

int alert_tick_holds(const struct alert_rules *rs, const struct alert_limits *lim, enum alert_rule rule,
                     double value, double throttle_left)
{
    if (rule == ALERT_FAILED_SCANS && throttle_left > 0 && rs->r[rule].enabled)
        return 1;
    return alert_holds(rs, lim, rule, value);
}

enum alert_step alert_tick_step(enum alert_rule rule, int holds, int open)
{
    if (rule == ALERT_FACE_REVOKED)
        return ALERT_KEEP;
    if (holds && !open)
        return ALERT_RAISE;
    if (!holds && open)
        return ALERT_RESOLVE;
    return ALERT_KEEP;
}

int alert_should_throttle(const struct alert_rules *rs, long failures)
{
    const struct alert_rule_cfg *c = &rs->r[ALERT_FAILED_SCANS];
    return c->enabled && c->cooldown_minutes > 0 && failures >= c->threshold;
}
