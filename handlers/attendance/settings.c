/* settings.c — GET|PATCH .../attendance/settings/ (contract 5.1); the
 * row itself is read and written (and a change audited) by
 * settings_store.c. */
#include "action_audit_store.h"
#include "db.h"
#include "app/handlers.h"
#include "response.h"
#include "settings_store.h"

void h_settings_get(struct request *req)
{
    struct attendance_settings s;
    if (settings_load(req->tenant.id, &s) < 0) {
        db_fail_reply(req);
        return;
    }
    resp_json(req, 200, settings_to_json(&s));
}

void h_settings_patch(struct request *req)
{
    struct json_object *body = req_json_body_or_reply(req);
    struct attendance_settings s, before;
    struct actor who;
    const char *field = NULL, *why = NULL;

    if (body == NULL)
        return;
    if (db_begin() < 0) {
        db_fail_reply(req);
        return;
    }
    if (settings_load(req->tenant.id, &s) < 0)
        goto db_fail;
    before = s;
    if (settings_apply_patch(&s, body, &field, &why) < 0) {
        db_rollback();
        resp_invalid(req, field, "%s %s.", field, why);
        return;
    }
    long long unknown = settings_unknown_department(req->tenant.id, &s);
    if (unknown < 0)
        goto db_fail;
    if (unknown > 0) {
        db_rollback();
        resp_invalid(req, "face_attendance_departments", "Department %lld does not exist.", unknown);
        return;
    }
    actor_of(req, &who);
    if (settings_save(req->tenant.id, &before, &s, &who) < 0 || db_commit() < 0)
        goto db_fail;
    resp_json(req, 200, settings_to_json(&s));
    return;
db_fail:
    db_fail_reply(req);
    db_rollback();
}
