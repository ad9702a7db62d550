/* alert_rules.h — the alert catalogue (docs/api.md "Alerts"): each rule,
 * its thresholds with their defaults (seed 004) and bounds, applying a
 * PATCH of a hotel's rules, and the decisions: whether a rule's condition
 * holds for a measured value, and what the minute's evaluation does with
 * an alert. Pure. */
#ifndef FC_ALERT_RULES_H
#define FC_ALERT_RULES_H

#include <json-c/json.h>

enum alert_rule {
    ALERT_FAILED_SCANS,         /* failures on one kiosk within window_minutes >= threshold */
    ALERT_UNROSTERED_DAY,       /* unrostered clock-ins in one hotel-local day >= threshold */
    ALERT_HARD_LIMIT,           /* an open session of at least the settings' hard_limit_hours */
    ALERT_OVERTIME,             /* an open session of at least overtime_warning_hours */
    ALERT_DEVICE_OFFLINE,       /* a device silent for at least minutes */
    ALERT_FACE_REVOKED,         /* every face-data revocation */
    ALERT_REVOCATION_UNSYNCED,  /* a device that has not synced a revocation within minutes */
    ALERT_NRULES
};

/* A rule's settings; a field the rule does not have is 0. */
struct alert_rule_cfg {
    int enabled;
    long threshold;             /* a count */
    long window_minutes;        /* failed_scans: counted over */
    long cooldown_minutes;      /* failed_scans: the throttle (0: none) */
    long minutes;               /* a duration */
};

struct alert_rules {
    struct alert_rule_cfg r[ALERT_NRULES];
};

/* "failed_scans", … ; NULL out of range. */
const char *alert_rule_name(enum alert_rule rule);
/* The rule of a name, or -1. */
int alert_rule_of(const char *name);

/* The defaults of every rule (all enabled). */
void alert_rules_defaults(struct alert_rules *rs);

/* Apply a PATCH {"<rule>": {"enabled", "<threshold>", …}, …} (any
 * subset) onto rs. 0, or -1 with *field ("<rule>" or "<rule>.<field>",
 * written into field_buf of field_size) and *why (static) set; rs may
 * then be partly changed. An unknown rule or field, a wrong type or a
 * value out of its bounds is refused. */
int alert_rules_apply_patch(struct alert_rules *rs, struct json_object *patch, char *field_buf,
                            size_t field_size, const char **why);

/* {"<rule>": {"enabled", thresholds…}, …}. The caller puts it. */
struct json_object *alert_rules_to_json(const struct alert_rules *rs);
/* One rule's object (as in alert_rules_to_json). The caller puts it. */
struct json_object *alert_rule_to_json(const struct alert_rules *rs, enum alert_rule rule);

/* The settings a rule reads besides its own (attendance settings). */
struct alert_limits {
    double hard_limit_hours;
    double overtime_warning_hours;
};

/* Whether rule's condition holds for value (failed_scans: failures in
 * the window, or the throttle's seconds left; unrostered_day: the day's
 * count; hard_limit, overtime: the session's hours; device_offline,
 * revocation_unsynced: minutes). A disabled rule never holds;
 * face_revoked holds whenever it is asked (every revocation). */
int alert_holds(const struct alert_rules *rs, const struct alert_limits *lim, enum alert_rule rule,
                double value);

/* The minute's evaluation of a subject: alert_holds, except that a
 * kiosk still throttled (throttle_left seconds > 0) keeps failed_scans
 * holding. */
int alert_tick_holds(const struct alert_rules *rs, const struct alert_limits *lim, enum alert_rule rule,
                     double value, double throttle_left);

/* What the minute's evaluation does with one (rule, subject). */
enum alert_step { ALERT_KEEP, ALERT_RAISE, ALERT_RESOLVE };
/* holds: the condition now; open: an alert not yet resolved exists.
 * face_revoked is never raised nor resolved by time (by hand only). */
enum alert_step alert_tick_step(enum alert_rule rule, int holds, int open);

/* A failed scan on a kiosk with failures counted in its window: whether
 * to throttle it now (the count reached the threshold and the rule
 * throttles: cooldown_minutes > 0). Raising the alert follows
 * alert_holds. */
int alert_should_throttle(const struct alert_rules *rs, long failures);

#endif
