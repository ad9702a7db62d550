/* review.c — the manager's side of attendance (contract 5.7): the queue of
 * unrostered logs awaiting review and its approve/reject decision (never
 * on the reviewer's own log: 403 SELF_APPROVAL), who is clocked in right
 * now with live safety flags, and the long-session acknowledgement (kiosk
 * or manager) that may close a session. The listings, the decision and
 * the acknowledgement are review_store.c's. */
#include "action_audit_store.h"
#include "db.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "response.h"
#include "review_store.h"
#include "settings_store.h"

void h_review_pending(struct request *req)
{
    listing_reply(req, &pending_listing, NULL);
}

void h_review_approve(struct request *req)
{
    long long id = arg_int(req, "log_id");
    struct json_object *log;
    struct actor who;

    actor_of(req, &who);
    switch (review_decide(req->tenant.id, id, arg_bool(req, "approved", 0), arg_str(req, "note"), &who,
                          identity_of(req)->staff_id, &log)) {
    case REVIEW_DONE:
        resp_json(req, 200, log);
        return;
    case REVIEW_OWN_LOG:
        resp_error(req, 403, "SELF_APPROVAL", "You cannot approve or reject your own clock log %lld.", id);
        return;
    case REVIEW_NOT_PENDING:
        resp_error(req, 409, "CONFLICT", "Clock log %lld is not an unrostered log awaiting review.", id);
        return;
    case REVIEW_NOT_FOUND:
        resp_error(req, 404, "NOT_FOUND", "No such clock log.");
        return;
    default:
        db_fail_reply(req);
        return;
    }
}

void h_review_clocked_in(struct request *req)
{
    struct attendance_settings s;
    struct safety_thresholds t;

    if (settings_load(req->tenant.id, &s) < 0) {
        db_fail_reply(req);
        return;
    }
    settings_thresholds(&s, &t);
    listing_reply(req, &clocked_in_listing, &t);
}

void h_review_long_session_ack(struct request *req)
{
    struct attendance_settings s;
    struct safety_thresholds t;
    struct safety_flags f;
    struct json_object *log, *o;
    struct actor who;
    const char *mode = arg_str(req, "mode");
    long long id = arg_int(req, "log_id");

    /* read before the acknowledgement's transaction: inside it
     * settings_load() would lock the hotel's settings row until it ends */
    if (settings_load(req->tenant.id, &s) < 0) {
        db_fail_reply(req);
        return;
    }
    settings_thresholds(&s, &t);
    actor_of(req, &who);
    switch (review_ack(req->tenant.id, id, mode, &t, &who, &f, &log)) {
    case REVIEW_DONE:
        o = json_object_new_object();
        json_object_object_add(o, "log", log);
        jx_add_str(o, "mode", mode);
        safety_flags_json(o, &f);
        resp_json(req, 200, o);
        return;
    case REVIEW_NOT_FOUND:
        resp_error(req, 404, "NOT_FOUND", "No such clock log.");
        return;
    case REVIEW_CLOSED:
        resp_error(req, 409, "CONFLICT", "Clock log %lld is already closed.", id);
        return;
    case REVIEW_TOO_LONG:
        resp_error(req, 409, "SESSION_TOO_LONG",
                   "The session has run %.2f hours, past the hard limit of %.2f hours; "
                   "it must be clocked out.", f.hours, t.hard_hours);
        return;
    default:
        db_fail_reply(req);
        return;
    }
}
