/* alerts.c — the alerts API (docs/api.md "Alerts"): GET .../alerts/ (a
 * JSON page or a CSV export), POST .../alerts/{alert_id}/acknowledge/ and
 * .../resolve/, GET|PATCH .../alerts/rules/. The rows and their audit are
 * alert_store.c's, the rules' catalogue and checks alert_rules.c's. */
#include "alert_store.h"
#include "db.h"
#include "app/handlers.h"
#include "response.h"

void h_alerts_list(struct request *req)
{
    struct alert_filter f;

    alert_filter_of(req, &f);
    listing_reply(req, &alert_listing, &f);
}

/* Move the path's alert to to_state (from what it may come from). */
static void transition(struct request *req, const char *to_state)
{
    struct actor who;
    struct json_object *o = NULL;
    const char *state = NULL;
    long long id = arg_int(req, "alert_id");

    actor_of(req, &who);
    switch (alert_transition(req->tenant.id, id, to_state, &who, &o, &state)) {
    case 1:
        resp_json(req, 200, o);
        return;
    case 0:
        resp_error(req, 404, "NOT_FOUND", "No alert %lld in this hotel.", id);
        return;
    case -2:
        resp_error(req, 409, "CONFLICT", "Alert %lld is %s.", id, state);
        return;
    default:
        db_fail_reply(req);
    }
}

void h_alert_acknowledge(struct request *req)
{
    transition(req, "acknowledged");
}

void h_alert_resolve(struct request *req)
{
    transition(req, "resolved");
}

void h_alert_rules_get(struct request *req)
{
    struct alert_rules rs;

    if (alert_rules_load(req->tenant.id, &rs) < 0) {
        db_fail_reply(req);
        return;
    }
    resp_json(req, 200, alert_rules_to_json(&rs));
}

void h_alert_rules_patch(struct request *req)
{
    struct json_object *body = req_json_body_or_reply(req);
    struct alert_rules rs, before;
    struct actor who;
    char field[96];
    const char *why = NULL;

    if (body == NULL)
        return;
    if (db_begin() < 0) {
        db_fail_reply(req);
        return;
    }
    if (alert_rules_load(req->tenant.id, &rs) < 0)
        goto db_fail;
    before = rs;
    if (alert_rules_apply_patch(&rs, body, field, sizeof field, &why) < 0) {
        db_rollback();
        resp_invalid(req, field, "%s %s.", field, why);
        return;
    }
    actor_of(req, &who);
    if (alert_rules_save(req->tenant.id, &before, &rs, &who) < 0 || db_commit() < 0)
        goto db_fail;
    resp_json(req, 200, alert_rules_to_json(&rs));
    return;
db_fail:
    db_fail_reply(req);
    db_rollback();
}
