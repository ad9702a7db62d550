/* tests/fuzz/alert_rules.c — libFuzzer target: a PATCH of a hotel's alert
 * rules (alert_rules_apply_patch, handlers/attendance/alert_rules.c) on
 * any JSON text, applied to the defaults as PATCH .../alerts/rules/ does.
 * Asserts that a refusal names a field (the rule or "<rule>.<field>", as
 * the patch spells it) and a reason; that what is accepted keeps every threshold in
 * its documented bounds; that the rules' own JSON (what the API answers)
 * is accepted again and reads back the same; and that the decisions
 * answer within their ranges for any value. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attendance/alert_rules.h"
#include "jsonx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_bounds(const struct alert_rules *rs)
{
    const struct alert_rule_cfg *f = &rs->r[ALERT_FAILED_SCANS];
    if (f->threshold < 2 || f->threshold > 1000 || f->window_minutes < 1 || f->window_minutes > 1440 ||
        f->cooldown_minutes < 0 || f->cooldown_minutes > 1440)
        abort();
    if (rs->r[ALERT_UNROSTERED_DAY].threshold < 1 || rs->r[ALERT_UNROSTERED_DAY].threshold > 10000)
        abort();
    if (rs->r[ALERT_DEVICE_OFFLINE].minutes < 1 || rs->r[ALERT_DEVICE_OFFLINE].minutes > 10080 ||
        rs->r[ALERT_REVOCATION_UNSYNCED].minutes < 1 || rs->r[ALERT_REVOCATION_UNSYNCED].minutes > 10080)
        abort();
    for (int i = 0; i < ALERT_NRULES; i++)
        if (rs->r[i].enabled != 0 && rs->r[i].enabled != 1)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct alert_rules rs, again;
    char field[96];
    const char *why = NULL;

    memcpy(text, data, size);
    text[size] = '\0';
    struct json_object *patch = jx_parse(text, size);
    free(text);
    if (patch == NULL)
        return 0;

    alert_rules_defaults(&rs);
    field[0] = '\0';
    if (alert_rules_apply_patch(&rs, patch, field, sizeof field, &why) != 0) {
        /* the field is the rule or "<rule>.<key>" as the patch spells it
         * (an empty key is named empty), always terminated */
        if (why == NULL || *why == '\0' || memchr(field, '\0', sizeof field) == NULL ||
            (field[0] == '\0' && !json_object_object_get_ex(patch, "", NULL)))
            abort();
        goto out;
    }
    check_bounds(&rs);

    /* the answer's JSON, sent back as a patch, is the same rules */
    struct json_object *shown = alert_rules_to_json(&rs);
    const char *t1 = json_object_to_json_string_ext(shown, JSON_C_TO_STRING_PLAIN);
    struct json_object *back = jx_parse(t1, strlen(t1));
    alert_rules_defaults(&again);
    if (back == NULL || alert_rules_apply_patch(&again, back, field, sizeof field, &why) != 0)
        abort();
    if (memcmp(&rs, &again, sizeof rs) != 0)
        abort();
    json_object_put(back);
    json_object_put(shown);

    /* decisions: 0 or 1, any value (NaN and infinities included) */
    struct alert_limits lim = {12.0, 10.0};
    const double values[] = {-1, 0, 1, 5, 9.99, 10, 12, 30, 1e9, NAN, INFINITY, -INFINITY};
    for (int i = 0; i < ALERT_NRULES; i++)
        for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
            int h = alert_tick_holds(&rs, &lim, (enum alert_rule)i, values[k], values[(k + 3) % 12]);
            if ((h != 0 && h != 1) || (!rs.r[i].enabled && h))
                abort();
            enum alert_step st = alert_tick_step((enum alert_rule)i, h, (int)(k & 1));
            if (st != ALERT_KEEP && st != ALERT_RAISE && st != ALERT_RESOLVE)
                abort();
        }
    if (alert_should_throttle(&rs, rs.r[ALERT_FAILED_SCANS].threshold) !=
        (rs.r[ALERT_FAILED_SCANS].enabled && rs.r[ALERT_FAILED_SCANS].cooldown_minutes > 0))
        abort();
out:
    json_object_put(patch);
    return 0;
}
